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
import type { FromWorker, PredictionMessage, ToWorker } from '../../trainer/run/protocol';
import type { TrainMessage } from '../../core/training/messages';

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

/**
 * Predicts images in a separate process (TF.js inference would block the main process otherwise).
 * Resolves with one prediction per image, in the order given.
 */
export function predictInProcess(
  projectPath: string,
  imageIds: readonly number[],
  fork: ForkWorker,
  modulePath: string,
  checkpointId?: number,
  nativeBinding?: string,
): Promise<{ predictions: PredictionMessage[]; checkpointId: number | null; backend: string }> {
  const child = fork(modulePath);
  const predictions: PredictionMessage[] = [];
  return new Promise((resolve, reject) => {
    let settled = false;
    child.onMessage((msg) => {
      if (msg.type === 'prediction') predictions.push(msg);
      else if (msg.type === 'predictDone') {
        settled = true;
        if (msg.error)
          reject(new AppError(msg.error.includes('no trained model') ? 'NOT_FOUND' : 'INTERNAL', msg.error));
        else resolve({ predictions, checkpointId: msg.checkpointId, backend: msg.backend });
      }
    });
    child.onExit((code) => {
      if (!settled)
        reject(new AppError('INTERNAL', `The prediction process ended unexpectedly (exit code ${code ?? 'none'})`));
    });
    child.postMessage({
      type: 'predict',
      projectPath,
      imageIds: [...imageIds],
      ...(checkpointId !== undefined ? { checkpointId } : {}),
      ...(nativeBinding ? { nativeBinding } : {}),
    });
  });
}

export interface TrainingHandle {
  runId: number;
  stop(): void;
  /** Resolves with the final message when the run ends (completed, stopped or failed). */
  done: Promise<Extract<TrainMessage, { type: 'done' }>>;
}

export function startTraining(
  db: ProjectDb,
  projectPath: string,
  settingsInput: TrainSettingsInput,
  fork: ForkWorker,
  modulePath: string,
  onMessage: (msg: TrainMessage) => void = () => {},
  nativeBinding?: string,
): TrainingHandle {
  const parsed = trainSettingsSchema.safeParse(settingsInput);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new AppError('INVALID_INPUT', `Training settings: ${i.path.join('.') || 'settings'}: ${i.message}`);
  }
  const runId = createRun(db, parsed.data);
  const child = fork(modulePath);
  let finished: Extract<TrainMessage, { type: 'done' }> | null = null;
  const done = new Promise<Extract<TrainMessage, { type: 'done' }>>((resolve) => {
    child.onMessage((m) => {
      if (m.type === 'prediction' || m.type === 'predictDone') return;
      const msg = m;
      if (msg.type === 'done') finished = msg;
      onMessage(msg);
      if (finished) resolve(finished);
    });
    child.onExit((code) => {
      if (finished) return resolve(finished);
      // The process died without a word: killed by a signal (no exit code: the user, the out-of-memory
      // killer) interrupts the run, its checkpoints stay usable; an exit code means it crashed.
      const status = code === null ? ('interrupted' as const) : ('failed' as const);
      const message =
        code === null
          ? 'Interrupted: the training process was killed; the checkpoints of its finished epochs are usable'
          : `The training process ended unexpectedly (exit code ${code})`;
      try {
        const now = getRun(db, runId).status;
        if (now === 'running' || now === 'queued') finishRun(db, runId, status, message);
      } catch {
        // A busy or closed project: the next open marks the run (markDeadRuns).
      }
      const msg = { type: 'done' as const, runId, status, message };
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
  // 'advanced' = structured clone, as Electron's utilityProcess: byte arrays stay byte arrays.
  const child = fork(modulePath, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  return {
    postMessage: (m) => child.send(m),
    onMessage: (fn) => child.on('message', (m) => fn(m as FromWorker)),
    onExit: (fn) => child.on('exit', (code) => fn(code)),
    kill: () => child.kill('SIGKILL'),
  };
}
