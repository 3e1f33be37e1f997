import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { weightedSoftmaxCrossEntropy } from '../../trainer/loss';
import { rng, type Sample } from '../../trainer/run/data';
import { evaluate } from '../../trainer/run/loop';

const C = 3;
// A 1x1 convolution with hand-set weights: logits_c = sum_k K[k][c] * (rgb_k / 127.5 - 1) + bias_c.
const K = [
  [2.0, -1.0, 0.5],
  [-1.5, 2.5, 0.0],
  [0.5, 0.3, -2.0],
];
const BIAS = [0.1, -0.2, 0.3];

function handSetModel(): tf.LayersModel {
  const model = tf.sequential({
    layers: [tf.layers.conv2d({ inputShape: [null, null, 3], filters: C, kernelSize: 1, useBias: true })],
  });
  model.setWeights([tf.tensor4d(K.flat(), [1, 1, 3, C]), tf.tensor1d(BIAS)]);
  return model;
}

/** Softmax of the hand-set model at one working pixel, in double precision. */
function probsAt(rgb: Uint8Array, i: number): number[] {
  const x = [0, 1, 2].map((k) => rgb[i * 3 + k]! / 127.5 - 1);
  const z = [0, 1, 2].map((c) => BIAS[c]! + x.reduce((s, v, k) => s + v * K[k]![c]!, 0));
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Per-class IoU of a confusion matrix `counts[g * C + p]`; NaN for a class in neither labels nor predictions. */
function iouOf(confusion: number[]): number[] {
  return [0, 1, 2].map((c) => {
    const tp = confusion[c * C + c]!;
    const union = [0, 1, 2].reduce((a, k) => a + confusion[c * C + k]! + confusion[k * C + c]!, 0) - tp;
    return union ? tp / union : NaN;
  });
}

/** Bilinear upsampling written out here: pixel centres aligned, source positions clamped to the edges. */
function upsampled(rgb: Uint8Array, rw: number, rh: number, width: number, height: number): number[][] {
  const tap = (x: number, n: number, out: number) => {
    const s = Math.min(n - 1, Math.max(0, ((x + 0.5) * n) / out - 0.5));
    const lo = Math.floor(s);
    return { lo, hi: Math.min(lo + 1, n - 1), f: s - lo };
  };
  const out: number[][] = [];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const tx = tap(x, rw, width);
      const ty = tap(y, rh, height);
      const p = (xx: number, yy: number) => probsAt(rgb, yy * rw + xx);
      const top = p(tx.lo, ty.lo).map((a, c) => a + (p(tx.hi, ty.lo)[c]! - a) * tx.f);
      const bottom = p(tx.lo, ty.hi).map((a, c) => a + (p(tx.hi, ty.hi)[c]! - a) * tx.f);
      out.push(top.map((a, c) => a + (bottom[c]! - a) * ty.f));
    }
  return out;
}

describe('validation at the image’s own size', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('gives the mIoU, per-class IoU and MSE of the probabilities upsampled to the full-size labels (brute force)', async () => {
    const model = handSetModel();
    const r = rng(17);
    const [W, H] = [4, 3];
    const samples: Sample[] = [];
    const fullSizes = [
      [10, 7],
      [9, 5],
    ] as const;
    for (const [fw, fh] of fullSizes) {
      const rgb = Uint8Array.from({ length: W * H * 3 }, () => Math.floor(r() * 256));
      const full = Uint8Array.from({ length: fw * fh }, () => (r() < 0.15 ? 255 : Math.floor(r() * C)));
      // Working-size labels (for the loss only): nearest of the full-size ones.
      const labels = Uint8Array.from({ length: W * H }, (_, i) => {
        const x = Math.floor((((i % W) + 0.5) * fw) / W);
        const y = Math.floor(((Math.floor(i / W) + 0.5) * fh) / H);
        return full[y * fw + x]!;
      });
      samples.push({
        width: W,
        height: H,
        rgb,
        labels,
        sampleWeight: 1,
        full: { width: fw, height: fh, labels: full },
      });
    }

    const got = await evaluate(model, samples, [1, 2, 1], 2, 'weightedMean', { width: W, height: H });

    const confusion = Array.from({ length: C * C }, () => 0);
    let squared = 0;
    let pixels = 0;
    samples.forEach((s, n) => {
      const [fw, fh] = fullSizes[n]!;
      upsampled(s.rgb, W, H, fw, fh).forEach((p, i) => {
        const g = s.full!.labels[i]!;
        if (g === 255) return;
        const pred = p.indexOf(Math.max(...p));
        confusion[g * C + pred]!++;
        p.forEach((v, c) => (squared += (v - (c === g ? 1 : 0)) ** 2));
        pixels++;
      });
    });
    const iou = iouOf(confusion);
    expect(Array.from(got.metrics.confusion.counts)).toEqual(confusion);
    got.metrics.iou.forEach((v, c) => expect(v).toBeCloseTo(iou[c]!, 10));
    expect(got.metrics.meanIoU).toBeCloseTo(iou.reduce((a, b) => a + b, 0) / C, 10);
    expect(got.metrics.mse).toBeCloseTo(squared / (pixels * C), 5);

    // Beside it, the mIoU at the working size: the working pixels' own argmax against the working labels.
    const working = Array.from({ length: C * C }, () => 0);
    for (const s of samples)
      for (let i = 0; i < W * H; i++) {
        const g = s.labels![i]!;
        if (g === 255) continue;
        const p = probsAt(s.rgb, i);
        working[g * C + p.indexOf(Math.max(...p))]!++;
      }
    const present = iouOf(working).filter((v) => !Number.isNaN(v));
    expect(got.workingSizeMeanIoU).toBeCloseTo(present.reduce((a, b) => a + b, 0) / present.length, 10);
    expect(got.workingSizeMeanIoU).not.toBeCloseTo(got.metrics.meanIoU, 3);

    // The loss stays at the working size: the batch's weighted cross-entropy on the working labels.
    const loss = tf.tidy(() => {
      const x = tf.sub(tf.div(tf.tensor4d([...samples[0]!.rgb, ...samples[1]!.rgb], [2, H, W, 3]), 127.5), 1);
      const y = tf.tensor3d([...samples[0]!.labels!, ...samples[1]!.labels!], [2, H, W], 'int32');
      const logits = model.predict(x) as tf.Tensor4D;
      return weightedSoftmaxCrossEntropy(logits, y, [1, 2, 1], { reduction: 'weightedMean' }).dataSync()[0]!;
    });
    expect(got.loss).toBeCloseTo(loss, 5);
    model.dispose();
  });
});
