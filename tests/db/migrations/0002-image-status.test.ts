import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../../db/migrations';

describe('migration 2: image review status', () => {
  let db: Database.Database;
  afterEach(() => db?.close());

  it('gives images saved by schema 1 the status "todo" and accepts only the three statuses', () => {
    db = new Database(':memory:');
    migrate(db, 1);
    db.prepare(
      "INSERT INTO images (name, sha256, format, width, height, byte_size) VALUES ('old.png', ?, 'png', 4, 3, 10)",
    ).run('a'.repeat(64));
    expect(migrate(db, 2)).toBe(2);
    expect(db.prepare('SELECT name, status FROM images').all()).toEqual([{ name: 'old.png', status: 'todo' }]);
    const set = db.prepare('UPDATE images SET status = ? WHERE name = ?');
    set.run('reviewed', 'old.png');
    expect(db.prepare('SELECT status FROM images').get()).toEqual({ status: 'reviewed' });
    expect(() => set.run('done', 'old.png')).toThrow(/CHECK/);
  });
});
