import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeProjectDb, integrityCheck, openProjectDb } from '../../db/open';
import { tempDir } from '../helpers/fixtures';

describe('project files', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  it('are created with WAL, foreign keys and the latest schema', () => {
    const path = join(t.dir, 'a.maskwright');
    const db = openProjectDb(path, { create: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(integrityCheck(db)).toEqual(['ok']);
    closeProjectDb(db);
    const again = openProjectDb(path);
    expect(again.pragma('user_version', { simple: true })).toBeGreaterThan(0);
    closeProjectDb(again);
  });

  it('refuse to overwrite, to open what is missing, and to open other files', () => {
    const path = join(t.dir, 'a.maskwright');
    closeProjectDb(openProjectDb(path, { create: true }));
    expect(() => openProjectDb(path, { create: true })).toThrow(/already exists/);
    expect(() => openProjectDb(join(t.dir, 'none.maskwright'))).toThrow(/No project/);

    const junk = join(t.dir, 'junk.maskwright');
    writeFileSync(junk, Buffer.alloc(4096, 7));
    expect(() => openProjectDb(junk)).toThrow(/not a Maskwright project/);

    const other = join(t.dir, 'other.maskwright');
    const plain = new Database(other);
    plain.exec('CREATE TABLE t (x)');
    plain.close();
    expect(() => openProjectDb(other)).toThrow(/not a Maskwright project/);
  });
});
