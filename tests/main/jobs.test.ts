// The worker process runs one job per process, chosen by the parent's first request (worker/index.ts),
// and each parent parses the answers with its job's schema (services/job-process.ts).
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { predictJob } from '../../core/jobs/predict';
import { nodeFork, request, startJob, workerPath, type ForkWorker } from '../../services/job-process';
import { backendsInProcess } from '../../services/training';
import { buildTrainingWorker } from '../helpers/training';

const root = join(__dirname, '..', '..');

describe('worker jobs', () => {
  let module = '';
  beforeAll(() => {
    buildTrainingWorker();
    module = workerPath(join(root, 'dist'));
  }, 120_000);

  it('the backends job lists every backend, the CPU one available, and the process leaves when told', async () => {
    let exited: number | null | undefined;
    const fork: ForkWorker = (m) => {
      const child = nodeFork(m);
      child.onExit((code) => (exited = code));
      return child;
    };
    const list = await backendsInProcess(fork, module);
    expect(list.map((b) => b.name)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
    expect(list.find((b) => b.name === 'cpu')?.available).toBe(true);
    await expect.poll(() => exited).toBe(0);
  }, 60_000);

  it("a first request no job takes ends the process, and the parent's request says so by its exit code", async () => {
    const job = startJob(predictJob, nodeFork, module);
    const errors: unknown[] = [];
    const answer = await request(
      job,
      // Not a predict request (imageIds are numbers): no job takes it.
      { type: 'predict', projectPath: '/nowhere', imageIds: ['1'] as unknown as number[] },
      'predictDone',
      (m) => errors.push(m),
    );
    expect(answer).toEqual({ last: null, code: 1 });
    expect(errors).toEqual([]);
  }, 60_000);
});
