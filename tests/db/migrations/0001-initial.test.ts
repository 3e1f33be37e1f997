import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { updateToSchemaVersion1 } from '../../../db/migrations/0001-initial';

describe('migration 1: initial schema', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    updateToSchemaVersion1(db);
  });

  const cols = (t: string) => (db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name);
  const addImage = (sha = 'a'.repeat(64)) =>
    Number(
      db
        .prepare(
          "INSERT INTO images (name, sha256, format, width, height, byte_size) VALUES ('x.png', ?, 'png', 4, 3, 10)",
        )
        .run(sha).lastInsertRowid,
    );

  it('creates the tables the app needs', () => {
    expect(cols('classes')).toEqual(expect.arrayContaining(['value', 'name', 'color', 'position', 'weight_override']));
    expect(cols('images')).toEqual(expect.arrayContaining(['sha256', 'width', 'height', 'split', 'sample_weight']));
    expect(cols('image_blobs')).toEqual(expect.arrayContaining(['original', 'thumbnail']));
    expect(cols('label_maps')).toEqual(
      expect.arrayContaining(['classes', 'provenance', 'labeled_pixels', 'class_counts']),
    );
    expect(cols('training_runs')).toEqual(expect.arrayContaining(['status', 'settings', 'backend']));
    expect(cols('epoch_metrics')).toEqual(expect.arrayContaining(['run_id', 'epoch', 'metrics']));
    expect(cols('checkpoints')).toEqual(expect.arrayContaining(['run_id', 'epoch', 'weights']));
  });

  it('rejects values outside the domain', () => {
    const cls = db.prepare('INSERT INTO classes (value, name, color, position) VALUES (?, ?, ?, 0)');
    expect(() => cls.run(255, 'x', '#000000')).toThrow(/CHECK/);
    expect(() => cls.run(0, 'x', 'red')).toThrow(/CHECK/);
    cls.run(0, 'Road', '#000000');
    expect(() => cls.run(1, 'road', '#000000')).toThrow(/UNIQUE/); // names are unique ignoring case
    const id = addImage();
    expect(() => db.prepare("UPDATE images SET split = 'test' WHERE id = ?").run(id)).toThrow(/CHECK/);
    expect(() => addImage()).toThrow(/UNIQUE/); // same content hash
  });

  it('deletes an image together with its blobs and label map', () => {
    const id = addImage();
    db.prepare("INSERT INTO image_blobs VALUES (?, x'00', x'00', 'image/jpeg')").run(id);
    db.prepare(
      "INSERT INTO label_maps (image_id, width, height, encoding, classes, provenance, labeled_pixels) VALUES (?, 4, 3, 'e', x'00', x'00', 0)",
    ).run(id);
    db.prepare('DELETE FROM images WHERE id = ?').run(id);
    const n = (t: string) => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    expect([n('image_blobs'), n('label_maps')]).toEqual([0, 0]);
  });

  it('keeps metrics and checkpoints only with their run', () => {
    const run = Number(
      db.prepare("INSERT INTO training_runs (status, settings) VALUES ('running', '{}')").run().lastInsertRowid,
    );
    db.prepare("INSERT INTO epoch_metrics (run_id, epoch, metrics) VALUES (?, 0, '{}')").run(run);
    db.prepare(
      "INSERT INTO checkpoints (run_id, epoch, model_topology, weights, metadata) VALUES (?, 0, '{}', x'00', '{}')",
    ).run(run);
    expect(() => db.prepare("INSERT INTO epoch_metrics (run_id, epoch, metrics) VALUES (999, 0, '{}')").run()).toThrow(
      /FOREIGN KEY/,
    );
    db.prepare('DELETE FROM training_runs WHERE id = ?').run(run);
    expect(db.prepare('SELECT count(*) AS n FROM checkpoints').get()).toEqual({ n: 0 });
  });
});
