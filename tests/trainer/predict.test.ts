import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importImages } from '../../services/import-images';
import { workingRgb } from '../../services/decode';
import type { CheckpointMeta } from '../../core/training/checkpoint';
import { predictProjectImage } from '../../worker/predict';
import { buildUNet } from '../../trainer/model';
import { planAxis, predictTiled, type Net, type RgbImage } from '../../trainer/predict';
import { tempProject } from '../helpers/project';

/** Smooth structure plus a little deterministic noise, so the network's output varies over the image. */
function pattern(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let s = 7;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      const i = (y * width + x) * 3;
      data[i] = 128 + 100 * Math.sin(x / 9) * Math.cos(y / 13);
      data[i + 1] = (x * 255) / width;
      data[i + 2] = (s >> 16) & 63;
    }
  }
  return { data, width, height };
}

/** Counts the network calls and their input shapes. */
function counting(model: Net): Net & { shapes: number[][] } {
  const shapes: number[][] = [];
  return {
    shapes,
    layers: model.layers,
    predict: (x, args) => {
      shapes.push((x as tf.Tensor).shape);
      return model.predict(x, args);
    },
  };
}

/**
 * Reference by brute force: the whole working image through the network at once, softmax, TensorFlow.js's
 * own bilinear resize (pixel centres aligned) to the output size, then argmax and max.
 */
function bruteForce(model: Net, img: RgbImage, width: number, height: number) {
  return tf.tidy(() => {
    const x = tf.sub(tf.div(tf.tensor4d(img.data, [1, img.height, img.width, 3], 'float32'), 127.5), 1);
    const probs = tf.softmax(model.predict(x) as tf.Tensor4D, -1) as tf.Tensor4D;
    const up = tf.image.resizeBilinear(probs, [height, width], false, true);
    const top2 = tf.topk(up, 2);
    const v = top2.values.dataSync();
    return {
      classes: tf.argMax(up, -1).dataSync(),
      confidence: tf.max(up, -1).dataSync(),
      gap: Float32Array.from({ length: width * height }, (_, i) => v[2 * i]! - v[2 * i + 1]!),
    };
  });
}

/** A stand-in network whose probabilities are given per working pixel (logits = log p). */
function fixedNet(probs: (x: number, y: number) => number[], layout: { x0: () => number; y0: () => number }): Net {
  return {
    predict: (input) => {
      const [, h, w] = (input as tf.Tensor).shape as number[];
      const out: number[] = [];
      for (let y = 0; y < h!; y++)
        for (let x = 0; x < w!; x++) out.push(...probs(layout.x0() + x, layout.y0() + y).map(Math.log));
      return tf.tensor4d(out, [1, h!, w!, out.length / (h! * w!)]);
    },
  };
}

describe('prediction at any size (tiles, probability upsampling)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('upsamples probabilities, not labels, with pixel centres aligned (hand-computed)', async () => {
    // Working image 2x1 with p = [0.8, 0.2] and [0.35, 0.65]; output 4x1. Source positions of the output
    // pixel centres: (x + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
    const p = [
      [0.8, 0.2],
      [0.35, 0.65],
    ];
    const net = fixedNet((x) => p[x]!, { x0: () => 0, y0: () => 0 });
    const r = await predictTiled(net, { data: new Uint8Array(6), width: 2, height: 1 }, 4, 1, {
      tile: [1, 2],
      multiple: 1,
      margin: 0,
      overlap: 1,
    });
    // x=1: 0.75*0.8 + 0.25*0.35 = 0.6875 -> class 0, 175.3 -> 175; x=2: 0.4625 / 0.5375 -> class 1, 137.1 -> 137.
    // (A label upsampling would give class 0 twice and class 1 twice too, but confidences 204, 204, 166, 166.)
    expect(Array.from(r.classes)).toEqual([0, 0, 1, 1]);
    expect(Array.from(r.confidence)).toEqual([204, 175, 137, 166]);
  });

  it('plans tiles that cover every pixel, overlap as asked and sit on the down-sampling grid', () => {
    for (const n of [1, 7, 64, 65, 100, 257, 1000])
      for (const [tile, overlap, multiple] of [
        [64, 16, 8],
        [64, 52, 4],
        [32, 9, 1],
      ] as const) {
        const { offsets, size } = planAxis(n, tile, overlap, multiple);
        expect(size % multiple).toBe(0);
        expect(offsets[0]).toBe(0);
        if (n <= tile) {
          expect(offsets).toEqual([0]);
          expect(size).toBeGreaterThanOrEqual(n);
          continue;
        }
        expect(offsets.at(-1)).toBe(n - tile);
        for (let i = 1; i < offsets.length; i++) {
          expect(offsets[i - 1]! + tile - offsets[i]!).toBeGreaterThanOrEqual(overlap);
          expect(offsets[i]!).toBeGreaterThan(offsets[i - 1]!);
          if (i < offsets.length - 1) expect(offsets[i]! % multiple).toBe(0);
        }
      }
  });

  it('tiled equals untiled (brute force) when the margin covers the receptive field', async () => {
    // Depth 2: receptive field radius 2+1+4+2+8+4+2 = 23 pixels; offsets on the 4-pixel pooling grid.
    const model = buildUNet({ numClasses: 3, baseFilters: 4, depth: 2, dropout: 0, seed: 3 });
    const img = pattern(96, 80);
    const [W, H] = [203, 171];
    const net = counting(model);
    const tiled = await predictTiled(net, img, W, H, { tile: [64, 64], margin: 24, overlap: 52 });
    expect(net.shapes.length).toBe(5 * 3); // 96 -> offsets 0,8,16,24,32; 80 -> 0,8,16
    expect(net.shapes.every((s) => s.join() === '1,64,64,3')).toBe(true);
    const ref = bruteForce(model, img, W, H);
    let compared = 0;
    for (let i = 0; i < W * H; i++) {
      expect(Math.abs(tiled.confidence[i]! - Math.round(255 * ref.confidence[i]!))).toBeLessThanOrEqual(1);
      if (ref.gap[i]! < 1e-4) continue;
      expect(tiled.classes[i]).toBe(ref.classes[i]);
      compared++;
    }
    expect(compared).toBeGreaterThan(0.99 * W * H);
    expect(new Set(tiled.classes).size).toBeGreaterThan(1); // a real map, not one class everywhere
    model.dispose();
  });

  it('blends overlapping tiles: no seam where tiles disagree', async () => {
    // A stand-in network whose tiles disagree: they answer p = 0.6 and 0.95 for class 0 in turn (153 and
    // 242 levels of confidence). Blended over a 12-pixel ramp the confidence changes by a few levels per
    // pixel; with a 1-pixel ramp (a cut) it jumps by a third of the difference or more.
    let calls = 0;
    const net: Net = {
      predict: (input) => {
        const [, h, w] = (input as tf.Tensor).shape as number[];
        const p = calls++ % 2 === 0 ? 0.6 : 0.95;
        return tf.tidy(() => tf.log(tf.stack([tf.fill([1, h!, w!], p), tf.fill([1, h!, w!], 1 - p)], -1)));
      },
    };
    const width = 200;
    const img: RgbImage = { data: new Uint8Array(width * 8 * 3), width, height: 8 };
    const profile = async (margin: number, overlap: number) => {
      calls = 0;
      const r = await predictTiled(net, img, width, 8, { tile: [8, 64], margin, overlap, multiple: 1 });
      const row = Array.from(r.confidence.subarray(3 * width, 4 * width));
      return {
        tiles: calls,
        maxJump: Math.max(...row.slice(1).map((c, x) => Math.abs(c - row[x]!))),
        range: [Math.min(...row), Math.max(...row)],
      };
    };
    const blended = await profile(2, 16);
    const cut = await profile(2, 5);
    expect(blended.tiles).toBeGreaterThanOrEqual(4);
    expect(blended.range).toEqual([153, 242]); // each tile's own value where it alone counts
    expect(cut.maxJump).toBeGreaterThanOrEqual(29);
    expect(blended.maxJump).toBeLessThanOrEqual(Math.ceil(89 / 12) + 1);
  });

  describe('a project image of 24 megapixels', () => {
    const t = tempProject();
    afterAll(() => t.close());

    it('predicts at full size from the working scale, matching a per-pixel hand computation', async () => {
      const [W, H] = [6000, 4000];
      const png = await sharp(Buffer.from(pattern(60, 40).data), { raw: { width: 60, height: 40, channels: 3 } })
        .resize(W, H, { kernel: 'linear' })
        .png({ compressionLevel: 1 })
        .toBuffer();
      const report = await importImages(t.project.db, [{ name: 'big.png', read: async () => png }]);
      expect(report.errors).toEqual([]);
      const id = report.imported[0]!.id;
      const model = buildUNet({ numClasses: 2, baseFilters: 4, depth: 2, dropout: 0, seed: 5 });
      const meta = { inputSize: [64, 96], classValues: [3, 7] } as unknown as CheckpointMeta;
      const p = await predictProjectImage(t.project.db, model, meta, id);
      expect([p.width, p.height, p.values.length, p.confidence.length]).toEqual([W, H, W * H, W * H]);

      // Reference: working-scale probabilities of the whole 96x64 image, then bilinear by hand per pixel.
      const working = await workingRgb(png, 96, 64);
      const probs = tf.tidy(() => {
        const x = tf.sub(tf.div(tf.tensor4d(working.data, [1, 64, 96, 3], 'float32'), 127.5), 1);
        return tf.softmax(model.predict(x) as tf.Tensor, -1).dataSync();
      });
      const tap = (o: number, n: number, out: number) => {
        const s = Math.max(0, ((o + 0.5) * n) / out - 0.5);
        const lo = Math.min(Math.floor(s), n - 1);
        return [lo, Math.min(lo + 1, n - 1), s - lo] as const;
      };
      const seen = new Set<number>();
      for (let k = 0; k < 4000; k++) {
        const x = (k * 7919) % W;
        const y = (k * 104729) % H;
        const [x0, x1, fx] = tap(x, 96, W);
        const [y0, y1, fy] = tap(y, 64, H);
        const at = (xx: number, yy: number) => probs[(yy * 96 + xx) * 2]!;
        const p0 =
          (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x1, y0)) + fy * ((1 - fx) * at(x0, y1) + fx * at(x1, y1));
        const i = y * W + x;
        expect(Math.abs(p.confidence[i]! - Math.round(255 * Math.max(p0, 1 - p0)))).toBeLessThanOrEqual(1);
        if (Math.abs(p0 - 0.5) > 1e-4) expect(p.values[i]).toBe(p0 > 0.5 ? 3 : 7);
        seen.add(p.values[i]!);
      }
      expect(seen).toEqual(new Set([3, 7]));
      expect(p.meanConfidence).toBeCloseTo(p.confidence.reduce((s, c) => s + c, 0) / 255 / (W * H), 6);
      model.dispose();
    });
  });
});
