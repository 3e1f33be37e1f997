/**
 * Starting and following a training run from the app or the CLI. The run itself happens in another
 * process (`trainer/worker.ts`), so a crash or a stuck kernel never takes the UI or the CLI down; the
 * run row is created here first, so even a process that dies at once leaves an honest record.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../core/ipc/errors';
import { trainSettingsSchema, type TrainSettingsInput } from '../../core/training/settings';
import { createRun, finishRun, getRun } from '../../db/runs';
import type { ProjectDb } from '../../db/open';
import type { FromWorker, ToWorker } from '../../trainer/run/protocol';

/** The few things both child_process.fork and Electron's utilityProcess.fork offer. */
export interface WorkerProcess {
  postMessage(msg: ToWorker): void;
  onMessage(fn: (msg: FromWorker) => void): void;
  onExit(fn: (code: number | null) => void): void;
  kill(): void;
}
export type ForkWorker = (modulePath: string) => WorkerProcess;

/** dist/trainer/worker.cjs, built by scripts/build.mjs. */
export function workerPath(distDir: string): string {
  const p = join(distDir, 'trainer', 'worker.cjs');
  if (!existsSync(p)) throw new AppError('IO', `The training worker is not built (${p}); run npm run build`);
  return p;
}

export interface TrainingHandle {
  runId: number;
  stop(): void;
  /** Resolves with the final message when the run ends (completed, stopped or failed). */
  done: Promise<Extract<FromWorker, { type: 'done' }>>;
}

export function startTraining(
  db: ProjectDb,
  projectPath: string,
  settingsInput: TrainSettingsInput,
  fork: ForkWorker,
  modulePath: string,
  onMessage: (msg: FromWorker) => void = () => {},
  nativeBinding?: string,
): TrainingHandle {
  const parsed = trainSettingsSchema.safeParse(settingsInput);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new AppError('INVALID_INPUT', `Training settings: ${i.path.join('.') || 'settings'}: ${i.message}`);
  }
  const runId = createRun(db, parsed.data);
  const child = fork(modulePath);
  let finished: Extract<FromWorker, { type: 'done' }> | null = null;
  const done = new Promise<Extract<FromWorker, { type: 'done' }>>((resolve) => {
    child.onMessage((msg) => {
      if (msg.type === 'done') finished = msg;
      onMessage(msg);
      if (finished) resolve(finished);
    });
    child.onExit((code) => {
      if (finished) return resolve(finished);
      // The process died without a word (crash, out of memory, killed): say so in the run's record.
      const message = `The training process ended unexpectedly (exit code ${code ?? 'none'})`;
      if (getRun(db, runId).status === 'running' || getRun(db, runId).status === 'queued')
        finishRun(db, runId, 'failed', message);
      const msg = { type: 'done' as const, runId, status: 'failed' as const, message };
      onMessage(msg);
      resolve(msg);
    });
  });
  child.postMessage({
    type: 'start',
    projectPath,
    runId,
    settings: parsed.data,
    ...(nativeBinding ? { nativeBinding } : {}),
  });
  return { runId, stop: () => child.postMessage({ type: 'stop' }), done };
}

/** `child_process.fork` as a ForkWorker (the CLI and tests). */
export function nodeFork(modulePath: string): WorkerProcess {
  const child = fork(modulePath, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    postMessage: (m) => child.send(m),
    onMessage: (fn) => child.on('message', (m) => fn(m as FromWorker)),
    onExit: (fn) => child.on('exit', (code) => fn(code)),
    kill: () => child.kill('SIGKILL'),
  };
}
