/**
 * A training run (the worker's code, in this process) whose GPU is lost mid-run: the run is recorded as
 * failed with a message that names the settings to lower, its saved epochs and checkpoint are kept, and
 * the `continueOn` it offers resumes on the next backend from that checkpoint for the remaining epochs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainMessage } from '../../core/jobs/train';
import { createRun, getRun, listCheckpoints, listEpochs } from '../../db/runs';
import { Project } from '../../services/project';
import { webGpuDevice } from '../../trainer/webgpu';
import { runTraining } from '../../worker/jobs/train';
import { tempDir } from '../helpers/fixtures';
import { makeProject, SIZE } from '../helpers/training';
import { webGpuSuite } from '../helpers/webgpu';

const settings = {
  width: SIZE,
  height: SIZE,
  baseFilters: 4,
  depth: 2,
  batchSize: 2,
  learningRate: 0.01,
  epochs: 4,
};

async function train(path: string, raw: object, onStep?: (n: number) => void) {
  const project = Project.open(path);
  const runId = createRun(project.db, raw);
  project.close();
  const messages: TrainMessage[] = [];
  let steps = 0;
  const channel = {
    send: (m: TrainMessage) => {
      messages.push(m);
      if (m.type === 'step') onStep?.(++steps);
    },
    onMessage: () => {},
  };
  await runTraining(path, runId, raw, channel, { stop: false });
  const done = messages.find((m) => m.type === 'done') as Extract<TrainMessage, { type: 'done' }>;
  return { runId, messages, done };
}

describe('a training run whose GPU is lost', () => {
  const t = tempDir();
  const suite = webGpuSuite();
  afterAll(() => t.cleanup());

  it('fails with the settings to lower, keeps its checkpoint, and continues on the next backend from it', async ({
    skip: skipTest,
  }) => {
    if (suite.skipped()) return skipTest();
    const path = await makeProject(t.dir, 'gpu.maskwright');
    // One step per epoch (2 training images, batch 2): the device goes in the second epoch.
    const first = await train(path, { ...settings, backend: 'webgpu' }, (n) => {
      if (n === 2) webGpuDevice()!.destroy();
    });
    expect(first.done.status).toBe('failed');
    expect(first.done.message).toMatch(/the GPU device was lost/);
    expect(first.done.message).toMatch(/batch size \(now 2\) or the working size \(now 32x32\)/);
    expect(first.done.message).toMatch(/last good checkpoint \(epoch 1\) is kept: continue on wasm/);
    const project = Project.open(path);
    try {
      expect(getRun(project.db, first.runId)).toMatchObject({ status: 'failed', message: first.done.message });
      expect(listEpochs(project.db, first.runId).map((e) => e.epoch)).toEqual([0]);
      const [checkpoint] = listCheckpoints(project.db, first.runId);
      expect(first.done.continueOn).toEqual({
        backend: 'wasm',
        resumeFrom: checkpoint!.id,
        settings: expect.objectContaining({ backend: 'wasm', resumeFrom: checkpoint!.id, epochs: 3, batchSize: 2 }),
      });
    } finally {
      project.close();
    }
    // "Continue on wasm": the remaining three epochs, numbered on from the checkpoint.
    const second = await train(path, first.done.continueOn!.settings);
    expect(second.done).toMatchObject({ status: 'completed' });
    const p2 = Project.open(path);
    try {
      expect(getRun(p2.db, second.runId).backend).toMatch(/^wasm/);
      expect(listEpochs(p2.db, second.runId).map((e) => e.epoch)).toEqual([1, 2, 3]);
    } finally {
      p2.close();
    }
  });
});
