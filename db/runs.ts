/** Training runs, their per-epoch metrics and their checkpoints. */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { AppError } from '../core/ipc/errors';
import type { CheckpointSummary, EpochSummary, RunSummary } from '../core/ipc/contract';
import { checkpointMetaSchema, type CheckpointMeta } from '../core/training/checkpoint';
import { bestEpoch, parseEpochMetrics, type EpochMetricsRecord } from '../core/training/epoch-metrics';
import { parseRunSettings, type StoredRunSettings } from '../core/training/run-settings';
import { writeTransaction, type ProjectDb } from './open';

/** A run as the project file holds it: the contract's RunSummary (one type for both sides of IPC). */
export type RunRow = RunSummary;
export type RunStatus = RunSummary['status'];
export type EpochRow = EpochSummary;

export interface CheckpointRow {
  id: number;
  runId: number;
  epoch: number;
  /** TF.js layers-format model topology (JSON). */
  modelTopology: unknown;
  /** Concatenated weight data; its layout is `metadata.weightSpecs`. */
  weights: Uint8Array;
  metadata: CheckpointMeta;
  createdAt: string;
}

const now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

interface RawRun {
  id: number;
  status: RunStatus;
  settings: string;
  backend: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  message: string | null;
}
const toRun = (r: RawRun): RunRow => ({
  id: r.id,
  status: r.status,
  settings: parseRunSettings(JSON.parse(r.settings)),
  backend: r.backend,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  message: r.message,
});

/**
 * Queues a run owned by this process (the app or the command that starts the training process), with its
 * settings as given: the training process validates them, and reading them back types them
 * (parseRunSettings).
 */
export function createRun(db: ProjectDb, settings: object): number {
  return writeTransaction(db, () =>
    Number(
      db
        .prepare(
          `INSERT INTO training_runs (status, settings, pid, host, heartbeat_at) VALUES ('queued', ?, ?, ?, ${now})`,
        )
        .run(JSON.stringify(settings), process.pid, hostname()).lastInsertRowid,
    ),
  );
}

export function getRun(db: ProjectDb, id: number): RunRow {
  const r = db.prepare('SELECT * FROM training_runs WHERE id = ?').get(id) as RawRun | undefined;
  if (!r) throw new AppError('NOT_FOUND', `No training run ${id}`);
  return toRun(r);
}

export function listRuns(db: ProjectDb): RunRow[] {
  return (db.prepare('SELECT * FROM training_runs ORDER BY id').all() as RawRun[]).map(toRun);
}

/**
 * The training process takes the run over: from now on its pid and heartbeat prove the run alive.
 * `settings`: what the run uses, the queued settings with the backend's defaults filled in (they replace
 * the stored ones, which they contain).
 */
export function startRun(db: ProjectDb, id: number, backend: string, settings?: StoredRunSettings): void {
  writeTransaction(db, () => {
    db.prepare(
      `UPDATE training_runs SET status = 'running', backend = ?, started_at = ${now},
         pid = ?, host = ?, heartbeat_at = ${now} WHERE id = ?`,
    ).run(backend, process.pid, hostname(), id);
    if (settings !== undefined)
      db.prepare('UPDATE training_runs SET settings = ? WHERE id = ?').run(JSON.stringify(settings), id);
  });
}

/**
 * The training process says it is alive (every few seconds). Never waits for a lock: a beat that meets
 * a busy project is skipped (the next one will do), so the heartbeat never stalls training.
 */
export function heartbeat(db: ProjectDb, id: number): boolean {
  try {
    db.prepare(`UPDATE training_runs SET heartbeat_at = ${now} WHERE id = ? AND pid = ?`).run(id, process.pid);
    return true;
  } catch {
    return false;
  }
}

export function finishRun(
  db: ProjectDb,
  id: number,
  status: Exclude<RunStatus, 'queued' | 'running'>,
  message: string | null,
): void {
  writeTransaction(db, () =>
    db
      .prepare(`UPDATE training_runs SET status = ?, message = ?, finished_at = ${now} WHERE id = ?`)
      .run(status, message, id),
  );
}

/**
 * A heartbeat older than this means the run's process is gone even when its pid seems alive (a reused
 * pid, or another computer sharing the file). Generous: one training step on a slow backend may keep the
 * process from beating for minutes.
 */
export const HEARTBEAT_STALE_MS = 15 * 60_000;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by another user
  }
  // A killed process whose parent has not reaped it yet (a zombie) still answers signal 0.
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || state === 'X') return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * Marks runs whose process is gone as `interrupted` (their checkpoints stay usable): queued or running
 * runs whose owner process no longer exists on this computer, or whose heartbeat is older than
 * HEARTBEAT_STALE_MS. Called whenever a command or window opens the project. Never throws (a read-only
 * or busy project just keeps the rows as they are); returns the runs marked.
 */
export function markDeadRuns(db: ProjectDb, nowMs = Date.now()): number {
  try {
    const rows = db
      .prepare("SELECT id, pid, host, heartbeat_at FROM training_runs WHERE status IN ('queued', 'running')")
      .all() as { id: number; pid: number | null; host: string | null; heartbeat_at: string | null }[];
    const here = hostname();
    const dead = rows.filter((r) => {
      const beat = r.heartbeat_at ? Date.parse(r.heartbeat_at) : NaN;
      if (!(nowMs - beat < HEARTBEAT_STALE_MS)) return true;
      return r.host === here && (r.pid === null || !pidAlive(r.pid));
    });
    if (!dead.length) return 0;
    const mark = db.prepare(
      `UPDATE training_runs SET status = 'interrupted', finished_at = coalesce(finished_at, ${now}),
         message = ? WHERE id = ? AND status IN ('queued', 'running')`,
    );
    const checkpoints = db.prepare('SELECT count(*) AS n FROM checkpoints WHERE run_id = ?');
    return writeTransaction(db, () =>
      dead.reduce((n, r) => {
        const { n: kept } = checkpoints.get(r.id) as { n: number };
        const message =
          'Interrupted: the training process ended without finishing (killed, crashed or the computer stopped)' +
          (kept ? `; its ${kept} checkpoint(s) are usable` : '; no epoch had finished');
        return n + mark.run(message, r.id).changes;
      }, 0),
    );
  } catch {
    return 0;
  }
}

/**
 * Records one epoch: its metrics and its checkpoint, in one transaction (both or neither); then the run's
 * checkpoints are pruned to the bounded set (`pruneCheckpoints`), in the same transaction.
 */
export function recordEpoch(
  db: ProjectDb,
  epoch: Omit<EpochRow, 'recordedAt' | 'metrics'> & { metrics: Partial<EpochMetricsRecord> },
  checkpoint?: Omit<CheckpointRow, 'id' | 'createdAt' | 'runId' | 'epoch'>,
): number | null {
  return writeTransaction(db, () => {
    db.prepare('INSERT INTO epoch_metrics (run_id, epoch, train_loss, val_loss, metrics) VALUES (?, ?, ?, ?, ?)').run(
      epoch.runId,
      epoch.epoch,
      epoch.trainLoss,
      epoch.valLoss,
      JSON.stringify(epoch.metrics),
    );
    if (!checkpoint) return null;
    const id = Number(
      db
        .prepare('INSERT INTO checkpoints (run_id, epoch, model_topology, weights, metadata) VALUES (?, ?, ?, ?, ?)')
        .run(
          epoch.runId,
          epoch.epoch,
          JSON.stringify(checkpoint.modelTopology),
          checkpoint.weights,
          JSON.stringify(checkpoint.metadata),
        ).lastInsertRowid,
    );
    pruneCheckpoints(db, epoch.runId);
    return id;
  });
}

/**
 * A run trained elsewhere (a PyTorch job, `maskwright import-model`), recorded whole in one transaction:
 * the run, completed, with no process of its own (no pid, no heartbeat: never marked interrupted), its
 * epochs' metrics, and the checkpoint of its last epoch. Returns the run and checkpoint ids.
 */
export function recordImportedRun(
  db: ProjectDb,
  run: { settings: unknown; backend: string; message: string },
  epochs: readonly (Omit<EpochRow, 'recordedAt' | 'metrics' | 'runId'> & { metrics: Partial<EpochMetricsRecord> })[],
  checkpoint: Omit<CheckpointRow, 'id' | 'createdAt' | 'runId' | 'epoch'>,
): { runId: number; checkpointId: number } {
  if (!epochs.length) throw new AppError('INVALID_INPUT', 'The imported run has no epoch');
  return writeTransaction(db, () => {
    const runId = Number(
      db
        .prepare(
          `INSERT INTO training_runs (status, settings, backend, started_at, finished_at, message)
           VALUES ('completed', ?, ?, ${now}, ${now}, ?)`,
        )
        .run(JSON.stringify(run.settings), run.backend, run.message).lastInsertRowid,
    );
    let checkpointId = 0;
    epochs.forEach((e, i) => {
      const id = recordEpoch(db, { ...e, runId }, i === epochs.length - 1 ? checkpoint : undefined);
      if (id !== null) checkpointId = id;
    });
    return { runId, checkpointId };
  });
}

/** How many of a run's newest checkpoints are kept besides its best one. */
export const KEEP_LAST_CHECKPOINTS = 3;

/**
 * Bounds a run's checkpoints: keeps its best (`bestEpoch`) and its last KEEP_LAST_CHECKPOINTS, and never
 * one the user chose as the active model or one a run resumes (or resumed) from; deletes the others'
 * rows (their weights). The epoch metrics stay, so the charts keep every epoch. Returns the ids deleted.
 */
export function pruneCheckpoints(db: ProjectDb, runId: number): number[] {
  return writeTransaction(db, () => {
    const rows = checkpointEpochs(db, runId);
    const best = bestEpoch(rows);
    const last = new Set(rows.slice(-KEEP_LAST_CHECKPOINTS).map((r) => r.id));
    const chosen = db.prepare("SELECT value FROM meta WHERE key = 'active_checkpoint'").get() as
      { value: string } | undefined;
    const resumed = new Set(
      (
        db
          .prepare(
            "SELECT DISTINCT json_extract(settings, '$.resumeFrom') AS id FROM training_runs WHERE json_valid(settings) AND json_extract(settings, '$.resumeFrom') IS NOT NULL",
          )
          .all() as { id: number }[]
      ).map((r) => Number(r.id)),
    );
    const doomed = rows
      .filter((r) => r.epoch !== best && !last.has(r.id) && String(r.id) !== chosen?.value && !resumed.has(r.id))
      .map((r) => r.id);
    const del = db.prepare('DELETE FROM checkpoints WHERE id = ?');
    for (const id of doomed) del.run(id);
    return doomed;
  });
}

export function listEpochs(db: ProjectDb, runId: number): EpochRow[] {
  return (
    db.prepare('SELECT * FROM epoch_metrics WHERE run_id = ? ORDER BY epoch').all(runId) as {
      run_id: number;
      epoch: number;
      train_loss: number | null;
      val_loss: number | null;
      metrics: string;
      recorded_at: string;
    }[]
  ).map((r) => ({
    runId: r.run_id,
    epoch: r.epoch,
    trainLoss: r.train_loss,
    valLoss: r.val_loss,
    metrics: parseEpochMetrics(JSON.parse(r.metrics)),
    recordedAt: r.recorded_at,
  }));
}

interface RawCheckpoint {
  id: number;
  run_id: number;
  epoch: number;
  model_topology: string;
  weights: Buffer;
  metadata: string;
  created_at: string;
}
/** The checkpoint's metadata, parsed here once: prediction, resuming and export read it typed. */
function checkpointMeta(r: RawCheckpoint): CheckpointMeta {
  const parsed = checkpointMetaSchema.safeParse(JSON.parse(r.metadata));
  if (parsed.success) return parsed.data;
  const i = parsed.error.issues[0]!;
  throw new AppError(
    'IO',
    `Checkpoint ${r.id} cannot be used: its metadata is damaged (${i.path.join('.')}: ${i.message})`,
  );
}
const toCheckpoint = (r: RawCheckpoint): CheckpointRow => ({
  id: r.id,
  runId: r.run_id,
  epoch: r.epoch,
  modelTopology: JSON.parse(r.model_topology),
  weights: new Uint8Array(r.weights.buffer, r.weights.byteOffset, r.weights.byteLength),
  metadata: checkpointMeta(r),
  createdAt: r.created_at,
});

export function getCheckpoint(db: ProjectDb, id: number): CheckpointRow {
  const r = db.prepare('SELECT * FROM checkpoints WHERE id = ?').get(id) as RawCheckpoint | undefined;
  if (!r) throw new AppError('NOT_FOUND', `No checkpoint ${id}`);
  return toCheckpoint(r);
}

export type { CheckpointSummary };

/** A run's checkpoints, oldest first, with the metrics of their epoch (no weights). */
function checkpointEpochs(db: ProjectDb, runId: number) {
  return (
    db
      .prepare(
        `SELECT c.id, c.run_id, c.epoch, c.created_at, length(c.weights) AS bytes, m.metrics
         FROM checkpoints c LEFT JOIN epoch_metrics m ON m.run_id = c.run_id AND m.epoch = c.epoch
         WHERE c.run_id = ? ORDER BY c.epoch`,
      )
      .all(runId) as {
      id: number;
      run_id: number;
      epoch: number;
      created_at: string;
      bytes: number;
      metrics: string | null;
    }[]
  ).map((r) => ({ ...r, metrics: parseEpochMetrics(r.metrics === null ? null : JSON.parse(r.metrics)) }));
}

/** A run's checkpoints, oldest first, without their weights; `best` marks its best by validation mIoU. */
export function listCheckpoints(db: ProjectDb, runId: number): CheckpointSummary[] {
  const rows = checkpointEpochs(db, runId);
  const best = bestEpoch(rows);
  return rows.map((r) => ({
    id: r.id,
    runId: r.run_id,
    epoch: r.epoch,
    createdAt: r.created_at,
    bytes: r.bytes,
    meanIoU: r.metrics.meanIoU,
    metricsOn: r.metrics.metricsOn,
    best: r.epoch === best,
  }));
}

/**
 * Why the active checkpoint is the one it is: the user chose it; or, by default, it is the best by
 * validation mIoU of the newest run that has checkpoints, or that run's newest when it had no validation
 * images (nothing to pick the best by).
 */
export type ActiveBasis = 'chosen' | 'best' | 'newest';

/**
 * The checkpoint predictions and exports use unless told otherwise, and why (`ActiveBasis`). The default
 * looks at the newest run only: an older run's best may predict other classes, or a model the user
 * has since retrained.
 */
export function activeCheckpointChoice(db: ProjectDb): { checkpoint: CheckpointRow; basis: ActiveBasis } | undefined {
  const chosen = db.prepare("SELECT value FROM meta WHERE key = 'active_checkpoint'").get() as
    { value: string } | undefined;
  if (chosen) {
    const r = db.prepare('SELECT * FROM checkpoints WHERE id = ?').get(Number(chosen.value)) as
      RawCheckpoint | undefined;
    if (r) return { checkpoint: toCheckpoint(r), basis: 'chosen' };
  }
  const newest = latestCheckpoint(db);
  if (!newest) return undefined;
  const best = listCheckpoints(db, newest.runId).find((c) => c.best);
  if (!best) return { checkpoint: newest, basis: 'newest' };
  return { checkpoint: best.id === newest.id ? newest : getCheckpoint(db, best.id), basis: 'best' };
}

/** The checkpoint predictions and exports use: the one the user chose, else `activeCheckpointChoice`'s default. */
export function activeCheckpoint(db: ProjectDb): CheckpointRow | undefined {
  return activeCheckpointChoice(db)?.checkpoint;
}

/** Chooses the checkpoint to use (null: back to the default, see `activeCheckpointChoice`). */
export function setActiveCheckpoint(db: ProjectDb, id: number | null): void {
  if (id === null) {
    db.prepare("DELETE FROM meta WHERE key = 'active_checkpoint'").run();
    return;
  }
  getCheckpoint(db, id);
  db.prepare(
    "INSERT INTO meta (key, value) VALUES ('active_checkpoint', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  ).run(String(id));
}

/** The newest checkpoint of a run (or of the project when `runId` is omitted). */
export function latestCheckpoint(db: ProjectDb, runId?: number): CheckpointRow | undefined {
  const r = (
    runId === undefined
      ? db.prepare('SELECT * FROM checkpoints ORDER BY run_id DESC, epoch DESC LIMIT 1').get()
      : db.prepare('SELECT * FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC LIMIT 1').get(runId)
  ) as RawCheckpoint | undefined;
  return r && toCheckpoint(r);
}
