import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, migrate, MIGRATIONS, schemaVersion } from '../../db/migrations';

const tables = (db: Database.Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
    (r) => r.name,
  );

describe('migrations', () => {
  let db: Database.Database;
  afterEach(() => db?.close());

  it('are numbered 1..N without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('bring an empty database to the latest version and are idempotent', () => {
    db = new Database(':memory:');
    expect(schemaVersion(db)).toBe(0);
    expect(migrate(db)).toBe(LATEST_SCHEMA_VERSION);
    const before = tables(db);
    expect(migrate(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(tables(db)).toEqual(before);
  });

  it('stop at a target version', () => {
    db = new Database(':memory:');
    expect(migrate(db, 0)).toBe(0);
    expect(tables(db)).toEqual([]);
  });

  it('refuse a file from a newer schema without touching it', () => {
    db = new Database(':memory:');
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    expect(() => migrate(db)).toThrow(/newer Maskwright/);
    expect(tables(db)).toEqual([]);
  });

  it('3 keeps every run, epoch and checkpoint of a schema-1 file and accepts the interrupted status', () => {
    db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, 1);
    db.exec(`INSERT INTO training_runs (id, status, settings) VALUES (1, 'running', '{}'), (2, 'completed', '{"epochs":2}');
      INSERT INTO epoch_metrics (run_id, epoch, metrics) VALUES (1, 0, '{}'), (2, 0, '{}'), (2, 1, '{}');
      INSERT INTO checkpoints (run_id, epoch, model_topology, weights, metadata) VALUES (2, 1, '{}', x'01', '{}');`);
    expect(migrate(db)).toBe(LATEST_SCHEMA_VERSION);
    // Foreign keys are on again, and the rebuild cascaded nothing.
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.prepare('SELECT id, status, settings FROM training_runs ORDER BY id').all()).toEqual([
      { id: 1, status: 'running', settings: '{}' },
      { id: 2, status: 'completed', settings: '{"epochs":2}' },
    ]);
    expect(db.prepare('SELECT count(*) AS n FROM epoch_metrics').get()).toEqual({ n: 3 });
    expect(db.prepare('SELECT count(*) AS n FROM checkpoints').get()).toEqual({ n: 1 });
    db.prepare("UPDATE training_runs SET status = 'interrupted' WHERE id = 1").run();
    expect(() => db.prepare("UPDATE training_runs SET status = 'lost' WHERE id = 1").run()).toThrow(/CHECK/);
    // The references still point at the rebuilt table: deleting a run deletes its epochs.
    db.prepare('DELETE FROM training_runs WHERE id = 2').run();
    expect(db.prepare('SELECT count(*) AS n FROM epoch_metrics').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT count(*) AS n FROM checkpoints').get()).toEqual({ n: 0 });
  });
});
