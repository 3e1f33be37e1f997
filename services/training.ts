/**
 * Starting and following a training run from the app or the CLI. The run itself happens in another
 * process (`worker/index.ts`), so a crash or a stuck kernel never takes the UI or the CLI down; the
 * run row is created here first, so even a process that dies at once leaves an honest record.
 */
import { AppError, oneLine } from '../core/ipc/errors';
import {
  asRecorded,
  trainSettingsSchema,
  type TrainSettings,
  type TrainSettingsInput,
} from '../core/training/settings';
import { createRun, finishRun, getCheckpoint, getRun } from '../db/runs';
import { assertTrainingReady } from './readiness';
import type { ProjectDb } from '../db/open';
import { architectureOf } from '../core/training/run-settings';
import { backendsJob } from '../core/jobs/backends';
import { trainJob, type TrainMessage } from '../core/jobs/train';
import { request, startJob, type ForkWorker } from './job-process';

import type { BackendStatus } from '../core/training/backends';

/** The backends a training process can use here (`listBackends`), asked of a worker process. */
export async function backendsInProcess(fork: ForkWorker, modulePath: string): Promise<BackendStatus[]> {
  const answer = await request(startJob(backendsJob, fork, modulePath), { type: 'backends' }, 'backends');
  if (!answer.last)
    throw new AppError('INTERNAL', `The backend check ended unexpectedly (exit code ${answer.code ?? 'none'})`);
  return answer.last.list;
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
  const job = startJob(trainJob, fork, modulePath);
  const start = {
    type: 'start' as const,
    projectPath,
    runId,
    settings: parsed.data,
    ...(nativeBinding ? { nativeBinding } : {}),
  };
  const forward = (m: TrainMessage) => {
    if (m.type !== 'done') onMessage(m);
  };
  // The process leaves on its own after `done` (it closes the project first).
  const done = request(job, start, 'done', forward, { exit: false }).then(({ last, ...rest }) => {
    if (last) {
      const msg = { ...last, message: oneLine(last.message) };
      onMessage(msg);
      return msg;
    }
    const code = 'code' in rest ? rest.code : null;
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
    return msg;
  });
  return { runId, stop: () => job.post({ type: 'stop' }), done };
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
    // Unset: the training process takes the checkpoint run's (worker/jobs/train.ts).
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
