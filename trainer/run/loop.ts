/**
 * The training loop: epochs of shuffled, flipped batches through `trainStep`, validation metrics after
 * each epoch, and hooks for progress, checkpoints and stopping. Pure TF.js: no database, no process.
 *
 * Stops when the epoch count or the time budget is reached (whichever comes first), when `shouldStop()`
 * returns true (after the current step), or when a loss is not finite (the bad step is not applied, so
 * the weights are those of the last good step; the last checkpoint is the last completed epoch).
 */
import * as tf from '@tensorflow/tfjs';
import {
  accumulateEvaluation,
  emptyEvaluation,
  evaluationMetrics,
  type EvaluationMetrics,
} from '../../core/training/metrics';
import { weightedSoftmaxCrossEntropy, type LossReduction } from '../loss';
import { trainStep } from '../train-step';
import { makeBatch, rng, shuffled, type Sample } from './data';
import type { EpochResult, StepProgress } from '../../core/training/messages';

export type { EpochResult, StepProgress };

export interface LoopSettings {
  /** Epoch limit; at least one of `epochs` and `minutes` is set. */
  epochs?: number | undefined;
  /** Time budget in minutes, checked after every step; the epoch in progress is then validated and saved. */
  minutes?: number | undefined;
  batchSize: number;
  learningRate: number;
  reduction: LossReduction;
  reconstructionWeight: number;
  flips: boolean;
  seed: number;
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
  | { status: 'failed'; epochs: number; message: string };

/** Validation: loss with the same class weights, and metrics on labeled pixels only. */
export function evaluate(
  model: tf.LayersModel,
  samples: readonly Sample[],
  classWeights: ArrayLike<number>,
  batchSize: number,
  reduction: LossReduction,
): { loss: number; metrics: EvaluationMetrics } {
  const numClasses = (model.outputs[0]!.shape as number[])[3]!;
  const acc = emptyEvaluation(numClasses);
  let lossSum = 0;
  let batches = 0;
  for (let i = 0; i < samples.length; i += batchSize) {
    const batch = makeBatch(samples.slice(i, i + batchSize));
    try {
      const [loss, probs] = tf.tidy(() => {
        const out = model.predict(batch.images) as tf.Tensor | tf.Tensor[];
        const logits = (Array.isArray(out) ? out[0] : out) as tf.Tensor4D;
        return [
          weightedSoftmaxCrossEntropy(logits, batch.labels, classWeights, {
            reduction,
            sampleWeights: batch.sampleWeights,
          }),
          tf.softmax(logits, -1),
        ];
      });
      lossSum += loss.dataSync()[0]!;
      batches++;
      accumulateEvaluation(acc, probs.dataSync(), batch.labels.dataSync());
      tf.dispose([loss, probs]);
    } finally {
      tf.dispose([batch.images, batch.labels]);
    }
  }
  return { loss: batches ? lossSum / batches : NaN, metrics: evaluationMetrics(acc) };
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
  const optimizer = tf.train.adam(settings.learningRate);
  const random = rng(settings.seed);
  const stepsPerEpoch = Math.ceil(labeled.length / settings.batchSize);
  const started = performance.now();
  const deadline = settings.minutes !== undefined ? started + settings.minutes * 60_000 : Infinity;
  const lastEpoch = settings.epochs !== undefined ? startEpoch + settings.epochs : Infinity;
  let stepsDone = 0;
  let epoch = startEpoch;
  try {
    for (; epoch < lastEpoch; epoch++) {
      const t0 = performance.now();
      const order = shuffled(labeled, random);
      let lossSum = 0;
      for (let s = 0; s < stepsPerEpoch; s++) {
        const items = order.slice(s * settings.batchSize, (s + 1) * settings.batchSize);
        const flips = items.map(() => settings.flips && random() < 0.5);
        const batch = makeBatch(items, flips);
        const extra =
          settings.reconstructionWeight > 0 && data.unlabeled?.length
            ? makeBatch(shuffled(data.unlabeled, random).slice(0, settings.batchSize)).images
            : undefined;
        let result;
        try {
          result = trainStep(
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
          );
        } finally {
          tf.dispose([batch.images, batch.labels, ...(extra ? [extra] : [])]);
        }
        if (!result.applied) {
          return {
            status: 'failed',
            epochs: epoch - startEpoch,
            message: `Training stopped: the loss became ${result.loss} at epoch ${epoch + 1}, step ${s + 1}. The last good checkpoint is kept; try a lower learning rate.`,
          };
        }
        lossSum += result.loss;
        stepsDone++;
        const elapsed = (performance.now() - started) / 1000;
        const perStep = elapsed / stepsDone;
        const byEpochs = Number.isFinite(lastEpoch)
          ? ((lastEpoch - epoch) * stepsPerEpoch - s - 1) * perStep
          : Infinity;
        const byTime = Number.isFinite(deadline) ? Math.max(0, (deadline - performance.now()) / 1000) : Infinity;
        hooks.onStep?.({ epoch, step: s, stepsPerEpoch, loss: result.loss, etaSeconds: Math.min(byEpochs, byTime) });
        // Steps are synchronous: let the process read its messages (a stop request) between them.
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (hooks.shouldStop?.())
          return { status: 'stopped', epochs: epoch - startEpoch, message: 'Stopped by the user' };
        if (performance.now() > deadline && s < stepsPerEpoch - 1) break; // finish with a validated epoch below
      }
      const val = data.val.length
        ? evaluate(model, data.val, classWeights, settings.batchSize, settings.reduction)
        : null;
      const metricsSource =
        val?.metrics ?? evaluate(model, labeled, classWeights, settings.batchSize, settings.reduction).metrics;
      const { confusion, ...rest } = metricsSource;
      await hooks.onEpoch?.(
        {
          epoch,
          trainLoss: lossSum / stepsPerEpoch,
          valLoss: val ? val.loss : null,
          metrics: { ...rest, confusion: Array.from(confusion.counts) },
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
  } finally {
    optimizer.dispose();
  }
}
