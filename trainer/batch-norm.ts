/**
 * Batch normalisation over the channel (last) axis with a fused training-mode gradient.
 *
 * A subclass of tf.layers' `BatchNormalization`: same weights (gamma, beta, moving mean and variance),
 * same config and the same class name, so a saved model loads as a stock `BatchNormalization` and
 * inference is the stock code path. Only the training-mode forward/backward differ: the stock layer goes
 * through `tf.moments` and the `FusedBatchNorm` kernel, whose gradient tiles the inverse standard
 * deviation to the full activation shape and differentiates mean and variance separately (about 20
 * full-size passes per layer, and on wasm a slow `Tile`). Here one `tf.customGrad` computes, with
 * N = B*H*W, mean m, centred xc = x - m, variance v = mean(xc^2) (biased, as Keras), r = 1/sqrt(v + eps):
 *
 *   y  = xc * (gamma * r) + beta
 *   dbeta  = sum(dy),   dgamma = r * sum(dy * xc)
 *   dx = gamma * r * (dy - dbeta / N - xc * r^2 * dgamma / (r * N))
 *      = k * dy + a * xc + c,  k = gamma * r,  a = -k * r * dgamma / N,  c = -k * dbeta / N
 *
 * Moving statistics are updated as in Keras: moving = moving - (moving - batch) * (1 - momentum).
 */
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, fusedBatchNormSupported } from './wasm';

interface LayerVariableLike {
  read(): tf.Tensor;
  write(value: tf.Tensor): void;
}

interface BatchNormInternals {
  gamma: LayerVariableLike | null;
  beta: LayerVariableLike | null;
  movingMean: LayerVariableLike;
  movingVariance: LayerVariableLike;
  epsilon: number;
  momentum: number;
  axis: number;
}

type BatchNormCtor = new (args: Record<string, unknown>) => tf.layers.Layer;

const StockBatchNormalization = (tf.layers.batchNormalization({}) as object).constructor as BatchNormCtor;

/** The same computation as fused wasm SIMD kernels (`./wasm/simd.ts`). */
function batchNormTrainFused(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  let mean: tf.Tensor | null = null;
  let variance: tf.Tensor | null = null;
  const f = tf.customGrad((...args: (tf.Tensor | ((s: tf.Tensor[]) => void))[]) => {
    const [xi, g, b] = args as tf.Tensor[];
    const save = args[3] as (s: tf.Tensor[]) => void;
    const [y, m, v] = tf
      .engine()
      .runKernel(BATCH_NORM_TRAIN, { x: xi!, gamma: g!, beta: b! }, { epsilon }) as tf.Tensor[];
    mean = tf.keep(m!);
    variance = tf.keep(v!);
    save([xi!, m!, v!, g!]);
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, ms, vs, gs] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return tf
          .engine()
          .runKernel(
            BATCH_NORM_TRAIN_GRAD,
            { dy: dy as tf.Tensor, x: xs, mean: ms, variance: vs, gamma: gs },
            { epsilon },
          ) as tf.Tensor[];
      },
    };
  });
  const y = f(x, gamma, beta) as tf.Tensor;
  return { y, mean: mean!, variance: variance! };
}

/**
 * Training-mode batch norm over the last axis: fused wasm kernels where supported, composite ops elsewhere.
 * `mean` and `variance` are kept tensors (outside any tidy): the caller disposes them.
 */
export function batchNormTrain(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  if (x.dtype === 'float32' && fusedBatchNormSupported(x.shape[x.rank - 1]!)) {
    return batchNormTrainFused(x, gamma, beta, epsilon);
  }
  return batchNormTrainComposite(x, gamma, beta, epsilon);
}

/** Exported for the tests: the composite-ops path every backend can run. */
export function batchNormTrainComposite(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  const rank = x.rank;
  const axes = Array.from({ length: rank - 1 }, (_, i) => i);
  const n = x.size / x.shape[rank - 1]!;
  let mean: tf.Tensor | null = null;
  let variance: tf.Tensor | null = null;
  const f = tf.customGrad((...args: (tf.Tensor | ((s: tf.Tensor[]) => void))[]) => {
    const [xi, g, b] = args as tf.Tensor[];
    const save = args[3] as (s: tf.Tensor[]) => void;
    const m = tf.div(tf.sum(xi!, axes), n);
    const xc = tf.sub(xi!, m);
    const v = tf.div(tf.sum(tf.square(xc), axes), n);
    const r = tf.rsqrt(tf.add(v, epsilon));
    const y = tf.add(tf.mul(xc, tf.mul(g!, r)), b!);
    mean = tf.keep(m);
    variance = tf.keep(v);
    save([xc, r, g!]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xcS, rS, gS] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const d = dy as tf.Tensor;
        const dbeta = tf.sum(d, axes);
        const dgamma = tf.mul(tf.sum(tf.mul(d, xcS), axes), rS);
        const k = tf.mul(gS, rS);
        const a = tf.div(tf.mul(tf.neg(tf.mul(k, rS)), dgamma), n);
        const c = tf.div(tf.neg(tf.mul(k, dbeta)), n);
        const dx = tf.add(tf.add(tf.mul(d, k), tf.mul(xcS, a)), c);
        return [dx, dgamma, dbeta];
      },
    };
  });
  const y = f(x, gamma, beta) as tf.Tensor;
  return { y, mean: mean!, variance: variance! };
}

export class FastBatchNormalization extends StockBatchNormalization {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as BatchNormInternals;
    const input = Array.isArray(inputs) ? inputs[0]! : inputs;
    const axis = self.axis < 0 ? self.axis + input.rank : self.axis;
    if (!kwargs['training'] || axis !== input.rank - 1 || !self.gamma || !self.beta) {
      return super.call(inputs, kwargs);
    }
    return tf.tidy(() => {
      const { y, mean, variance } = batchNormTrain(input, self.gamma!.read(), self.beta!.read(), self.epsilon);
      const decay = 1 - self.momentum;
      for (const [variable, value] of [
        [self.movingMean, mean],
        [self.movingVariance, variance],
      ] as const) {
        const old = variable.read();
        variable.write(tf.sub(old, tf.mul(tf.sub(old, value), decay)));
      }
      tf.dispose([mean, variance]);
      return y;
    });
  }
}

/** Drop-in for `tf.layers.batchNormalization` (channels-last) with the fused training gradient. */
export function fastBatchNormalization(args: { axis?: number; momentum?: number; epsilon?: number; name?: string }) {
  return new FastBatchNormalization(args) as tf.layers.Layer;
}
