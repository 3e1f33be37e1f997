/**
 * Prediction in its own process (issue 11, blocker 2): a 6000 x 4000 image's prediction (48 MB of
 * labels and confidence) reaches the parent whole, the worker leaves only after its last message was
 * delivered, errors travel as codes, and ranking for "Label next" skips (and reports) an image that
 * fails instead of failing for the whole project.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importImages } from '../../services/import-images';
import { Project } from '../../services/project';
import { PredictionWorker, scoreInProcess } from '../../services/prediction-worker';
import { startTraining } from '../../services/training';
import { nodeFork, workerPath, type ForkWorker } from '../../services/job-process';
import type { PredictMessage as FromWorker, PredictRequest as ToWorker } from '../../core/jobs/predict';
import { newPredictionCache, runPrediction } from '../../worker/jobs/predict';
import { tempDir } from '../helpers/fixtures';
import { buildTrainingWorker, makeProject, SIZE, TINY_TRAINING } from '../helpers/training';

const root = join(__dirname, '..', '..');

describe('prediction process', () => {
  const t = tempDir();
  let path = '';
  let module = '';
  let bigId = 0;
  const BIG_W = 6000;
  const BIG_H = 4000;

  beforeAll(async () => {
    buildTrainingWorker();
    module = workerPath(join(root, 'dist'));
    path = await makeProject(t.dir, 'predict.maskwright');
    const p = Project.open(path);
    try {
      const settings = { ...TINY_TRAINING, epochs: 1 };
      const done = await startTraining(p.db, path, settings, nodeFork, module).done;
      expect(done.status).toBe('completed');
      // Left half dark, right half bright, like the training images: 24 megapixels.
      const row = Buffer.alloc(BIG_W * 3);
      for (let x = 0; x < BIG_W; x++) row.fill(x < BIG_W / 2 ? 50 : 210, 3 * x, 3 * x + 3);
      const raw = Buffer.alloc(BIG_W * BIG_H * 3);
      for (let y = 0; y < BIG_H; y++) row.copy(raw, y * BIG_W * 3);
      const png = await sharp(raw, { raw: { width: BIG_W, height: BIG_H, channels: 3 } })
        .png({ compressionLevel: 1 })
        .toBuffer();
      const r = await importImages(p.db, [{ name: 'big.png', read: async () => png }]);
      bigId = r.imported[0]!.id;
    } finally {
      p.close();
    }
  }, 300_000);
  afterAll(() => t.cleanup());

  it('delivers the whole prediction of a 6000 x 4000 image', async () => {
    const worker = new PredictionWorker(path, nodeFork, module);
    const p = (await worker.predictImage(bigId).finally(() => worker.close())).prediction;
    expect([p.width, p.height]).toEqual([BIG_W, BIG_H]);
    expect(p.values).toBeInstanceOf(Uint8Array);
    expect(p.confidence).toBeInstanceOf(Uint8Array);
    expect(p.values.length).toBe(BIG_W * BIG_H);
    expect(p.confidence.length).toBe(BIG_W * BIG_H);
    // The confidence bytes are the probabilities x 255: their mean is the reported mean confidence.
    let sum = 0;
    for (let i = 0; i < p.confidence.length; i++) sum += p.confidence[i]!;
    expect(Math.abs(sum / p.confidence.length / 255 - p.meanConfidence)).toBeLessThan(1 / 255);
  }, 300_000);

  it('ranks by expected gain and skips (and reports) an image that fails', async () => {
    const p = Project.open(path);
    const png = await sharp(Buffer.alloc(SIZE * SIZE * 3, 90), { raw: { width: SIZE, height: SIZE, channels: 3 } })
      .png()
      .toBuffer();
    const broken = (await importImages(p.db, [{ name: 'broken.png', read: async () => png }])).imported[0]!.id;
    p.db.prepare('UPDATE image_blobs SET original = ? WHERE image_id = ?').run(Buffer.from('not an image'), broken);
    p.close();
    const r = await scoreInProcess(path, [1, broken, 2, 3], nodeFork, module);
    expect(r.scores.map((s) => s.imageId)).toEqual([1, 2, 3]);
    // The three training images are fully labeled: nothing to gain, whatever the model thinks.
    for (const s of r.scores) expect([s.labeledFraction, s.gain]).toEqual([1, 0]);
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toMatchObject({ imageId: broken, error: { code: expect.any(String) } });
    expect(r.failures[0]!.error.message.length).toBeGreaterThan(0);
  }, 300_000);

  it('one process serves successive predictions, and the same prediction as a fresh one', async () => {
    let forks = 0;
    const counting: ForkWorker = (m) => (forks++, nodeFork(m));
    const worker = new PredictionWorker(path, counting, module);
    try {
      const a = await worker.predictImage(1);
      const b = await worker.predictImage(2);
      const again = await worker.predictImage(1);
      expect(forks).toBe(1);
      expect(worker.running).toBe(true);
      expect([a.prediction.imageId, b.prediction.imageId]).toEqual([1, 2]);
      expect([a.prediction.width, a.prediction.height]).toEqual([SIZE, SIZE]);
      // The kept model predicts exactly what a freshly started process predicts.
      const fresh = new PredictionWorker(path, nodeFork, module);
      const f = await fresh.predictImage(1).finally(() => fresh.close());
      expect(Buffer.from(again.prediction.values).equals(Buffer.from(f.prediction.values))).toBe(true);
      expect(Buffer.from(a.prediction.confidence).equals(Buffer.from(f.prediction.confidence))).toBe(true);
    } finally {
      worker.close();
    }
    expect(worker.running).toBe(false);
  }, 120_000);

  it('in the worker: the model is kept between requests, and a cancelled request stops before its next image', async () => {
    const sent: FromWorker[] = [];
    const channel = { send: (m: FromWorker) => sent.push(m) };
    const cache = newPredictionCache();
    await runPrediction({ type: 'predict', requestId: 1, projectPath: path, imageIds: [1] }, channel, cache);
    const kept = cache.model;
    expect(kept).not.toBeNull();
    let cancelled = false;
    const after = (m: FromWorker) => {
      sent.push(m);
      if (m.type === 'prediction') cancelled = true; // the user moves on after the first image
    };
    await runPrediction(
      { type: 'predict', requestId: 2, projectPath: path, imageIds: [1, 2, 3] },
      { send: after },
      cache,
      () => cancelled,
    );
    expect(cache.model).toBe(kept); // same checkpoint: not loaded again
    const second = sent.filter((m) => 'requestId' in m && m.requestId === 2);
    expect(second.map((m) => m.type)).toEqual(['prediction', 'predictDone']);
    expect(second[1]).toMatchObject({ error: { code: 'CANCELLED' } });
    cache.model?.model.dispose();
  }, 120_000);

  it('says NOT_FOUND, by code, when there is no trained model', async () => {
    const other = join(t.dir, 'untrained.maskwright');
    Project.create(other).close();
    const worker = new PredictionWorker(other, nodeFork, module);
    await expect(worker.predictImage(1)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    worker.close();
    await expect(scoreInProcess(other, [1], nodeFork, module)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  }, 60_000);
});

/** A stand-in prediction process that scores images in order and dies on `crashOn`. */
function fakeFork(crashOn: Set<number>, log: number[][]): ForkWorker {
  return () => {
    let onMessage: (m: FromWorker) => void = () => {};
    let onExit: (code: number | null) => void = () => {};
    return {
      postMessage(msg: ToWorker) {
        if (msg.type !== 'predict') return;
        log.push(msg.imageIds);
        setTimeout(() => {
          for (const imageId of msg.imageIds) {
            if (crashOn.has(imageId)) return onExit(null);
            onMessage({ type: 'predictionScore', imageId, gain: imageId / 10, labeledFraction: 0, meanConfidence: 1 });
          }
          onMessage({ type: 'predictDone', checkpointId: 7, backend: 'fake', error: null });
        }, 0);
      },
      onMessage: (fn) => (onMessage = fn),
      onExit: (fn) => (onExit = fn),
      kill() {},
    };
  };
}

describe('scoreInProcess', () => {
  it('carries on in a fresh process after an image takes one down, and reports that image', async () => {
    const log: number[][] = [];
    const r = await scoreInProcess('p', [1, 2, 3, 4, 5], fakeFork(new Set([2, 4]), log), 'm');
    expect(log).toEqual([[1, 2, 3, 4, 5], [3, 4, 5], [5]]);
    expect(r.scores.map((s) => s.imageId)).toEqual([1, 3, 5]);
    expect(r.failures.map((f) => [f.imageId, f.error.code])).toEqual([
      [2, 'INTERNAL'],
      [4, 'INTERNAL'],
    ]);
    expect(r.failures[0]!.error.message).toMatch(/ended unexpectedly \(exit code none\)/);
    expect(r.checkpointId).toBe(7);
  });
});

/**
 * A stand-in long-lived prediction process: answers each `predict` after `delayMs` (unless cancelled
 * first), dies on an image in `crashOn`, and records what it was sent.
 */
function fakeLongLived(crashOn: Set<number>, sent: ToWorker[], delayMs = 5) {
  let forks = 0;
  let exits = 0;
  const fork: ForkWorker = () => {
    forks++;
    let onMessage: (m: FromWorker) => void = () => {};
    let onExit: (code: number | null) => void = () => {};
    const cancelled = new Set<number>();
    let dead = false;
    return {
      postMessage(msg: ToWorker) {
        sent.push(msg);
        if (dead) return;
        if (msg.type === 'cancel') cancelled.add(msg.requestId);
        if (msg.type === 'exit') {
          dead = true;
          exits++;
          setTimeout(() => onExit(0), 0);
        }
        if (msg.type !== 'predict') return;
        const requestId = msg.requestId!;
        const imageId = msg.imageIds[0]!;
        setTimeout(() => {
          if (dead) return;
          if (crashOn.has(imageId)) {
            dead = true;
            return onExit(null);
          }
          if (cancelled.has(requestId)) {
            const error = { code: 'CANCELLED' as const, message: 'Prediction cancelled' };
            return onMessage({ type: 'predictDone', requestId, checkpointId: 7, backend: 'fake', error });
          }
          const values = Uint8Array.from([imageId, imageId]);
          const confidence = Uint8Array.from([255, 255]);
          onMessage({
            type: 'prediction',
            requestId,
            imageId,
            width: 2,
            height: 1,
            values,
            confidence,
            meanConfidence: 1,
          });
          onMessage({ type: 'predictDone', requestId, checkpointId: 7, backend: 'fake', error: null });
        }, delayMs);
      },
      onMessage: (fn) => (onMessage = fn),
      onExit: (fn) => (onExit = fn),
      kill() {},
    };
  };
  return { fork, forks: () => forks, exits: () => exits };
}

describe('PredictionWorker', () => {
  it('serves successive images from one process', async () => {
    const sent: ToWorker[] = [];
    const f = fakeLongLived(new Set(), sent);
    const w = new PredictionWorker('p', f.fork, 'm');
    expect((await w.predictImage(1)).prediction.values).toEqual(Uint8Array.from([1, 1]));
    expect((await w.predictImage(2)).prediction.values).toEqual(Uint8Array.from([2, 2]));
    expect((await w.predictImage(3)).checkpointId).toBe(7);
    expect(f.forks()).toBe(1);
    expect(sent.filter((m) => m.type === 'predict').map((m) => (m as { imageIds: number[] }).imageIds)).toEqual([
      [1],
      [2],
      [3],
    ]);
    w.close();
  });

  it('a request for another image cancels the pending one; the same image again shares it', async () => {
    const sent: ToWorker[] = [];
    const f = fakeLongLived(new Set(), sent, 20);
    const w = new PredictionWorker('p', f.fork, 'm');
    const first = w.predictImage(1);
    const same = w.predictImage(1);
    expect(same).toBe(first);
    const second = w.predictImage(2);
    await expect(first).rejects.toMatchObject({ code: 'CANCELLED' });
    expect((await second).prediction.imageId).toBe(2);
    // The worker was told, so it can skip the cancelled image's work.
    const predicts = sent.filter((m) => m.type === 'predict') as { requestId: number }[];
    expect(sent).toContainEqual({ type: 'cancel', requestId: predicts[0]!.requestId });
    expect(predicts).toHaveLength(2);
    expect(f.forks()).toBe(1);
    w.close();
  });

  it('a process that dies fails the pending request in words, and the next request starts a fresh one', async () => {
    const f = fakeLongLived(new Set([13]), []);
    const w = new PredictionWorker('p', f.fork, 'm');
    await w.predictImage(1);
    await expect(w.predictImage(13)).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringMatching(/^The prediction process ended unexpectedly \(exit code none\)/),
    });
    expect(w.running).toBe(false);
    expect((await w.predictImage(2)).prediction.imageId).toBe(2);
    expect(f.forks()).toBe(2);
    w.close();
  });

  it('close ends the process and cancels what was pending; nothing starts after', async () => {
    const sent: ToWorker[] = [];
    const f = fakeLongLived(new Set(), sent, 20);
    const w = new PredictionWorker('p', f.fork, 'm');
    await w.predictImage(1);
    const pending = w.predictImage(2);
    w.close();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(sent.at(-1)).toEqual({ type: 'exit' });
    expect(f.exits()).toBe(1);
    expect(w.running).toBe(false);
    await expect(w.predictImage(3)).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(f.forks()).toBe(1);
  });
});
