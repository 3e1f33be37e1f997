/** Training runs, their per-epoch metrics and their checkpoints. */
import { AppError } from '../core/ipc/errors';
import type { CheckpointSummary } from '../core/ipc/contract';
import { checkpointMetaSchema, type CheckpointMeta } from '../core/training/checkpoint';
import { parseEpochMetrics, type EpochMetrics, type EpochMetricsRecord } from '../core/training/epoch-metrics';
import { writeTransaction, type ProjectDb } from './open';

export const RUN_STATUSES = ['queued', 'running', 'completed', 'stopped', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface RunRow {
  id: number;
  status: RunStatus;
  settings: unknown;
  backend: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  message: string | null;
}

export interface EpochRow {
  runId: number;
  epoch: number;
  trainLoss: number | null;
  valLoss: number | null;
  metrics: EpochMetrics;
  recordedAt: string;
}

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
  settings: JSON.parse(r.settings),
  backend: r.backend,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  message: r.message,
});

export function createRun(db: ProjectDb, settings: unknown): number {
  return writeTransaction(db, () =>
    Number(
      db.prepare("INSERT INTO training_runs (status, settings) VALUES ('queued', ?)").run(JSON.stringify(settings))
        .lastInsertRowid,
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

export function startRun(db: ProjectDb, id: number, backend: string): void {
  writeTransaction(db, () =>
    db
      .prepare(`UPDATE training_runs SET status = 'running', backend = ?, started_at = ${now} WHERE id = ?`)
      .run(backend, id),
  );
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

/** Runs left 'running' or 'queued' by a process that died: marked failed, so the history tells the truth. */
export function failOrphanedRuns(db: ProjectDb, message: string): number {
  return db
    .prepare(
      `UPDATE training_runs SET status = 'failed', message = ?, finished_at = ${now} WHERE status IN ('queued', 'running')`,
    )
    .run(message).changes;
}

/** Records one epoch: its metrics and its checkpoint, in one transaction (both or neither). */
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
    return Number(
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
  throw new AppError('IO', `Checkpoint ${r.id} cannot be used: its metadata is damaged (${i.path.join('.')}: ${i.message})`);
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

/** A run's checkpoints, oldest first, without their weights. */
export function listCheckpoints(db: ProjectDb, runId: number): CheckpointSummary[] {
  return (
    db
      .prepare(
        `SELECT c.id, c.run_id, c.epoch, c.created_at, length(c.weights) AS bytes,
                json_extract(m.metrics, '$.meanIoU') AS miou
         FROM checkpoints c LEFT JOIN epoch_metrics m ON m.run_id = c.run_id AND m.epoch = c.epoch
         WHERE c.run_id = ? ORDER BY c.epoch`,
      )
      .all(runId) as {
      id: number;
      run_id: number;
      epoch: number;
      created_at: string;
      bytes: number;
      miou: number | null;
    }[]
  ).map((r) => ({
    id: r.id,
    runId: r.run_id,
    epoch: r.epoch,
    createdAt: r.created_at,
    bytes: r.bytes,
    meanIoU: r.miou,
  }));
}

/** The checkpoint predictions and exports use: the one the user chose, else the newest. */
export function activeCheckpoint(db: ProjectDb): CheckpointRow | undefined {
  const chosen = db.prepare("SELECT value FROM meta WHERE key = 'active_checkpoint'").get() as
    { value: string } | undefined;
  if (chosen) {
    const r = db.prepare('SELECT * FROM checkpoints WHERE id = ?').get(Number(chosen.value)) as
      RawCheckpoint | undefined;
    if (r) return toCheckpoint(r);
  }
  return latestCheckpoint(db);
}

/** Chooses the checkpoint to use (null: back to the newest). */
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
