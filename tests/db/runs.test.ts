import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  activeCheckpoint,
  createRun,
  activeCheckpointChoice,
  HEARTBEAT_STALE_MS,
  KEEP_LAST_CHECKPOINTS,
  markDeadRuns,
  finishRun,
  getCheckpoint,
  getRun,
  latestCheckpoint,
  listEpochs,
  listCheckpoints,
  listRuns,
  pruneCheckpoints,
  recordEpoch,
  setActiveCheckpoint,
  startRun,
} from '../../db/runs';
import { checkpointMeta } from '../helpers/checkpoint';
import { tempProject } from '../helpers/project';

describe('training runs', () => {
  let t: ReturnType<typeof tempProject>;
  beforeEach(() => (t = tempProject()));
  afterEach(() => t.close());

  it('go from queued to running to completed with epochs and checkpoints', () => {
    const db = t.project.db;
    const id = createRun(db, { epochs: 2, size: 64 });
    expect(getRun(db, id)).toMatchObject({ status: 'queued', settings: { epochs: 2, size: 64 }, backend: null });
    startRun(db, id, 'wasm (2 threads)');
    expect(getRun(db, id)).toMatchObject({ status: 'running', backend: 'wasm (2 threads)' });
    const weights = Uint8Array.from([1, 2, 3, 4]);
    const c0 = recordEpoch(
      db,
      { runId: id, epoch: 0, trainLoss: 1.5, valLoss: 1.7, metrics: { meanIoU: 0.2 } },
      {
        modelTopology: { class_name: 'Model' },
        weights,
        metadata: checkpointMeta,
      },
    );
    recordEpoch(
      db,
      { runId: id, epoch: 1, trainLoss: 0.9, valLoss: null, metrics: { meanIoU: 0.4, pixelAccuracy: NaN } },
      {
        modelTopology: { class_name: 'Model' },
        weights: Uint8Array.from([5]),
        metadata: checkpointMeta,
      },
    );
    finishRun(db, id, 'completed', null);
    expect(getRun(db, id).status).toBe('completed');
    // Read back typed (core/training/epoch-metrics.ts): NaN (null in JSON) and absent fields are null.
    expect(
      listEpochs(db, id).map((e) => [e.epoch, e.trainLoss, e.valLoss, e.metrics.meanIoU, e.metrics.pixelAccuracy]),
    ).toEqual([
      [0, 1.5, 1.7, 0.2, null],
      [1, 0.9, null, 0.4, null],
    ]);
    expect(listEpochs(db, id)[0]!.metrics).toMatchObject({ iou: [], confusion: [], metricsOn: null });
    expect([...getCheckpoint(db, c0!).weights]).toEqual([1, 2, 3, 4]);
    expect(getCheckpoint(db, c0!).metadata).toEqual(checkpointMeta);
    expect(latestCheckpoint(db, id)!.epoch).toBe(1);
    expect(latestCheckpoint(db)!.epoch).toBe(1);
  });

  it('record an epoch and its checkpoint together or not at all', () => {
    const db = t.project.db;
    const id = createRun(db, {});
    recordEpoch(db, { runId: id, epoch: 0, trainLoss: 1, valLoss: 1, metrics: {} });
    // Same epoch again: the metrics row conflicts, so the checkpoint must not be written either.
    expect(() =>
      recordEpoch(
        db,
        { runId: id, epoch: 0, trainLoss: 1, valLoss: 1, metrics: {} },
        {
          modelTopology: {},
          weights: new Uint8Array(1),
          metadata: checkpointMeta,
        },
      ),
    ).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(latestCheckpoint(db, id)).toBeUndefined();
  });

  it('list checkpoints with their epoch mIoU, and use the chosen one or else the newest', () => {
    const db = t.project.db;
    const ckpt = { modelTopology: {}, weights: new Uint8Array(3), metadata: checkpointMeta };
    const r1 = createRun(db, {});
    const a = recordEpoch(db, { runId: r1, epoch: 0, trainLoss: 1, valLoss: 1, metrics: { meanIoU: 0.25 } }, ckpt)!;
    const b = recordEpoch(db, { runId: r1, epoch: 1, trainLoss: 1, valLoss: 1, metrics: { meanIoU: 0.5 } }, ckpt)!;
    const r2 = createRun(db, {});
    const c = recordEpoch(db, { runId: r2, epoch: 0, trainLoss: 1, valLoss: 1, metrics: { meanIoU: 0.1 } }, ckpt)!;
    expect(listCheckpoints(db, r1).map((x) => [x.id, x.epoch, x.meanIoU, x.bytes])).toEqual([
      [a, 0, 0.25, 3],
      [b, 1, 0.5, 3],
    ]);
    expect(activeCheckpoint(db)!.id).toBe(c);
    setActiveCheckpoint(db, b);
    expect(activeCheckpoint(db)!.id).toBe(b);
    setActiveCheckpoint(db, null);
    expect(activeCheckpoint(db)!.id).toBe(c);
    expect(() => setActiveCheckpoint(db, 999)).toThrow(/No checkpoint/);
  });

  it('default to the newest run’s best checkpoint by validation mIoU (ties: the later), else its newest; a choice wins', () => {
    const db = t.project.db;
    const ckpt = { modelTopology: {}, weights: new Uint8Array(2), metadata: checkpointMeta };
    const epoch = (runId: number, e: number, meanIoU: number, metricsOn: 'val' | 'train') =>
      recordEpoch(db, { runId, epoch: e, trainLoss: 1, valLoss: 1, metrics: { meanIoU, metricsOn } }, ckpt)!;
    // Run 1, on validation images: 0.30, 0.52, 0.41, 0.52 (a tie with epoch 1), 0.46 (the newest).
    const r1 = createRun(db, {});
    const ids = [0.3, 0.52, 0.41, 0.52, 0.46].map((m, e) => epoch(r1, e, m, 'val'));
    // Epochs 0 and 1 were pruned as the run went: neither the best nor one of the last 3 by then.
    expect(listCheckpoints(db, r1).map((c) => [c.epoch, c.best])).toEqual([
      [2, false],
      [3, true],
      [4, false],
    ]);
    expect(activeCheckpointChoice(db)).toMatchObject({ checkpoint: { id: ids[3] }, basis: 'best' });
    // A run whose metrics are on its training images (no validation split): its newest.
    const r2 = createRun(db, {});
    epoch(r2, 0, 0.9, 'train');
    const newest = epoch(r2, 1, 0.7, 'train');
    expect(listCheckpoints(db, r2).some((c) => c.best)).toBe(false);
    expect(activeCheckpointChoice(db)).toMatchObject({ checkpoint: { id: newest }, basis: 'newest' });
    // The user's choice wins over both, and clearing it goes back to the default.
    setActiveCheckpoint(db, ids[2]!);
    expect(activeCheckpointChoice(db)).toMatchObject({ checkpoint: { id: ids[2] }, basis: 'chosen' });
    setActiveCheckpoint(db, null);
    expect(activeCheckpoint(db)!.id).toBe(newest);
  });

  it('keep the best and the last 3 checkpoints of a run, the chosen one and the resumed ones, and every epoch’s metrics', () => {
    const db = t.project.db;
    expect(KEEP_LAST_CHECKPOINTS).toBe(3);
    const ckpt = { modelTopology: {}, weights: new Uint8Array(2), metadata: checkpointMeta };
    const run = createRun(db, {});
    const miou = [10, 22, 31, 28, 35, 33, 41, 38, 44, 40, 52, 47, 50, 49, 52, 46, 48, 51, 45, 47];
    const ids: number[] = [];
    for (let e = 0; e < miou.length; e++) {
      if (e === 3) setActiveCheckpoint(db, ids[2]!); // the user picks epoch 2 while the run goes on
      if (e === 5) createRun(db, { epochs: 2, resumeFrom: ids[3]! }); // another run resumes from epoch 3
      ids.push(
        recordEpoch(
          db,
          { runId: run, epoch: e, trainLoss: 1, valLoss: 1, metrics: { meanIoU: miou[e]! / 100, metricsOn: 'val' } },
          ckpt,
        )!,
      );
    }
    // Best: 0.52 at epochs 10 and 14, the later wins; last 3: 17, 18, 19; chosen: 2; resumed: 3.
    const kept = [2, 3, 14, 17, 18, 19];
    expect(listCheckpoints(db, run).map((c) => c.id)).toEqual(kept.map((e) => ids[e]));
    expect(listCheckpoints(db, run).find((c) => c.best)!.epoch).toBe(14);
    expect(listEpochs(db, run)).toHaveLength(20);
    // Nothing more to delete; once the choice is cleared, the next prune lets epoch 2 go.
    expect(pruneCheckpoints(db, run)).toEqual([]);
    setActiveCheckpoint(db, null);
    expect(pruneCheckpoints(db, run)).toEqual([ids[2]]);
  });

  it('mark runs whose process is gone as interrupted, and only those', async () => {
    const db = t.project.db;
    // A process that has ended: its pid is free (and not reused within this test).
    const gone = spawn(process.execPath, ['-e', '0']);
    const deadPid = gone.pid!;
    await new Promise((r) => gone.on('exit', r));
    const queuedHere = createRun(db, {}); // owned by this (live) process, fresh heartbeat
    const runningDead = createRun(db, {});
    startRun(db, runningDead, 'cpu');
    const stale = createRun(db, {}); // another computer, no beat for an hour
    const fresh = createRun(db, {}); // another computer, beat just now
    const stopped = createRun(db, {});
    startRun(db, stopped, 'cpu');
    finishRun(db, stopped, 'stopped', 'stopped by the user');
    recordEpoch(
      db,
      { runId: runningDead, epoch: 0, trainLoss: 1, valLoss: 1, metrics: {} },
      {
        modelTopology: {},
        weights: new Uint8Array([1]),
        metadata: checkpointMeta,
      },
    );
    const set = db.prepare('UPDATE training_runs SET pid = ?, host = ?, heartbeat_at = ? WHERE id = ?');
    const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
    set.run(deadPid, hostname(), iso(1000), runningDead);
    set.run(process.pid, 'elsewhere', iso(HEARTBEAT_STALE_MS + 60_000), stale);
    set.run(process.pid, 'elsewhere', iso(1000), fresh);

    expect(markDeadRuns(db)).toBe(2);
    expect(listRuns(db).map((r) => [r.id, r.status])).toEqual([
      [queuedHere, 'queued'],
      [runningDead, 'interrupted'],
      [stale, 'interrupted'],
      [fresh, 'queued'],
      [stopped, 'stopped'],
    ]);
    expect(getRun(db, runningDead).message).toMatch(/Interrupted: .*its 1 checkpoint\(s\) are usable/);
    expect(getRun(db, stale).message).toMatch(/no epoch had finished/);
    expect(markDeadRuns(db)).toBe(0);
    expect(() => getRun(db, 99)).toThrow(/No training run/);
  });

  it('parses checkpoint metadata once, and refuses damaged metadata with a code', () => {
    const db = t.project.db;
    const run = createRun(db, {});
    db.prepare(
      "INSERT INTO checkpoints (run_id, epoch, model_topology, weights, metadata) VALUES (?, 0, '{}', x'00', ?)",
    ).run(run, JSON.stringify({ ...checkpointMeta, inputSize: [64] }));
    let err: unknown;
    try {
      latestCheckpoint(db, run);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'IO' });
    expect((err as Error).message).toMatch(/^Checkpoint \d+ cannot be used: its metadata is damaged \(inputSize/);
  });
});
