import Database from 'better-sqlite3';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { loadLabelMap, saveLabelMap } from '../../../db/labelmaps';
import { migrate } from '../../../db/migrations';
import { APPLICATION_ID } from '../../../db/open';
import { Project } from '../../../services/project';
import { tempDir } from '../../helpers/fixtures';
import { blobMap } from '../../core/labelmap/helpers';

describe('migration 4: label maps in tiles', () => {
  const t = tempDir();
  afterEach(() => t.cleanup());

  it('cuts every readable map of a schema-3 project file into tiles, keeps revisions and statistics, and keeps a damaged map damaged', () => {
    const path = join(t.dir, 'old.maskwright');
    const old = new Database(path);
    old.pragma(`application_id = ${APPLICATION_ID}`);
    old.pragma('journal_mode = WAL');
    migrate(old, 3);
    const image = old.prepare(
      "INSERT INTO images (name, sha256, format, width, height, byte_size) VALUES (?, ?, 'png', ?, ?, 10) RETURNING id",
    );
    const mapRow = old.prepare(
      `INSERT INTO label_maps (image_id, width, height, encoding, classes, provenance, labeled_pixels, class_counts, revision)
       VALUES (?, ?, ?, 'deflate-v1', ?, ?, ?, ?, ?)`,
    );
    // 600x300: three tile columns (the last 88 wide), two rows (the last 44 high); an unlabeled top band
    const big = blobMap(600, 300, 4);
    big.classes.fill(255, 0, 600 * 256);
    big.provenance.fill(0, 0, 600 * 256);
    const small = blobMap(7, 5, 9);
    const maps = [big, small];
    const ids: number[] = [];
    for (const [k, m] of maps.entries()) {
      const { id } = image.get(`img${k}.png`, String(k).repeat(64), m.width, m.height) as { id: number };
      ids.push(id);
      const labeled = m.classes.filter((c) => c !== 255).length;
      mapRow.run(id, m.width, m.height, deflateSync(m.classes), deflateSync(m.provenance), labeled, '{"0":1}', 7 + k);
    }
    const { id: damaged } = image.get('bad.png', 'b'.repeat(64), 4, 4) as { id: number };
    mapRow.run(damaged, 4, 4, Buffer.from('not deflate'), Buffer.from('x'), 0, '{}', 3);
    old.close();

    const p = Project.open(path);
    try {
      for (const [k, m] of maps.entries()) {
        const back = loadLabelMap(p.db, ids[k]!)!;
        expect(Buffer.compare(back.classes, m.classes)).toBe(0);
        expect(Buffer.compare(back.provenance, m.provenance)).toBe(0);
        expect(back.revision).toBe(7 + k);
      }
      const rows = p.db
        .prepare(
          'SELECT image_id, encoding, length(classes) AS c, labeled_pixels, class_counts FROM label_maps ORDER BY image_id',
        )
        .all() as { image_id: number; encoding: string; c: number; labeled_pixels: number; class_counts: string }[];
      expect(rows.map((r) => [r.encoding, r.c])).toEqual([
        ['tiles256-deflate-v1', 0],
        ['tiles256-deflate-v1', 0],
        ['deflate-v1', 11],
      ]);
      expect(rows[0]!.class_counts).toBe('{"0":1}'); // statistics are carried over as they were
      // the unlabeled top row of tiles has no rows; the bottom row's three do
      const tiles = p.db.prepare('SELECT tile FROM label_tiles WHERE image_id = ? ORDER BY tile').all(ids[0]!);
      expect(tiles).toEqual([{ tile: 3 }, { tile: 4 }, { tile: 5 }]);
      expect(() => loadLabelMap(p.db, damaged)).toThrow(/damaged/);
      // a whole save over the damaged map replaces it with tiles
      saveLabelMap(p.db, damaged, {
        width: 4,
        height: 4,
        classes: new Uint8Array(16).fill(1),
        provenance: new Uint8Array(16).fill(1),
      });
      expect(loadLabelMap(p.db, damaged)!.classes).toEqual(new Uint8Array(16).fill(1));
      // deleting an image deletes its tiles
      p.db.prepare('DELETE FROM images WHERE id = ?').run(ids[0]!);
      expect(p.db.prepare('SELECT count(*) AS n FROM label_tiles WHERE image_id = ?').get(ids[0]!)).toEqual({ n: 0 });
    } finally {
      p.close();
    }
  });
});
