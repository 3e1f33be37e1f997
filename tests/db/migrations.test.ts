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
});
