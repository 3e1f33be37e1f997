import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FastBatchNormalization } from '../../trainer/batch-norm';
import { buildUNet, normalizeImages } from '../../trainer/model';
import { sizeMultiple } from '../../trainer/predict';

function randArray(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s / 2 ** 31) * 4 - 2 + 0.5;
  });
}

describe('U-Net model', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('outputs logits at the input resolution, and a reconstruction when asked', () => {
    const m = buildUNet({ numClasses: 5, baseFilters: 4, depth: 2 });
    const r = buildUNet({ numClasses: 5, baseFilters: 4, depth: 2, reconstruction: true });
    tf.tidy(() => {
      const x = tf.zeros([2, 16, 24, 3]);
      expect((m.predict(x) as tf.Tensor).shape).toEqual([2, 16, 24, 5]);
      const [logits, rec] = r.predict(x) as tf.Tensor[];
      expect(logits!.shape).toEqual([2, 16, 24, 5]);
      expect(rec!.shape).toEqual([2, 16, 24, 3]);
    });
    // The reconstruction head shares the encoder: every encoder weight is in both models' layouts.
    expect(r.layers.filter((l) => l.name.startsWith('enc')).length).toBe(
      m.layers.filter((l) => l.name.startsWith('enc')).length,
    );
    m.dispose();
    r.dispose();
  });

  it('a stem runs the U-Net at 1/stem and still gives every input pixel its logits', () => {
    const B = 4;
    const C = 5;
    const plain = buildUNet({ numClasses: C, baseFilters: B, depth: 2 });
    expect(sizeMultiple(plain)).toBe(4);
    for (const stem of [2, 4]) {
      const m = buildUNet({ numClasses: C, baseFilters: B, depth: 2, stem, reconstruction: true });
      tf.tidy(() => {
        const [logits, rec] = m.predict(tf.zeros([2, 32, 48, 3])) as tf.Tensor[];
        expect(logits!.shape).toEqual([2, 32, 48, C]);
        expect(rec!.shape).toEqual([2, 32, 48, 3]);
      });
      expect(m.getLayer('enc0a_conv').outputShape).toEqual([null, null, null, B]);
      expect(sizeMultiple(m)).toBe(stem * 4);
      // Parameters against the plain model's, by hand: + the stem (stem x stem x 3 x B kernel, batch norm's
      // 4 x B), + the first level's first conv taking B channels instead of 3 (9 x B x B - 9 x 3 x B), + the
      // transposed head (stem x stem x B x C + C) - the 1x1 head (B x C + C), for both heads (C and 3).
      const head = (c: number) => stem * stem * B * c + c - (B * c + c);
      const rebuilt = buildUNet({ numClasses: C, baseFilters: B, depth: 2, reconstruction: true });
      expect(m.countParams() - rebuilt.countParams()).toBe(
        stem * stem * 3 * B + 4 * B + (9 * B * B - 9 * 3 * B) + head(C) + head(3),
      );
      m.dispose();
      rebuilt.dispose();
    }
    expect(() => buildUNet({ numClasses: C, stem: 3 })).toThrow(/stem must be one of 1, 2, 4/);
    plain.dispose();
  });

  it('with a stem of 2, the logits keep detail finer than the U-Net: a pixel checkerboard is learnt exactly', async () => {
    // A constant image whose labels alternate pixel by pixel. Behind a stem of 2 the U-Net has one feature
    // vector per 2x2 block, so the two labels of a block can only come from the transposed head giving each
    // of the block's four pixels its own weights, aligned with the blocks (they start at pixel 0). An
    // upsampling head (nearest or bilinear) could not tell a block's pixels apart.
    const H = 8;
    const labels = tf.oneHot(
      tf.tensor3d(
        Array.from({ length: H * H }, (_, i) => (Math.floor(i / H) + (i % H)) % 2),
        [1, H, H],
        'int32',
      ),
      2,
    );
    const image = tf.ones([1, H, H, 3]);
    const m = buildUNet({ numClasses: 2, baseFilters: 4, depth: 1, stem: 2, dropout: 0, batchNorm: false, seed: 3 });
    const opt = tf.train.adam(0.05);
    for (let i = 0; i < 60; i++)
      opt.minimize(() => tf.losses.softmaxCrossEntropy(labels, m.apply(image, { training: true }) as tf.Tensor));
    const predicted = tf.tidy(() => tf.argMax(m.predict(image) as tf.Tensor, -1).arraySync() as number[][][]);
    expect(predicted[0]).toEqual(Array.from({ length: H }, (_, y) => Array.from({ length: H }, (_, x) => (y + x) % 2)));
    opt.dispose();
    m.dispose();
    tf.dispose([labels, image]);
  });

  it('normalises [0,255] to [-1,1]', () => {
    const v = tf.tidy(() => normalizeImages(tf.tensor4d([0, 127.5, 255], [1, 1, 1, 3])).dataSync());
    expect(Array.from(v)).toEqual([-1, 0, 1]);
  });

  it('dropout is inverted: the expected activation is the same in training and inference', () => {
    const layer = tf.layers.dropout({ rate: 0.3, seed: 7 });
    const n = 200_000;
    const [trainMean, zeroFrac, scaled, inferEqual] = tf.tidy(() => {
      const x = tf.ones([1, n]);
      const yTrain = layer.apply(x, { training: true }) as tf.Tensor;
      const yInfer = layer.apply(x, { training: false }) as tf.Tensor;
      const v = yTrain.dataSync();
      let zeros = 0;
      let kept = 0;
      for (const a of v) {
        if (a === 0) zeros++;
        else kept = a;
      }
      return [tf.mean(yTrain).dataSync()[0]!, zeros / n, kept, tf.all(tf.equal(yInfer, x)).dataSync()[0]!];
    });
    expect(zeroFrac).toBeGreaterThan(0.28);
    expect(zeroFrac).toBeLessThan(0.32);
    expect(scaled).toBeCloseTo(1 / 0.7, 5); // kept units are scaled by 1/(1-p) at train time
    expect(trainMean).toBeGreaterThan(0.99);
    expect(trainMean).toBeLessThan(1.01);
    expect(inferEqual).toBe(1);
  });

  it("the model's dropout draws a new mask at every training call, repeatably for a seed, and saves as Dropout", () => {
    const m = buildUNet({ numClasses: 2, baseFilters: 4, depth: 1, dropout: 0.5 });
    const layer = m.getLayer('mid_dropout');
    const differ = tf.tidy(() => {
      const x = tf.ones([1, 64, 64, 8]);
      const a = layer.apply(x, { training: true }) as tf.Tensor;
      const b = layer.apply(x, { training: true }) as tf.Tensor;
      return tf.any(tf.notEqual(a, b)).dataSync()[0];
    });
    expect(differ).toBe(1);
    // Two models with the same seed draw the same sequence of masks.
    const masks = (seed: number) => {
      const mm = buildUNet({ numClasses: 2, baseFilters: 4, depth: 1, dropout: 0.5, seed });
      const l = mm.getLayer('mid_dropout');
      const out = tf.tidy(() => {
        const x = tf.ones([1, 16, 16, 8]);
        return [0, 1].map((k) =>
          Array.from((l.apply(x, { training: true }) as tf.Tensor).dataSync()).join(k ? '|' : ','),
        );
      });
      expect(l.getClassName()).toBe('Dropout');
      mm.dispose();
      return out;
    };
    expect(masks(5)).toEqual(masks(5));
    expect(masks(5)).not.toEqual(masks(6));
    m.dispose();
  });

  it('FastBatchNormalization matches the stock layer in training: output, gradients, moving statistics', () => {
    const shape = [2, 3, 4, 5];
    const xv = randArray(2 * 3 * 4 * 5, 3);
    const make = (fast: boolean) => {
      const args = { axis: -1, momentum: 0.9, epsilon: 1e-3, gammaInitializer: 'ones' as const };
      const l = fast ? new FastBatchNormalization(args) : tf.layers.batchNormalization(args);
      l.build(shape);
      l.setWeights([tf.tensor1d([1, 2, 0.5, -1, 3]), tf.tensor1d([0, 1, -1, 0.5, 2]), tf.zeros([5]), tf.ones([5])]);
      return l;
    };
    const run = (l: tf.layers.Layer) =>
      tf.tidy(() => {
        const x = tf.tensor(xv, shape);
        const [g0, g1, g2] = l.getWeights();
        const up = tf.randomUniform(shape, -1, 1, 'float32', 11);
        const f = (a: tf.Tensor) => tf.sum(tf.mul(l.apply(a, { training: true }) as tf.Tensor, up));
        const y = (l.apply(x, { training: true }) as tf.Tensor).dataSync();
        const dx = tf.grad(f)(x).dataSync();
        const vars = l.trainableWeights.map((w) => w.read() as tf.Variable);
        const { grads } = tf.variableGrads(() => f(x) as tf.Scalar, vars);
        const dw = vars.map((v) => Array.from(grads[v.name]!.dataSync()));
        void g0;
        void g1;
        void g2;
        return {
          y: Array.from(y),
          dx: Array.from(dx),
          dw,
          stats: l
            .getWeights()
            .slice(2)
            .map((t) => Array.from(t.dataSync())),
        };
      });
    const a = run(make(false));
    const b = run(make(true));
    const close = (p: number[], q: number[]) => p.forEach((v, i) => expect(q[i]!).toBeCloseTo(v, 4));
    close(a.y, b.y);
    close(a.dx, b.dx);
    close(a.dw[0]!, b.dw[0]!);
    close(a.dw[1]!, b.dw[1]!);
    close(a.stats[0]!, b.stats[0]!);
    close(a.stats[1]!, b.stats[1]!);
  });

  it.each([1, 2])('saves and loads in the TF.js layers format as stock layers (stem %i)', async (stem) => {
    const m = buildUNet({ numClasses: 3, baseFilters: 4, depth: 1, seed: 5, stem });
    const json = m.toJSON(null, false) as { config: { layers: { class_name: string }[] } };
    expect(json.config.layers.some((l) => l.class_name === 'BatchNormalization')).toBe(true);
    let saved: tf.io.ModelArtifacts | undefined;
    await m.save(
      tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: {} as tf.io.ModelArtifactsInfo })),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const x = tf.randomUniform([1, 8, 8, 3], -1, 1, 'float32', 2);
    const p = m.predict(x) as tf.Tensor;
    const q = loaded.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(p, q))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, p, q]);
    m.dispose();
    loaded.dispose();
  });
});
