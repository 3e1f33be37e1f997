/**
 * The training loop: epochs of shuffled, augmented batches (`./augment.ts`; or only flipped) through
 * `trainStep`, validation metrics after each epoch, and hooks for progress, checkpoints and stopping.
 * Pure TF.js: no database, no process.
 * The learning rate follows `settings.schedule` over the run's budget (core/training/schedule.ts): each
 * step's rate is set on the optimizer before the step and reported with its progress.
 *
 * Stops when the epoch count or the time budget is reached (whichever comes first), when `shouldStop()`
 * returns true (after the current step), or when a loss is not finite (the bad step is not applied, so
 * the weights are those of the last good step; the last checkpoint is the last completed epoch), or
 * when the GPU fails (out of memory, device lost: `../webgpu.ts`), with a message that names the settings
 * to lower; the last checkpoint is then the last completed epoch too.
 *
 * On webgpu the losses are read every `lossReadInterval` steps (one wait for the GPU instead of one per
 * step; `trainStepQueued`); a non-finite loss is then found up to that many steps late, and the weights
 * of the steps after it are never saved: every epoch's losses are read before its checkpoint.
 */
import * as tf from '@tensorflow/tfjs';
import {
  accumulateEvaluation,
  emptyEvaluation,
  evaluationMetrics,
  type EvaluationMetrics,
} from '../../core/training/metrics';
import { accumulateConfusion, emptyConfusion, segmentationMetrics } from '../../core/metrics';
import { budgetFraction, DEFAULT_SCHEDULE, learningRateAt, type Schedule } from '../../core/training/schedule';
import { weightedSoftmaxCrossEntropy, type LossReduction } from '../loss';
import { ScheduledAdam } from '../optimizer';
import { predictTiled, type Net } from '../predict';
import { readQueuedLosses, trainStep, trainStepQueued, type QueuedLoss, type TrainStepResult } from '../train-step';
import { asGpuFailure, checkWebGpu, settleWebGpu, type GpuFailureKind } from '../webgpu';
import { atWorkingSize, augmentSample, ClassBalance, DEFAULT_AUGMENT, type Size } from './augment';
import { makeBatch, rng, shuffled, type Sample } from './data';
import type { EpochResult, StepProgress } from '../../core/jobs/train';

export type { EpochResult };

export interface LoopSettings {
  /** Epoch limit; at least one of `epochs` and `minutes` is set. */
  epochs?: number | undefined;
  /** Time budget in minutes, checked after every step; the epoch in progress is then validated and saved. */
  minutes?: number | undefined;
  batchSize: number;
  /** Peak learning rate of the schedule. */
  learningRate: number;
  /** Default: DEFAULT_SCHEDULE (core/training/schedule.ts). */
  schedule?: Schedule;
  /** Decoupled weight decay of the convolution kernels (trainer/optimizer.ts); default 0. */
  weightDecay?: number;
  reduction: LossReduction;
  reconstructionWeight: number;
  flips: boolean;
  /**
   * Random scale and crop, photometric jitter and class-balanced crops (`./augment.ts`; flips follow
   * `flips`). Off: whole images at the working size, flipped only.
   */
  augment?: boolean;
  /** Working size of the network's input; default the first training sample's size. */
  size?: Size;
  seed: number;
  /** Read the losses every this many steps; default 8 on webgpu, 1 (every step) on the CPU backends. */
  lossReadInterval?: number;
}

export interface LoopHooks {
  onStep?(p: StepProgress): void;
  /** Called after each epoch with its results; save a checkpoint here. */
  onEpoch?(e: EpochResult, model: tf.LayersModel): Promise<void> | void;
  shouldStop?(): boolean;
}

export type LoopOutcome =
  | { status: 'completed'; epochs: number; message: string }
  | { status: 'stopped'; epochs: number; message: string }
  | { status: 'failed'; epochs: number; message: string; gpuFailure?: GpuFailureKind };

/**
 * Validation. The loss at the working size, with the same class weights (comparable to the training
 * loss). The metrics at each sample's `full` size (validation images: their own size), on labeled pixels
 * only, from the class probabilities upsampled to that size by `predictTiled`, as prediction does: the
 * figures are what a user gets. One forward pass per batch serves both.
 */
export async function evaluate(
  model: tf.LayersModel,
  samples: readonly Sample[],
  classWeights: ArrayLike<number>,
  batchSize: number,
  reduction: LossReduction,
  size: Size = samples[0] ?? { width: 0, height: 0 },
): Promise<{ loss: number; metrics: EvaluationMetrics; workingSizeMeanIoU: number }> {
  const numClasses = (model.outputs[0]!.shape as number[])[3]!;
  const acc = emptyEvaluation(numClasses);
  // The mIoU against the labels at the working size (nearest-neighbour resized), what earlier reports
  // measured; the benchmark prints both. From the argmax of the logits (the softmax's), no probabilities.
  const workingConfusion = emptyConfusion(numClasses);
  const { width: W, height: H } = size;
  let lossSum = 0;
  let batches = 0;
  for (let i = 0; i < samples.length; i += batchSize) {
    const items = samples.slice(i, i + batchSize);
    const working = items.map((s) => atWorkingSize(s, size));
    const batch = makeBatch(working);
    try {
      const [loss, logits, classes] = tf.tidy(() => {
        const out = model.predict(batch.images) as tf.Tensor | tf.Tensor[];
        const logits = (Array.isArray(out) ? out[0] : out) as tf.Tensor4D;
        return [
          weightedSoftmaxCrossEntropy(logits, batch.labels, classWeights, {
            reduction,
            sampleWeights: batch.sampleWeights,
          }),
          logits,
          tf.argMax(logits, -1),
        ];
      });
      try {
        lossSum += (await loss.data())[0]!;
        batches++;
        const predicted = await classes.data();
        for (let b = 0; b < items.length; b++) {
          const labels = working[b]!.labels;
          if (labels)
            accumulateConfusion(workingConfusion, predicted.subarray(b * H * W, (b + 1) * H * W), labels, 255);
          const s = items[b]!;
          const full = s.full ?? (s.labels ? { width: s.width, height: s.height, labels: s.labels } : null);
          if (!full) continue;
          // The network already ran on the batch: this stand-in hands predictTiled sample b's logits (the
          // working image is one tile), and predictTiled upsamples their softmax as for any prediction.
          const ran: Net = { predict: () => tf.slice(logits, [b, 0, 0, 0], [1, H, W, numClasses]) };
          await predictTiled(ran, { data: working[b]!.rgb, width: W, height: H }, full.width, full.height, {
            // One tile, the whole working image: no overlap to blend (any tiny working size passes).
            tile: [H, W],
            multiple: 1,
            margin: 0,
            overlap: 1,
            onProbabilities: (y, p) =>
              accumulateEvaluation(acc, p, full.labels.subarray(y * full.width, (y + 1) * full.width)),
          });
        }
      } finally {
        tf.dispose([loss, logits, classes]);
      }
    } finally {
      tf.dispose([batch.images, batch.labels]);
    }
  }
  return {
    loss: batches ? lossSum / batches : NaN,
    metrics: evaluationMetrics(acc),
    workingSizeMeanIoU: segmentationMetrics(workingConfusion).meanIoU,
  };
}

function gpuMessage(kind: GpuFailureKind, what: string, settings: LoopSettings, size: string): string {
  const lower = `lower the batch size (now ${settings.batchSize}) or the working size (now ${size})`;
  if (kind === 'out-of-memory') return `${what}. The model does not fit in the GPU's memory: ${lower}.`;
  if (kind === 'device-lost')
    return `${what}. The GPU driver may have reset (a step that runs too long) or the GPU is gone; if it happens again, ${lower}.`;
  return `${what}. If it happens again, ${lower}.`;
}

export async function trainLoop(
  model: tf.LayersModel,
  data: { train: readonly Sample[]; val: readonly Sample[]; unlabeled?: readonly Sample[] },
  classWeights: ArrayLike<number>,
  settings: LoopSettings,
  hooks: LoopHooks = {},
  startEpoch = 0,
): Promise<LoopOutcome> {
  if (settings.epochs === undefined && settings.minutes === undefined) throw new RangeError('set epochs or minutes');
  const labeled = data.train.filter((s) => s.labels);
  if (!labeled.length) return { status: 'failed', epochs: 0, message: 'No training image has trusted labels' };
  const optimizer = new ScheduledAdam(settings.learningRate, settings.weightDecay ?? 0);
  const random = rng(settings.seed);
  const size = settings.size ?? { width: labeled[0]!.width, height: labeled[0]!.height };
  const augment = settings.augment ? { ...DEFAULT_AUGMENT, flip: settings.flips } : null;
  const balance = augment ? new ClassBalance(labeled, classWeights.length) : undefined;
  const stepsPerEpoch = Math.ceil(labeled.length / settings.batchSize);
  const started = performance.now();
  const deadline = settings.minutes !== undefined ? started + settings.minutes * 60_000 : Infinity;
  const lastEpoch = settings.epochs !== undefined ? startEpoch + settings.epochs : Infinity;
  const totalSteps = settings.epochs !== undefined ? settings.epochs * stepsPerEpoch : undefined;
  const budgetMs = settings.minutes !== undefined ? settings.minutes * 60_000 : undefined;
  /** Steps this run has taken (applied or queued): the schedule's step count. */
  let stepsTaken = 0;
  /** Sets the rate of the next step on the optimizer, and returns it. */
  const scheduleStep = (): number => {
    const fraction = budgetFraction(stepsTaken, totalSteps, performance.now() - started, budgetMs);
    optimizer.rate = learningRateAt(settings.schedule ?? DEFAULT_SCHEDULE, settings.learningRate, fraction, stepsTaken);
    stepsTaken++;
    return optimizer.rate;
  };
  const onGpu = tf.getBackend() === 'webgpu';
  const interval = Math.max(1, Math.floor(settings.lossReadInterval ?? (onGpu ? 8 : 1)));
  let stepsDone = 0;
  let epoch = startEpoch;
  let step = 0;
  let lossSum = 0;
  // Steps whose update is applied and whose loss is not read yet (interval > 1).
  let queued: { step: number; loss: QueuedLoss; learningRate: number }[] = [];

  const report = (s: number, result: TrainStepResult, learningRate: number) => {
    lossSum += result.loss;
    stepsDone++;
    const elapsed = (performance.now() - started) / 1000;
    const perStep = elapsed / stepsDone;
    const byEpochs = Number.isFinite(lastEpoch) ? ((lastEpoch - epoch) * stepsPerEpoch - s - 1) * perStep : Infinity;
    const byTime = Number.isFinite(deadline) ? Math.max(0, (deadline - performance.now()) / 1000) : Infinity;
    hooks.onStep?.({
      epoch,
      step: s,
      stepsPerEpoch,
      loss: result.loss,
      etaSeconds: Math.min(byEpochs, byTime),
      learningRate,
    });
  };
  const nanOutcome = (s: number, loss: number): LoopOutcome => ({
    status: 'failed',
    epochs: epoch - startEpoch,
    message: `Training stopped: the loss became ${loss} at epoch ${epoch + 1}, step ${s + 1}. The last good checkpoint is kept; try a lower learning rate.`,
  });
  /** Reads the queued losses; the outcome of the first non-finite one, if any. */
  const flush = async (): Promise<LoopOutcome | null> => {
    if (!queued.length) return null;
    const pending = queued;
    queued = [];
    const results = await readQueuedLosses(pending.map((q) => q.loss));
    if (onGpu) checkWebGpu();
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!;
      if (!r.applied) return nanOutcome(pending[i]!.step, r.loss);
      report(pending[i]!.step, r, pending[i]!.learningRate);
    }
    return null;
  };

  try {
    for (; epoch < lastEpoch; epoch++) {
      const t0 = performance.now();
      const order = shuffled(labeled, random);
      lossSum = 0;
      for (step = 0; step < stepsPerEpoch; step++) {
        const s = step;
        const items = order.slice(s * settings.batchSize, (s + 1) * settings.batchSize);
        const batch = augment
          ? makeBatch(items.map((x) => augmentSample(x, size, random, augment, balance)))
          : makeBatch(
              items.map((x) => atWorkingSize(x, size)),
              items.map(() => settings.flips && random() < 0.5),
            );
        const extra =
          settings.reconstructionWeight > 0 && data.unlabeled?.length
            ? makeBatch(
                shuffled(data.unlabeled, random)
                  .slice(0, settings.batchSize)
                  .map((x) => atWorkingSize(x, size)),
              ).images
            : undefined;
        const args = [
          model,
          optimizer,
          { images: batch.images, labels: batch.labels },
          classWeights,
          batch.sampleWeights,
          {
            reduction: settings.reduction,
            reconstructionWeight: settings.reconstructionWeight,
            ...(extra ? { unlabeledImages: extra } : {}),
            checkLabels: false,
          },
        ] as const;
        const learningRate = scheduleStep();
        try {
          if (interval === 1) {
            const result = await trainStep(...args);
            if (!result.applied) return nanOutcome(s, result.loss);
            if (onGpu) checkWebGpu();
            report(s, result, learningRate);
          } else {
            queued.push({ step: s, loss: trainStepQueued(...args), learningRate });
          }
        } finally {
          tf.dispose([batch.images, batch.labels, ...(extra ? [extra] : [])]);
        }
        const last = s === stepsPerEpoch - 1 || performance.now() > deadline;
        if (queued.length >= interval || last) {
          const bad = await flush();
          if (bad) return bad;
        }
        // Let the process read its messages (a stop request) between steps.
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (hooks.shouldStop?.())
          return { status: 'stopped', epochs: epoch - startEpoch, message: 'Stopped by the user' };
        if (performance.now() > deadline && s < stepsPerEpoch - 1) break; // finish with a validated epoch below
      }
      const bad = await flush();
      if (bad) return bad;
      const val = data.val.length
        ? await evaluate(model, data.val, classWeights, settings.batchSize, settings.reduction, size)
        : null;
      const metricsSource =
        val?.metrics ??
        (await evaluate(model, labeled, classWeights, settings.batchSize, settings.reduction, size)).metrics;
      // A GPU error during the epoch makes its weights suspect: never save them.
      await settleWebGpu();
      const { confusion, ...rest } = metricsSource;
      const working = val ? { workingSizeMeanIoU: val.workingSizeMeanIoU } : {};
      await hooks.onEpoch?.(
        {
          epoch,
          trainLoss: lossSum / stepsPerEpoch,
          valLoss: val ? val.loss : null,
          metrics: { ...rest, confusion: Array.from(confusion.counts), ...working },
          seconds: (performance.now() - t0) / 1000,
        },
        model,
      );
      if (performance.now() > deadline) {
        epoch++;
        return {
          status: 'completed',
          epochs: epoch - startEpoch,
          message: `Time budget of ${settings.minutes} min reached`,
        };
      }
    }
    return { status: 'completed', epochs: epoch - startEpoch, message: `${epoch - startEpoch} epoch(s) done` };
  } catch (e) {
    const gpu = asGpuFailure(e);
    if (!gpu) throw e;
    const where = step < stepsPerEpoch ? `at epoch ${epoch + 1}, step ${step + 1}` : `at the end of epoch ${epoch + 1}`;
    return {
      status: 'failed',
      epochs: epoch - startEpoch,
      message: gpuMessage(
        gpu.kind,
        `Training stopped ${where}: ${gpu.message}`,
        settings,
        `${size.width}x${size.height}`,
      ),
      gpuFailure: gpu.kind,
    };
  } finally {
    for (const q of queued)
      tf.dispose([q.loss.loss, q.loss.segmentationLoss, q.loss.reconstructionLoss].filter((t) => t !== null));
    optimizer.dispose();
  }
}
