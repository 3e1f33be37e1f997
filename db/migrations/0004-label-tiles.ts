import type { Database } from 'better-sqlite3';
import { inflateSync } from 'node:zlib';
import { cutTile, isUnlabeledTile, packTile, tileCount, TILE_ENCODING, tileRect } from '../label-tiles';

/**
 * Schema 4: label maps are stored as 256x256 tiles (`label_tiles`, see db/label-tiles.ts), so saving a
 * stroke rewrites the tiles it touched instead of deflating the whole map. Every readable map is cut into
 * tiles here (its revision and statistics stay: it is the same map) and its whole-map blobs are emptied;
 * a map whose blobs cannot be read keeps them and its encoding, and loading it reports the damage as before.
 */
export function updateToSchemaVersion4(db: Database): void {
  db.exec(`
    CREATE TABLE label_tiles (
      image_id INTEGER NOT NULL REFERENCES label_maps (image_id) ON DELETE CASCADE,
      -- row-major index of the tile from the top left
      tile INTEGER NOT NULL CHECK (tile >= 0),
      -- deflated class bytes then provenance bytes of the tile; a fully unlabeled tile has no row
      data BLOB NOT NULL,
      PRIMARY KEY (image_id, tile)
    ) STRICT;
  `);
  const ids = (
    db.prepare("SELECT image_id FROM label_maps WHERE encoding = 'deflate-v1'").all() as { image_id: number }[]
  ).map((r) => r.image_id);
  const read = db.prepare('SELECT width, height, classes, provenance FROM label_maps WHERE image_id = ?');
  const insert = db.prepare('INSERT INTO label_tiles (image_id, tile, data) VALUES (?, ?, ?)');
  const done = db.prepare("UPDATE label_maps SET encoding = ?, classes = x'', provenance = x'' WHERE image_id = ?");
  for (const id of ids) {
    const row = read.get(id) as { width: number; height: number; classes: Buffer; provenance: Buffer };
    const map = readWhole(row);
    if (!map) continue;
    for (let t = 0; t < tileCount(map.width, map.height); t++) {
      const bytes = cutTile(map, tileRect(map.width, map.height, t));
      if (!isUnlabeledTile(bytes)) insert.run(id, t, packTile(bytes));
    }
    done.run(TILE_ENCODING, id);
  }
}

function readWhole(row: { width: number; height: number; classes: Buffer; provenance: Buffer }) {
  try {
    const classes = new Uint8Array(inflateSync(row.classes));
    const provenance = new Uint8Array(inflateSync(row.provenance));
    const n = row.width * row.height;
    if (classes.length !== n || provenance.length !== n) return null;
    return { width: row.width, height: row.height, classes, provenance };
  } catch {
    return null;
  }
}
