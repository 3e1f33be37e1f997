/**
 * U-Net for semantic segmentation, built with the tf.layers functional API.
 *
 * Why layers and not raw ops with variables: a `tf.LayersModel` saves and loads in the TF.js layers format
 * (model.json + weights) with its architecture, handles batch-norm moving statistics and the
 * training/inference switch of dropout (`model.apply(x, { training: true })`), and needs no
 * hand-written parameter bookkeeping; the training step still controls the loss, gradients and
 * optimizer itself (`trainer/train-step.ts`).
 *
 * Batch norm is `FastBatchNormalization` (`./batch-norm.ts`): the stock layer's weights, config and
 * class name with a fused training-mode gradient.
 *
 * Layout (NHWC): `depth` encoder levels of [conv3x3 (no bias) -> batch norm -> ReLU] x 2 followed by
 * 2x2 max-pooling, with `baseFilters * 2^level` channels; a bottleneck of the same double conv with
 * `2^depth * baseFilters` channels followed by (inverted) dropout; `depth` decoder levels of
 * 2x2/stride-2 transposed convolution -> concatenation with the encoder skip -> double conv; a 1x1
 * convolution to `numClasses` logits (no softmax: the loss takes logits).
 *
 * Stem (`stem` > 1): the U-Net then runs at 1/stem of the input's height and width, so it costs about
 * 1/stem^2 as much per image. In front, a stem x stem convolution with stride stem (3 -> `baseFilters`
 * channels, batch norm, ReLU) turns each stem x stem block of input pixels into one pixel of the first
 * level; at the end, a stem x stem transposed convolution with stride stem replaces the 1x1 logits
 * convolution (and the reconstruction's) and gives every input pixel its own logits again (each block's
 * pixels have their own weights, so the output keeps detail below the U-Net's resolution). The blocks of
 * the two layers coincide, so the output is aligned with the input. Outputs have the input's size
 * whatever the stem.
 *
 * Optional reconstruction (autoencoder) head, sharing the encoder: from the bottleneck, `depth` levels of
 * 2x2/stride-2 transposed convolution -> conv-BN-ReLU, WITHOUT skip connections (with skips the
 * reconstruction would be trivial), then a 1x1 convolution to 3 channels that predicts the normalised
 * input image. With the head the model has two outputs: [logits, reconstruction].
 *
 * Input normalisation: the model takes float RGB already normalised by `normalizeImages`
 * (x / 127.5 - 1, so [0, 255] -> [-1, 1]); the reconstruction target is that same normalised image.
 * Height and width must be multiples of stem * 2^depth (core's `inputMultiple`).
 */
import * as tf from '@tensorflow/tfjs';
import { STEMS } from '../core/training/settings';
import { fastBatchNormalization } from './batch-norm';
import { SeededDropout } from './dropout';

export interface UNetConfig {
  numClasses: number;
  /** Channels of the first level (default 16). */
  baseFilters?: number;
  /** Number of 2x down-sampling levels (default 3). */
  depth?: number;
  /** Down-sampling of the stem: one of STEMS, 1 (none) by default; see the header. */
  stem?: number;
  /** Dropout rate after the bottleneck (default 0.1; 0 disables). */
  dropout?: number;
  /** Batch normalisation after each 3x3 convolution (default true). */
  batchNorm?: boolean;
  /** Adds the reconstruction head (second output). */
  reconstruction?: boolean;
  /** Fixed input height/width, or null for any multiple of 2^depth (default null). */
  inputSize?: [number, number] | null;
  /** Seed of the weight initialisers and of the dropout masks (default 1). */
  seed?: number;
}

export const INPUT_NORMALIZATION = 'x / 127.5 - 1 (RGB in [0, 255] -> [-1, 1])';

/** Normalises RGB images in [0, 255] (any numeric dtype) to the model's input range [-1, 1], float32. */
export function normalizeImages(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.sub(tf.div(tf.cast(images, 'float32'), 127.5), 1));
}

export function buildUNet(config: UNetConfig): tf.LayersModel {
  const base = config.baseFilters ?? 16;
  const depth = config.depth ?? 3;
  const stem = config.stem ?? 1;
  const dropout = config.dropout ?? 0.1;
  const bn = config.batchNorm ?? true;
  let seed = config.seed ?? 1;
  if (!Number.isInteger(config.numClasses) || config.numClasses < 2) throw new RangeError('numClasses must be >= 2');
  if (!Number.isInteger(depth) || depth < 1 || depth > 6) throw new RangeError('depth must be in 1..6');
  if (dropout < 0 || dropout >= 1) throw new RangeError('dropout must be in [0, 1)');
  if (!(STEMS as readonly number[]).includes(stem)) throw new RangeError(`stem must be one of ${STEMS.join(', ')}`);
  const init = () => tf.initializers.heNormal({ seed: seed++ });
  const [h, w] = config.inputSize ?? [null, null];
  const input = tf.input({ shape: [h, w, 3], name: 'image' });

  const convBnRelu = (x: tf.SymbolicTensor, filters: number, name: string, stride = 1): tf.SymbolicTensor => {
    let y = tf.layers
      .conv2d({
        filters,
        kernelSize: stride > 1 ? stride : 3,
        strides: stride,
        padding: stride > 1 ? 'valid' : 'same',
        useBias: !bn,
        kernelInitializer: init(),
        name: `${name}_conv`,
      })
      .apply(x) as tf.SymbolicTensor;
    // Momentum 0.9 (PyTorch's default; Keras uses 0.99): with the few hundred steps a CPU run makes, 0.99
    // leaves the moving statistics near their initial values and inference far from training.
    if (bn) y = fastBatchNormalization({ axis: -1, momentum: 0.9, name: `${name}_bn` }).apply(y) as tf.SymbolicTensor;
    return tf.layers.reLU({ name: `${name}_relu` }).apply(y) as tf.SymbolicTensor;
  };
  const double = (x: tf.SymbolicTensor, filters: number, name: string) =>
    convBnRelu(convBnRelu(x, filters, `${name}a`), filters, `${name}b`);
  const up = (x: tf.SymbolicTensor, filters: number, name: string) =>
    tf.layers
      .conv2dTranspose({ filters, kernelSize: 2, strides: 2, padding: 'valid', kernelInitializer: init(), name })
      .apply(x) as tf.SymbolicTensor;

  /** The output layer: per pixel at stem 1, per pixel of each stem x stem block otherwise. */
  const head = (x: tf.SymbolicTensor, filters: number, name: string) =>
    (stem > 1
      ? tf.layers.conv2dTranspose({
          filters,
          kernelSize: stem,
          strides: stem,
          padding: 'valid',
          kernelInitializer: init(),
          name,
        })
      : tf.layers.conv2d({ filters, kernelSize: 1, kernelInitializer: init(), name })
    ).apply(x) as tf.SymbolicTensor;

  const skips: tf.SymbolicTensor[] = [];
  let x: tf.SymbolicTensor = stem > 1 ? convBnRelu(input, base, 'stem', stem) : input;
  for (let l = 0; l < depth; l++) {
    x = double(x, base * 2 ** l, `enc${l}`);
    skips.push(x);
    x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `pool${l}` }).apply(x) as tf.SymbolicTensor;
  }
  let bottleneck = double(x, base * 2 ** depth, 'mid');
  if (dropout > 0) {
    // Repeatable masks: a new one at every step, drawn from `seed`-derived seeds (see ./dropout.ts).
    bottleneck = new SeededDropout(dropout, (config.seed ?? 1) * 1_000_003, 'mid_dropout').apply(
      bottleneck,
    ) as tf.SymbolicTensor;
  }
  x = bottleneck;
  for (let l = depth - 1; l >= 0; l--) {
    x = up(x, base * 2 ** l, `up${l}`);
    x = tf.layers.concatenate({ axis: -1, name: `cat${l}` }).apply([x, skips[l]!]) as tf.SymbolicTensor;
    x = double(x, base * 2 ** l, `dec${l}`);
  }
  const outputs = [head(x, config.numClasses, 'logits')];
  if (config.reconstruction) {
    let r = bottleneck;
    for (let l = depth - 1; l >= 0; l--) {
      r = up(r, base * 2 ** l, `rec_up${l}`);
      r = convBnRelu(r, base * 2 ** l, `rec${l}`);
    }
    outputs.push(head(r, 3, 'reconstruction'));
  }
  return tf.model({ inputs: input, outputs, name: 'unet' });
}
