/** Training through the IPC registry, as the app does it (the training process forked by main). */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainMessage } from '../../core/jobs/train';
import { createAppRegistry } from '../../main/ipc/handlers';
import { nodeFork, workerPath } from '../../services/job-process';
import { findCheckpoint } from '../../services/predict';
import { loadModel, predictProjectImage } from '../../worker/predict';
import { Project } from '../../services/project';
import * as tf from '@tensorflow/tfjs';
import { tempDir } from '../helpers/fixtures';
import { makeProject, SIZE } from '../helpers/training';

const root = join(__dirname, '..', '..');

describe('train.* and runs.* channels', () => {
  const t = tempDir();
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), 'node'], { cwd: root });
  });
  afterAll(() => t.cleanup());

  it('start a run in another process, forward its messages as events, and list it with its epochs', async () => {
    const path = await makeProject(t.dir, 'ipc.maskwright');
    const events: TrainMessage[] = [];
    let finished: () => void = () => {};
    const done = new Promise<void>((resolve) => (finished = resolve));
    const none = async () => null;
    let forks = 0;
    const { registry, session } = createAppRegistry({
      version: 't',
      platform: 'test',
      dataDir: join(t.dir, 'data'),
      dialogs: { createProject: none, openProject: none, pickImages: async () => [], pickFolder: none },
      forkWorker: (m) => (forks++, nodeFork(m)),
      workerModule: workerPath(join(root, 'dist')),
      emit: (event, payload) => {
        if (event !== 'train.message') return;
        events.push(payload as TrainMessage);
        if ((payload as TrainMessage).type === 'done') finished();
      },
    });
    const ok = async (channel: string, payload?: unknown) => {
      const env = await registry.invoke(channel, payload);
      if (!env.ok) throw new Error(`${env.error.code}: ${env.error.message}`);
      return env.value as any;
    };
    await tf.setBackend('cpu');
    await ok('project.open', { grant: session.grants.issue([path], 'project.open') });
    const bad = await registry.invoke('train.start', { settings: { epochs: 0 } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const settings = { width: SIZE, height: SIZE, baseFilters: 4, depth: 2, batchSize: 2, backend: 'cpu', epochs: 1 };
    const { runId } = await ok('train.start', { settings });
    expect(await registry.invoke('train.start', { settings })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    await done;
    expect(events.map((e) => e.type)).toEqual(['started', 'step', 'epoch', 'done']);
    expect(events.at(-1)).toMatchObject({ type: 'done', runId, status: 'completed' });
    expect((await ok('runs.list')).map((r: { id: number; status: string }) => [r.id, r.status])).toEqual([
      [runId, 'completed'],
    ]);
    const epochs = await ok('runs.epochs', { runId });
    expect(epochs).toHaveLength(1);
    expect(epochs[0].metrics.metricsOn).toBe('val');
    expect(await ok('train.stop')).toEqual({ stopping: false });
    const [ckpt] = await ok('runs.checkpoints', { runId });
    expect(ckpt).toMatchObject({ runId, epoch: 0 });
    expect(ckpt.meanIoU).toBe(epochs[0].metrics.meanIoU);
    // Its only epoch, measured on validation images, is its best.
    expect(ckpt).toMatchObject({ metricsOn: 'val', best: true });
    expect(await ok('model.active')).toEqual({ checkpointId: ckpt.id, runId, epoch: 0, chosen: false, basis: 'best' });
    await ok('model.select', { checkpointId: ckpt.id });
    expect(await ok('model.active')).toMatchObject({ checkpointId: ckpt.id, chosen: true, basis: 'chosen' });
    expect(await registry.invoke('model.select', { checkpointId: 999 })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });

    // Predictions run in another process and equal the in-process prediction with the same checkpoint.
    const forksBefore = forks;
    const predicted = await ok('predict.image', { imageId: 1 });
    expect((await ok('predict.image', { imageId: 2 })).imageId).toBe(2);
    // The user moves on while an image is predicted: it answers CANCELLED, and the process stays.
    const moving = registry.invoke('predict.image', { imageId: 3 });
    expect(await ok('predict.cancel')).toEqual({ cancelled: true });
    expect(await moving).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(await ok('predict.cancel')).toEqual({ cancelled: false });
    expect((await ok('predict.image', { imageId: 3 })).imageId).toBe(3);
    expect(forks - forksBefore).toBe(1); // one prediction process for all of them
    expect(predicted).toMatchObject({ imageId: 1, checkpointId: ckpt.id, width: SIZE, height: SIZE });
    expect(predicted.values).toBeInstanceOf(Uint8Array);
    const p = Project.open(path);
    const { model, meta } = await loadModel(findCheckpoint(p.db, ckpt.id));
    const local = await predictProjectImage(p.db, model, meta, 1);
    model.dispose();
    p.close();
    // The worker computes on wasm, this test on cpu: labels may differ only at near-ties of the two classes.
    predicted.values.forEach((v: number, i: number) => {
      if (v !== local.values[i]) expect(local.confidence[i]!).toBeLessThanOrEqual(128);
    });
    predicted.confidence.forEach((c: number, i: number) =>
      expect(Math.abs(c - local.confidence[i]!)).toBeLessThanOrEqual(1),
    );
    const rank = await ok('predict.rank');
    expect(rank.images.map((r: { imageId: number }) => r.imageId).sort()).toEqual([1, 2, 3]);
    // Fully labeled images: nothing to gain; the ties go by id.
    expect(rank.images.map((r: { gain: number }) => r.gain)).toEqual([0, 0, 0]);
    expect(rank.skipped).toEqual([]);
    // Asked again, the ranking comes from the kept scores: no process is started (issue 25, item 3).
    const forksRanked = forks;
    expect(await ok('predict.rank')).toEqual(rank);
    expect(forks).toBe(forksRanked);
    // Image 2's labels cleared: the refresh after an accept scores it again (one process), and the
    // ranking then has it first, unlabeled.
    const n = SIZE * SIZE;
    await ok('labels.save', { imageId: 2, classes: new Uint8Array(n).fill(255), provenance: new Uint8Array(n) });
    expect(await ok('predict.rankRefresh')).toEqual({ refreshing: true });
    const after = await ok('predict.rank');
    expect(forks).toBe(forksRanked + 1);
    expect(after.images[0]).toMatchObject({ imageId: 2, labeledFraction: 0 });
    expect(after.images[0].gain).toBeGreaterThan(0);
    expect(after.images.slice(1).map((r: { imageId: number }) => r.imageId)).toEqual([1, 3]);
    session.close();
  });
});
