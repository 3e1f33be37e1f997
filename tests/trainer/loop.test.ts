import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ScheduledAdam } from '../../trainer/optimizer';
import { buildUNet } from '../../trainer/model';
import { flipRows, type Sample } from '../../trainer/run/data';
import { trainLoop, type EpochResult } from '../../trainer/run/loop';
import { tinyLoopSettings as settings } from '../helpers/training';

const S = 16;
function samples(n: number): Sample[] {
  return Array.from({ length: n }, (_, k) => {
    const rgb = new Uint8Array(S * S * 3);
    const labels = new Uint8Array(S * S);
    for (let i = 0; i < S * S; i++) {
      const top = i < (S * S) / 2;
      rgb.fill(top ? 30 + k : 220 - k, 3 * i, 3 * i + 3);
      labels[i] = top ? 0 : 1;
    }
    labels[0] = 255; // one unlabeled pixel
    return { width: S, height: S, rgb, labels, sampleWeight: 1 };
  });
}
const model = (seed = 3) => buildUNet({ numClasses: 2, baseFilters: 4, depth: 2, dropout: 0.2, seed });

describe('training loop', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('flips rows exactly', () => {
    expect([...flipRows(Uint8Array.from([1, 2, 3, 4, 5, 6]), 3, 2, 1)]).toEqual([3, 2, 1, 6, 5, 4]);
    expect([...flipRows(Uint8Array.from([1, 1, 2, 2]), 2, 1, 2)]).toEqual([2, 2, 1, 1]);
  });

  it('repeats a run exactly with the same seed on one backend, and leaks no tensors', async () => {
    const run = async () => {
      const m = model();
      const losses: number[] = [];
      const before = tf.memory().numTensors;
      await trainLoop(
        m,
        { train: samples(4), val: samples(2) },
        [1, 1],
        { ...settings, epochs: 2 },
        { onStep: (p) => losses.push(p.loss) },
      );
      const leaked = tf.memory().numTensors - before;
      m.dispose();
      return { losses, leaked };
    };
    const a = await run();
    const b = await run();
    expect(a.losses).toHaveLength(4);
    expect(b.losses).toEqual(a.losses);
    expect(a.leaked).toBe(0);
  });

  it('trains on augmented crops of samples kept at twice the working size: repeatable, no tensor leaked', async () => {
    const big = (k: number): Sample => {
      const s = samples(k + 1)[k]!;
      const rgb = new Uint8Array(4 * S * S * 3);
      const labels = new Uint8Array(4 * S * S);
      for (let i = 0; i < 4 * S * S; i++) {
        const src = Math.floor(Math.floor(i / (2 * S)) / 2) * S + Math.floor((i % (2 * S)) / 2);
        rgb.set(s.rgb.subarray(src * 3, src * 3 + 3), i * 3);
        labels[i] = s.labels![src]!;
      }
      return { width: 2 * S, height: 2 * S, rgb, labels, sampleWeight: 1 };
    };
    const run = async (augment: boolean) => {
      const m = model();
      const losses: number[] = [];
      const results: EpochResult[] = [];
      const before = tf.memory().numTensors;
      await trainLoop(
        m,
        { train: [0, 1, 2, 3].map(big), val: samples(2) },
        [1, 1],
        { ...settings, epochs: 1, augment, size: { width: S, height: S } },
        { onStep: (p) => losses.push(p.loss), onEpoch: (e) => void results.push(e) },
      );
      const leaked = tf.memory().numTensors - before;
      m.dispose();
      return { losses, leaked, results };
    };
    const a = await run(true);
    expect(a.losses).toHaveLength(2);
    expect(a.losses.every(Number.isFinite)).toBe(true);
    expect((await run(true)).losses).toEqual(a.losses);
    expect((await run(false)).losses).not.toEqual(a.losses);
    expect(a.leaked).toBe(0);
    // Validation at the working size (the samples have no `full` labels): every labeled pixel counted.
    expect(a.results[0]!.metrics.confusion.reduce((x, y) => x + y, 0)).toBe(2 * (S * S - 1));
  });

  it('stops on a non-finite loss without applying it, keeping the epochs already saved', async () => {
    const m = model();
    const saved: EpochResult[] = [];
    const outcome = await trainLoop(
      m,
      { train: samples(2), val: [] },
      [1, 1],
      { ...settings, epochs: 5 },
      {
        onEpoch(e, mm) {
          saved.push(e);
          // Poison the logits layer after the first epoch: the next loss is NaN.
          const layer = mm.getLayer('logits');
          layer.setWeights(layer.getWeights().map((w) => tf.fill(w.shape, NaN)));
        },
      },
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toMatch(/loss became NaN at epoch 2, step 1/);
    expect(saved.map((e) => e.epoch)).toEqual([0]);
    // Without validation data the epoch's metrics are computed on the training images.
    expect(saved[0]!.valLoss).toBeNull();
    m.dispose();
  });

  it('ends at the time budget with a validated epoch', async () => {
    const m = model();
    const epochs: number[] = [];
    const outcome = await trainLoop(
      m,
      { train: samples(2), val: samples(1) },
      [1, 1],
      { ...settings, minutes: 1e-6 },
      {
        onEpoch: (e) => void epochs.push(e.epoch),
      },
    );
    expect(outcome.status).toBe('completed');
    expect(outcome.message).toMatch(/Time budget/);
    expect(epochs).toEqual([0]);
    m.dispose();
  });

  it('sets each step’s learning rate on the optimizer by the schedule, and reports it', async () => {
    // Spy on the optimizer: the rate it holds when it applies each step's gradients.
    const used: number[] = [];
    const spy = vi.spyOn(ScheduledAdam.prototype, 'applyGradients').mockImplementation(function (this: ScheduledAdam) {
      used.push(this.rate);
    });
    const reported: number[] = [];
    const run = async (schedule: 'cosine' | 'constant', lossReadInterval = 1) => {
      used.length = 0;
      reported.length = 0;
      const m = model();
      // 4 images, batch 2: 2 steps an epoch, 4 epochs: 8 steps.
      await trainLoop(
        m,
        { train: samples(4), val: [] },
        [1, 1],
        { ...settings, epochs: 4, schedule, lossReadInterval },
        { onStep: (p) => void reported.push(p.learningRate) },
      );
      m.dispose();
    };
    try {
      await run('cosine');
      // By hand: step k ends at f = (k+1)/8; warm-up min(1, f/0.03, (k+1)/5); cosine over t = (f-0.03)/0.97.
      const expected = Array.from({ length: 8 }, (_, k) => {
        const f = (k + 1) / 8;
        const t = (f - 0.03) / 0.97;
        return 0.01 * Math.min(1, (k + 1) / 5) * (0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * t)));
      });
      expect(used).toHaveLength(8);
      used.forEach((lr, k) => expect(lr).toBeCloseTo(expected[k]!, 12));
      expect(reported).toEqual(used);
      expect(used[7]).toBeCloseTo(0.01 * 0.01, 12); // the budget ends at the floor
      // Losses read 3 steps at a time (as on webgpu): each step still reports its own rate.
      const once = [...used];
      await run('cosine', 3);
      expect(used).toEqual(once);
      expect(reported).toEqual(once);
      await run('constant');
      expect(used).toEqual(Array(8).fill(0.01));
    } finally {
      spy.mockRestore();
    }
  });

  it('restarts the schedule in a resumed run: a new budget from its first step', async () => {
    const reported: number[] = [];
    const m = model();
    await trainLoop(
      m,
      { train: samples(2), val: [] },
      [1, 1],
      { ...settings, epochs: 2, batchSize: 1, schedule: 'cosine' },
      { onStep: (p) => void reported.push(p.learningRate) },
      7,
    );
    m.dispose();
    // 4 steps: the first is step 0 of this run's warm-up (1/5 of the peak times the cosine at f = 1/4).
    const t = (0.25 - 0.03) / 0.97;
    expect(reported[0]).toBeCloseTo(0.01 * 0.2 * (0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * t))), 12);
  });
});
