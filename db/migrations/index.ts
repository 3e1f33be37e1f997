import type { Database } from 'better-sqlite3';
import { updateToSchemaVersion1 } from './0001-initial';
import { updateToSchemaVersion2 } from './0002-image-status';
import { updateToSchemaVersion3 } from './0003-run-liveness';
import { updateToSchemaVersion4 } from './0004-label-tiles';

/** Every migration in order; `version` is the `user_version` the database has after it ran. */
export const MIGRATIONS: readonly { version: number; name: string; up: (db: Database) => void }[] = [
  { version: 1, name: 'initial schema', up: updateToSchemaVersion1 },
  { version: 2, name: 'image review status', up: updateToSchemaVersion2 },
  { version: 3, name: 'run liveness and interrupted runs', up: updateToSchemaVersion3 },
  { version: 4, name: 'label maps in tiles', up: updateToSchemaVersion4 },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings `db` to `target` (default: latest), each migration in its own transaction together with the
 * version bump (`BEGIN IMMEDIATE`: two processes opening an old file at once migrate it once), so a crash
 * leaves either the old or the new schema. Refuses files newer than this build.
 */
export function migrate(db: Database, target = LATEST_SCHEMA_VERSION): number {
  const current = schemaVersion(db);
  if (current > LATEST_SCHEMA_VERSION) {
    throw new Error(
      `This project was saved by a newer Maskwright (schema ${current}; this version knows up to ${LATEST_SCHEMA_VERSION}). Update Maskwright to open it.`,
    );
  }
  // A migration may rebuild a table that others reference: with foreign keys on, dropping the old table
  // would cascade. The pragma only takes effect outside a transaction; each migration checks the keys.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  if (foreignKeys) db.pragma('foreign_keys = OFF');
  try {
    runMigrations(db, current, target);
  } finally {
    if (foreignKeys) db.pragma('foreign_keys = ON');
  }
  return schemaVersion(db);
}

function runMigrations(db: Database, current: number, target: number): void {
  for (const m of MIGRATIONS) {
    if (m.version <= current || m.version > target) continue;
    db.transaction(() => {
      if (schemaVersion(db) >= m.version) return; // another process migrated it meanwhile
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}
