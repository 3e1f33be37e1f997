/**
 * Batches for training: seeded shuffling, horizontal flips, augmented crops (`./augment.ts`), and typed
 * arrays turned into tensors. Samples are plain arrays (`rgb`: H*W*3 bytes, `labels`: H*W class indices,
 * 255 = unlabeled).
 */
import * as tf from '@tensorflow/tfjs';
import type { Sample } from '../../core/training/sample';
import { normalizeImages } from '../model';

export type { Sample };

/** mulberry32: a small, fast, seedable PRNG in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Mirrors rows left-right: `channels` bytes per pixel. O(w*h*channels). */
export function flipRows(src: Uint8Array, width: number, height: number, channels: number): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let y = 0; y < height; y++) {
    const row = y * width * channels;
    for (let x = 0; x < width; x++) {
      const s = row + x * channels;
      const d = row + (width - 1 - x) * channels;
      for (let c = 0; c < channels; c++) out[d + c] = src[s + c]!;
    }
  }
  return out;
}

export interface BatchTensors {
  images: tf.Tensor4D;
  labels: tf.Tensor3D;
  sampleWeights: number[];
}

/** Builds one batch; `flip[i]` mirrors sample i. The caller disposes the tensors. */
export function makeBatch(samples: readonly Sample[], flip: readonly boolean[] = []): BatchTensors {
  const { width: W, height: H } = samples[0]!;
  const rgb = new Uint8Array(samples.length * W * H * 3);
  const lab = new Int32Array(samples.length * W * H).fill(255);
  samples.forEach((s, i) => {
    if (s.width !== W || s.height !== H) throw new RangeError('samples of one batch must share a size');
    rgb.set(flip[i] ? flipRows(s.rgb, W, H, 3) : s.rgb, i * W * H * 3);
    if (s.labels) lab.set(flip[i] ? flipRows(s.labels, W, H, 1) : s.labels, i * W * H);
  });
  const images = tf.tidy(() => normalizeImages(tf.tensor4d(rgb, [samples.length, H, W, 3], 'float32')));
  const labels = tf.tensor3d(lab, [samples.length, H, W], 'int32');
  return { images, labels, sampleWeights: samples.map((s) => s.sampleWeight) };
}
