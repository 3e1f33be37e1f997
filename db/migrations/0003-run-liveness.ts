import type { Database } from 'better-sqlite3';

/**
 * Schema 3: training runs prove they are alive. `pid` and `host` name the process that owns the run (the
 * command or app that queued it, then the training process), `heartbeat_at` is refreshed by the training
 * process while it runs; and a new status `interrupted` for runs whose process ended without finishing
 * (their checkpoints stay usable). SQLite cannot change a CHECK constraint, so the table is rebuilt; the
 * caller (migrate) runs this with foreign keys off, so the rebuild cascades nothing.
 */
export function updateToSchemaVersion3(db: Database): void {
  db.exec(`
    CREATE TABLE training_runs_new (
      id INTEGER PRIMARY KEY,
      status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'stopped', 'failed', 'interrupted')),
      settings TEXT NOT NULL,
      backend TEXT,
      created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
      started_at TEXT,
      finished_at TEXT,
      message TEXT,
      pid INTEGER,
      host TEXT,
      heartbeat_at TEXT
    ) STRICT;
    INSERT INTO training_runs_new (id, status, settings, backend, created_at, started_at, finished_at, message)
      SELECT id, status, settings, backend, created_at, started_at, finished_at, message FROM training_runs;
    DROP TABLE training_runs;
    ALTER TABLE training_runs_new RENAME TO training_runs;
  `);
  const broken = db.pragma('foreign_key_check') as unknown[];
  if (broken.length) throw new Error(`Migration 2 left ${broken.length} broken reference(s)`);
}
