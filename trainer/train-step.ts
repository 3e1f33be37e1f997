/**
 * One optimisation step of the segmentation network: forward in training mode (batch-norm batch
 * statistics and moving-average updates, dropout on), class-weighted cross-entropy (`./loss.ts`), plus
 * the optional reconstruction loss, gradients of the model's trainable weights, and the optimizer update.
 *
 * The update is applied only when the loss is finite: a NaN/Inf loss leaves every trainable weight as it
 * was and is reported (`applied: false`), so the caller can stop and keep its last good checkpoint.
 * All intermediate tensors are released (the caller's batch tensors are not touched).
 *
 * Every read is asynchronous (`await data()`): on the webgpu backend `dataSync` does not work in Node, and
 * a read waits for the GPU to finish. `trainStepQueued` does not read at all: it applies the update and
 * hands back the loss tensors, so that a loop can read the losses of several steps at once (one wait for
 * the GPU instead of one per step) with `readQueuedLosses`. Its update is applied whatever the loss: a
 * caller must stop at the first non-finite loss it reads and never save the weights of that step or later.
 */
import * as tf from '@tensorflow/tfjs';
import { assertClassWeights } from '../core/training/weights';
import { weightedSoftmaxCrossEntropy } from './loss';
import type { LossReduction } from './loss';

export interface TrainBatch {
  /** Normalised images [B,H,W,3] float32 (see `normalizeImages`). */
  images: tf.Tensor4D;
  /** Labels [B,H,W] int32, 255 = unlabeled. */
  labels: tf.Tensor3D;
}

export interface TrainStepOptions {
  reduction?: LossReduction;
  /** Weight of the reconstruction loss (models built with `reconstruction: true`); default 0. */
  reconstructionWeight?: number;
  /**
   * Extra images [U,H,W,3] (e.g. unlabeled ones) that only the reconstruction loss sees; they go through
   * the network in a second forward pass, so the labeled batch's batch-norm statistics stay its own
   * (one joint pass made training on CamVid with 30 labeled images markedly worse, even with a
   * negligible reconstruction weight). The reconstruction loss is the mean squared error over the
   * pixels of both passes.
   */
  unlabeledImages?: tf.Tensor4D;
  /** Reads the labels back and throws on values outside 0..C-1 that are not 255 (default true). */
  checkLabels?: boolean;
}

export interface TrainStepResult {
  /** Total loss (segmentation + weight * reconstruction); NaN/Inf when the step was skipped. */
  loss: number;
  segmentationLoss: number;
  reconstructionLoss: number;
  /** False when the loss was not finite and the weights were left unchanged. */
  applied: boolean;
}

async function checkLabelValues(labels: tf.Tensor3D, numClasses: number): Promise<void> {
  const v = await labels.data();
  for (let i = 0; i < v.length; i++) {
    const g = v[i]!;
    if (g !== 255 && !(g >= 0 && g < numClasses && Number.isInteger(g))) {
      throw new RangeError(`label ${g} at index ${i} is neither a class id in 0..${numClasses - 1} nor 255`);
    }
  }
}

/** The loss tensors of a step whose update was applied before its loss was read. */
export interface QueuedLoss {
  loss: tf.Scalar;
  segmentationLoss: tf.Scalar | null;
  reconstructionLoss: tf.Scalar | null;
}

interface ComputedStep extends QueuedLoss {
  grads: tf.NamedTensorMap;
}

function computeStep(
  model: tf.LayersModel,
  batch: TrainBatch,
  classWeights: ArrayLike<number>,
  sampleWeights: ArrayLike<number> | undefined,
  options: TrainStepOptions,
): ComputedStep {
  const recWeight = options.reconstructionWeight ?? 0;
  const hasRec = model.outputs.length > 1;
  if (recWeight > 0 && !hasRec) throw new Error('reconstructionWeight > 0 needs a model with a reconstruction head');
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);

  const parts: { seg: tf.Scalar | null; rec: tf.Scalar | null } = { seg: null, rec: null };
  const { value, grads } = tf.variableGrads(() => {
    // The labeled batch goes through the network on its own, so its batch-norm statistics are its own;
    // extra (unlabeled) images get a second pass that only the reconstruction loss sees.
    const out = model.apply(batch.images, { training: true }) as tf.Tensor | tf.Tensor[];
    const [logits, recon] = (Array.isArray(out) ? out : [out]) as tf.Tensor4D[];
    const seg = weightedSoftmaxCrossEntropy(logits!, batch.labels, classWeights, {
      reduction: options.reduction,
      sampleWeights,
    });
    parts.seg = tf.keep(seg);
    if (recWeight > 0 && recon) {
      const errors = [tf.sum(tf.squaredDifference(recon, batch.images))];
      let count = recon.size;
      if (options.unlabeledImages) {
        const extra = model.apply(options.unlabeledImages, { training: true }) as tf.Tensor[];
        errors.push(tf.sum(tf.squaredDifference(extra[1]!, options.unlabeledImages)));
        count += extra[1]!.size;
      }
      const rec = tf.div(tf.addN(errors), count) as tf.Scalar;
      parts.rec = tf.keep(rec);
      return tf.add(seg, tf.mul(rec, recWeight)) as tf.Scalar;
    }
    return seg;
  }, vars);
  return { loss: value, segmentationLoss: parts.seg, reconstructionLoss: parts.rec, grads };
}

function prepare(model: tf.LayersModel, classWeights: ArrayLike<number>): number {
  const numClasses = (model.outputs[0]!.shape as number[])[3]!;
  assertClassWeights(classWeights, numClasses);
  return numClasses;
}

export async function trainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  batch: TrainBatch,
  classWeights: ArrayLike<number>,
  sampleWeights?: ArrayLike<number>,
  options: TrainStepOptions = {},
): Promise<TrainStepResult> {
  const numClasses = prepare(model, classWeights);
  if (options.checkLabels ?? true) await checkLabelValues(batch.labels, numClasses);
  const step = computeStep(model, batch, classWeights, sampleWeights, options);
  try {
    const [result] = await readQueuedLosses([step]);
    if (result!.applied) optimizer.applyGradients(step.grads);
    return result!;
  } finally {
    tf.dispose(step.grads);
  }
}

/** One step whose update is applied at once; read its loss later with `readQueuedLosses` (file comment). */
export function trainStepQueued(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  batch: TrainBatch,
  classWeights: ArrayLike<number>,
  sampleWeights?: ArrayLike<number>,
  options: TrainStepOptions = {},
): QueuedLoss {
  prepare(model, classWeights);
  const { grads, ...losses } = computeStep(model, batch, classWeights, sampleWeights, options);
  try {
    optimizer.applyGradients(grads);
  } finally {
    tf.dispose(grads);
  }
  return losses;
}

/**
 * Reads the losses of `steps` in one transfer and disposes their tensors. `applied`: whether the loss was
 * finite (for queued steps the update was applied anyway, see the file comment).
 */
export async function readQueuedLosses(steps: readonly QueuedLoss[]): Promise<TrainStepResult[]> {
  if (!steps.length) return [];
  const all = tf.tidy(() =>
    tf.stack(
      steps.flatMap((s) => [s.loss, s.segmentationLoss ?? tf.scalar(NaN), s.reconstructionLoss ?? tf.scalar(0)]),
    ),
  );
  try {
    const v = await all.data();
    return steps.map((_, i) => {
      const loss = v[3 * i]!;
      return {
        loss,
        segmentationLoss: v[3 * i + 1]!,
        reconstructionLoss: v[3 * i + 2]!,
        applied: Number.isFinite(loss),
      };
    });
  } finally {
    all.dispose();
    for (const s of steps) tf.dispose([s.loss, s.segmentationLoss, s.reconstructionLoss].filter((t) => t !== null));
  }
}
