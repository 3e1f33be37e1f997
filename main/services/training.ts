/**
 * Starting and following a training run from the app or the CLI. The run itself happens in another
 * process (`worker/index.ts`), so a crash or a stuck kernel never takes the UI or the CLI down; the
 * run row is created here first, so even a process that dies at once leaves an honest record.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, oneLine } from '../../core/ipc/errors';
import {
  asRecorded,
  trainSettingsSchema,
  type TrainSettings,
  type TrainSettingsInput,
} from '../../core/training/settings';
import { createRun, finishRun, getCheckpoint, getRun } from '../../db/runs';
import { assertTrainingReady } from './readiness';
import type { ProjectDb } from '../../db/open';
import { parseFromWorker, type FromWorker, type ToWorker } from '../../core/training/protocol';
import type { TrainMessage } from '../../core/training/messages';
import { architectureOf } from '../../core/training/run-settings';
import type { BackendStatus } from '../../core/training/backends';

/** The few things both child_process.fork and Electron's utilityProcess.fork offer. */
export interface WorkerProcess {
  postMessage(msg: ToWorker): void;
  onMessage(fn: (msg: FromWorker) => void): void;
  onExit(fn: (code: number | null) => void): void;
  kill(): void;
}
export type ForkWorker = (modulePath: string) => WorkerProcess;

/** dist/worker/index.cjs, built by scripts/build.mjs. */
export function workerPath(distDir: string): string {
  const p = join(distDir, 'worker', 'index.cjs');
  if (!existsSync(p)) throw new AppError('IO', `The training worker is not built (${p}); run npm run build`);
  return p;
}

/** The backends a training process can use here (`listBackends`), asked of a worker process. */
export function backendsInProcess(fork: ForkWorker, modulePath: string): Promise<BackendStatus[]> {
  const child = fork(modulePath);
  return new Promise((resolve, reject) => {
    let settled = false;
    child.onMessage((msg) => {
      if (msg.type !== 'backends') return;
      settled = true;
      resolve(msg.list);
      child.postMessage({ type: 'exit' });
    });
    child.onExit((code) => {
      if (!settled)
        reject(new AppError('INTERNAL', `The backend check ended unexpectedly (exit code ${code ?? 'none'})`));
    });
    child.postMessage({ type: 'backends' });
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
  if (parsed.data.resumeFrom !== undefined) checkResumable(db, parsed.data);
  assertTrainingReady(db, parsed.data.sources);
  const runId = createRun(db, parsed.data);
  const child = fork(modulePath);
  let finished: Extract<TrainMessage, { type: 'done' }> | null = null;
  const done = new Promise<Extract<TrainMessage, { type: 'done' }>>((resolve) => {
    child.onMessage((m) => {
      if (m.type === 'prediction' || m.type === 'predictionScore' || m.type === 'predictionFailed') return;
      if (m.type === 'predictDone' || m.type === 'backends') return;
      const msg = m.type === 'done' ? { ...m, message: oneLine(m.message) } : m;
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

/**
 * Refuses to resume from a checkpoint whose model has another shape (the table's architecture settings,
 * core/training/run-settings.ts), before a run is recorded: the weights would not load (and the failure
 * would be a page of tensor shapes).
 */
export function checkResumable(db: ProjectDb, settings: TrainSettings): void {
  const c = getCheckpoint(db, settings.resumeFrom!);
  const before = trainSettingsSchema.safeParse(getRun(db, c.runId).settings);
  if (!before.success) return; // an old run's settings: the worker's own check still applies
  const recorded = architectureOf(asRecorded(before.data));
  architectureOf(settings).forEach(({ words, value }, i) => {
    // Unset: the training process takes the checkpoint run's (worker/index.ts).
    if (value === undefined) return;
    const was = recorded[i]!.value;
    if (was !== value) {
      throw new AppError(
        'INVALID_INPUT',
        `Cannot resume from checkpoint ${c.id}: it was trained with ${words} ${String(was)}, this run asks for ${String(value)}; resume with the same model settings`,
      );
    }
  });
}

/**
 * A message handler that parses what the worker sent (core/training/protocol.ts). A message that fails
 * its schema is a broken worker: it is said on stderr and the process is ended, so the caller sees an
 * exit (a crash) instead of waiting for a message that will never pass.
 */
export function receiveFromWorker(fn: (msg: FromWorker) => void, kill: () => void): (raw: unknown) => void {
  return (raw) => {
    let msg: FromWorker;
    try {
      msg = parseFromWorker(raw);
    } catch (err) {
      console.error(oneLine(err instanceof Error ? err.message : String(err)));
      kill();
      return;
    }
    fn(msg);
  };
}

/** `child_process.fork` as a ForkWorker (the CLI and tests). */
export function nodeFork(modulePath: string): WorkerProcess {
  // 'advanced' = structured clone, as Electron's utilityProcess: byte arrays stay byte arrays.
  const child = fork(modulePath, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  return {
    postMessage: (m) => child.send(m),
    onMessage: (fn) =>
      child.on(
        'message',
        receiveFromWorker(fn, () => child.kill('SIGKILL')),
      ),
    onExit: (fn) => child.on('exit', (code) => fn(code)),
    kill: () => child.kill('SIGKILL'),
  };
}
