/**
 * Label maps in the project file. `label_maps` holds one row per map (size, revision, statistics); the
 * planes (class value per pixel, 255 = unlabeled; provenance per pixel) are in `label_tiles` as deflated
 * 256x256 tiles (db/label-tiles.ts), so a save writes only the tiles it changed. Maps whose whole-map
 * blobs (schema 3 and earlier) migration 4 could not read keep them; loading such a map reports it.
 */
import { inflateSync } from 'node:zlib';
import { AppError } from '../core/ipc/errors';
import { deltaRects, type LabelDelta } from '../core/labelmap/delta';
import { Provenance, UNLABELED } from '../core/labelmap/types';
import {
  cutTile,
  isUnlabeledTile,
  packTile,
  pasteTile,
  tileColumns,
  tileCount,
  TILE_ENCODING,
  TILE_SIZE,
  tileRect,
  unlabeledTile,
  unpackTile,
} from './label-tiles';
import { writeTransaction, type ProjectDb } from './open';

/** The whole-map encoding of schema 3 and earlier. */
const WHOLE_ENCODING = 'deflate-v1';

/** Shapes: `classes` and `provenance` are width*height bytes, row-major. */
export interface StoredLabelMap {
  width: number;
  height: number;
  classes: Uint8Array;
  provenance: Uint8Array;
}

export interface LabelMapStats {
  labeledPixels: number;
  /** class value -> pixel count */
  classCounts: Record<number, number>;
}

/** One pass over the class plane: O(w*h). */
export function labelStats(classes: Uint8Array): LabelMapStats {
  const hist = new Float64Array(256);
  for (let i = 0; i < classes.length; i++) hist[classes[i]!]++;
  return statsOf(hist);
}

function statsOf(hist: Float64Array): LabelMapStats {
  const classCounts: Record<number, number> = {};
  let labeledPixels = 0;
  for (let v = 0; v < UNLABELED; v++) {
    if (hist[v]) {
      classCounts[v] = hist[v]!;
      labeledPixels += hist[v]!;
    }
  }
  return { labeledPixels, classCounts };
}

function imageSize(db: ProjectDb, imageId: number): { width: number; height: number } {
  const img = db.prepare('SELECT width, height FROM images WHERE id = ?').get(imageId) as
    { width: number; height: number } | undefined;
  if (!img) throw new AppError('NOT_FOUND', `No image with id ${imageId}`);
  return img;
}

/** Inserts or updates the map's row (size, statistics; revision + 1); returns the new revision. */
function writeMapRow(db: ProjectDb, imageId: number, size: { width: number; height: number }, stats: LabelMapStats) {
  const row = db
    .prepare(
      `INSERT INTO label_maps (image_id, width, height, encoding, classes, provenance, labeled_pixels, class_counts)
       VALUES (@imageId, @width, @height, @encoding, x'', x'', @labeled, @counts)
       ON CONFLICT (image_id) DO UPDATE SET
         width = excluded.width, height = excluded.height, encoding = excluded.encoding,
         classes = excluded.classes, provenance = excluded.provenance,
         labeled_pixels = excluded.labeled_pixels, class_counts = excluded.class_counts,
         revision = label_maps.revision + 1,
         updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
       RETURNING revision`,
    )
    .get({
      imageId,
      width: size.width,
      height: size.height,
      encoding: TILE_ENCODING,
      labeled: stats.labeledPixels,
      counts: JSON.stringify(stats.classCounts),
    }) as { revision: number };
  return row.revision;
}

/** Stores a tile's bytes, or deletes its row when it is unlabeled everywhere. */
function writeTile(db: ProjectDb, imageId: number, tile: number, bytes: Uint8Array): void {
  if (isUnlabeledTile(bytes)) {
    db.prepare('DELETE FROM label_tiles WHERE image_id = ? AND tile = ?').run(imageId, tile);
  } else {
    db.prepare(
      `INSERT INTO label_tiles (image_id, tile, data) VALUES (?, ?, ?)
       ON CONFLICT (image_id, tile) DO UPDATE SET data = excluded.data`,
    ).run(imageId, tile, packTile(bytes));
  }
}

/**
 * Writes `map` as `imageId`'s label map: its row, and the tiles listed in `tiles` (default: all, and every
 * other stored tile is dropped). Returns the new revision.
 */
function storeMap(db: ProjectDb, imageId: number, map: StoredLabelMap, tiles?: readonly number[]): number {
  return writeTransaction(db, () => {
    const revision = writeMapRow(db, imageId, map, labelStats(map.classes));
    if (!tiles) db.prepare('DELETE FROM label_tiles WHERE image_id = ?').run(imageId);
    const all = tiles ?? Array.from({ length: tileCount(map.width, map.height) }, (_, i) => i);
    for (const t of all) {
      const bytes = cutTile(map, tileRect(map.width, map.height, t));
      if (tiles || !isUnlabeledTile(bytes)) writeTile(db, imageId, t, bytes);
    }
    return revision;
  });
}

/** Writes (insert or replace) the whole label map of `imageId` in one transaction; returns the new revision. */
export function saveLabelMap(db: ProjectDb, imageId: number, map: StoredLabelMap): number {
  const n = map.width * map.height;
  if (map.classes.length !== n || map.provenance.length !== n) {
    throw new AppError('INVALID_INPUT', `Label map planes must have ${n} bytes`);
  }
  const img = imageSize(db, imageId);
  if (img.width !== map.width || img.height !== map.height) {
    throw new AppError(
      'INVALID_INPUT',
      `Label map is ${map.width}x${map.height} but the image is ${img.width}x${img.height}`,
    );
  }
  return storeMap(db, imageId, map);
}

export function loadLabelMap(db: ProjectDb, imageId: number): (StoredLabelMap & { revision: number }) | undefined {
  const row = db
    .prepare('SELECT width, height, encoding, classes, provenance, revision FROM label_maps WHERE image_id = ?')
    .get(imageId) as
    | { width: number; height: number; encoding: string; classes: Buffer; provenance: Buffer; revision: number }
    | undefined;
  if (!row) return undefined;
  const { width, height, revision } = row;
  if (row.encoding === WHOLE_ENCODING) return { ...loadWhole(imageId, row), revision };
  if (row.encoding !== TILE_ENCODING) throw new AppError('UNSUPPORTED', `Unknown label map encoding ${row.encoding}`);
  const n = width * height;
  const map = { width, height, classes: new Uint8Array(n).fill(UNLABELED), provenance: new Uint8Array(n) };
  const count = tileCount(width, height);
  for (const t of db.prepare('SELECT tile, data FROM label_tiles WHERE image_id = ?').iterate(imageId) as Iterable<{
    tile: number;
    data: Buffer;
  }>) {
    const rect = t.tile < count ? tileRect(width, height, t.tile) : null;
    const bytes = rect && unpackTile(t.data, rect);
    if (!rect || !bytes) throw new AppError('IO', `Label map of image ${imageId} is damaged (tile ${t.tile})`);
    pasteTile(map, rect, bytes);
  }
  return { ...map, revision };
}

function loadWhole(
  imageId: number,
  row: { width: number; height: number; classes: Buffer; provenance: Buffer },
): StoredLabelMap {
  let classes: Uint8Array;
  let provenance: Uint8Array;
  try {
    classes = new Uint8Array(inflateSync(row.classes));
    provenance = new Uint8Array(inflateSync(row.provenance));
  } catch {
    throw new AppError('IO', `Label map of image ${imageId} is damaged (not deflate data)`);
  }
  const n = row.width * row.height;
  if (classes.length !== n || provenance.length !== n) {
    throw new AppError('IO', `Label map of image ${imageId} is damaged (size mismatch)`);
  }
  return { width: row.width, height: row.height, classes, provenance };
}

/**
 * Writes a delta (changed rectangles and their bytes, core/labelmap/delta.ts) into the stored map of
 * `imageId` (an unlabeled one when none is stored), reading and rewriting only the tiles it touches and
 * updating the statistics by what changed. Call inside a write transaction. Returns the new revision
 * and the labeled pixels. O(touched tiles), never O(image).
 */
export function saveLabelDelta(
  db: ProjectDb,
  imageId: number,
  delta: LabelDelta,
): { revision: number; labeledPixels: number } {
  const size = imageSize(db, imageId);
  let parts: ReturnType<typeof deltaRects>;
  try {
    parts = deltaRects(delta, size.width, size.height);
  } catch (err) {
    throw new AppError('INVALID_INPUT', (err as Error).message);
  }
  const row = db.prepare('SELECT encoding, class_counts FROM label_maps WHERE image_id = ?').get(imageId) as
    { encoding: string; class_counts: string } | undefined;
  if (row && row.encoding !== TILE_ENCODING) {
    // A map migration could not read: load it as the editor did (which reports the damage).
    const map = loadLabelMap(db, imageId)!;
    applyToMap(map, delta, parts);
    const revision = saveLabelMap(db, imageId, map);
    return { revision, labeledPixels: labelStats(map.classes).labeledPixels };
  }
  // hist: the stored class counts, then moved by every pixel the delta rewrites
  const hist = new Float64Array(256);
  for (const [v, c] of Object.entries(JSON.parse(row?.class_counts ?? '{}') as Record<string, number>)) {
    hist[Number(v)] = c;
  }
  const cols = tileColumns(size.width);
  const touched = new Map<number, { rect: ReturnType<typeof tileRect>; bytes: Uint8Array }>();
  const read = db.prepare('SELECT data FROM label_tiles WHERE image_id = ? AND tile = ?');
  for (const { rect, offset } of parts) {
    const tx0 = Math.floor(rect.x / TILE_SIZE);
    const tx1 = Math.floor((rect.x + rect.width - 1) / TILE_SIZE);
    const ty0 = Math.floor(rect.y / TILE_SIZE);
    const ty1 = Math.floor((rect.y + rect.height - 1) / TILE_SIZE);
    for (let ty = ty0; ty <= ty1; ty++) {
      for (let tx = tx0; tx <= tx1; tx++) {
        const index = ty * cols + tx;
        let tile = touched.get(index);
        if (!tile) {
          const tr = tileRect(size.width, size.height, index);
          const stored = read.get(imageId, index) as { data: Buffer } | undefined;
          const bytes = stored ? unpackTile(stored.data, tr) : unlabeledTile(tr);
          if (!bytes) throw new AppError('IO', `Label map of image ${imageId} is damaged (tile ${index})`);
          tile = { rect: tr, bytes };
          touched.set(index, tile);
        }
        writePart(tile, rect, offset, delta, hist);
      }
    }
  }
  const stats = statsOf(hist);
  const revision = writeMapRow(db, imageId, size, stats);
  for (const [index, tile] of touched) writeTile(db, imageId, index, tile.bytes);
  return { revision, labeledPixels: stats.labeledPixels };
}

/**
 * Copies the part of delta rectangle `rect` (bytes from `offset`) that lies in `tile` into the tile's
 * bytes, moving `hist` from the old class values to the new ones.
 */
function writePart(
  tile: { rect: { x: number; y: number; width: number; height: number }; bytes: Uint8Array },
  rect: { x: number; y: number; width: number; height: number },
  offset: number,
  delta: LabelDelta,
  hist: Float64Array,
): void {
  const t = tile.rect;
  const x0 = Math.max(rect.x, t.x);
  const x1 = Math.min(rect.x + rect.width, t.x + t.width);
  const y0 = Math.max(rect.y, t.y);
  const y1 = Math.min(rect.y + rect.height, t.y + t.height);
  const plane = t.width * t.height;
  const { bytes } = tile;
  for (let y = y0; y < y1; y++) {
    let src = offset + (y - rect.y) * rect.width + (x0 - rect.x);
    let dst = (y - t.y) * t.width + (x0 - t.x);
    for (let x = x0; x < x1; x++, src++, dst++) {
      const c = delta.classes[src]!;
      hist[bytes[dst]!]!--;
      hist[c]!++;
      bytes[dst] = c;
      bytes[plane + dst] = delta.provenance[src]!;
    }
  }
}

function applyToMap(map: StoredLabelMap, delta: LabelDelta, parts: ReturnType<typeof deltaRects>): void {
  for (const { rect, offset } of parts) {
    for (let row = 0; row < rect.height; row++) {
      const src = offset + row * rect.width;
      const dst = (rect.y + row) * map.width + rect.x;
      map.classes.set(delta.classes.subarray(src, src + rect.width), dst);
      map.provenance.set(delta.provenance.subarray(src, src + rect.width), dst);
    }
  }
}

/**
 * How every background writer (propagation, accepted predictions, mask import) commits into a label map:
 * in one `BEGIN IMMEDIATE` transaction it loads the map as it is *now* (an unlabeled one when none is
 * stored), lets `apply` change it in place, and saves the tiles it changed when `apply` reports changed
 * pixels. A save that landed while the writer computed is therefore merged, never overwritten. `apply`
 * must change only the pixels its rules allow; painted pixels belong to the user alone, and a merge that
 * would change one is refused (nothing is saved). Returns the pixels changed and the revision (null when
 * nothing changed).
 */
export function mergeIntoLabelMap(
  db: ProjectDb,
  imageId: number,
  apply: (map: StoredLabelMap) => number,
): { changed: number; revision: number | null } {
  return writeTransaction(db, () => {
    const img = imageSize(db, imageId);
    const n = img.width * img.height;
    const stored = loadLabelMap(db, imageId);
    const map: StoredLabelMap = stored ?? {
      width: img.width,
      height: img.height,
      classes: new Uint8Array(n).fill(UNLABELED),
      provenance: new Uint8Array(n),
    };
    const before = { classes: map.classes.slice(), provenance: map.provenance.slice() };
    const changed = apply(map);
    for (let i = 0; i < n; i++) {
      if (
        before.provenance[i] === Provenance.Painted &&
        (map.provenance[i] !== Provenance.Painted || map.classes[i] !== before.classes[i])
      ) {
        throw new AppError('INTERNAL', `A background write tried to change painted pixel ${i} of image ${imageId}`);
      }
    }
    if (changed === 0) return { changed, revision: null };
    // A map stored whole (or none) is written whole; a tiled one only where it changed.
    const tiles =
      stored &&
      (db.prepare('SELECT encoding FROM label_maps WHERE image_id = ?').get(imageId) as { encoding: string })
        .encoding === TILE_ENCODING
        ? changedTiles(map, before)
        : undefined;
    return { changed, revision: storeMap(db, imageId, map, tiles) };
  });
}

/** Tiles where `map` differs from `before` (both planes). O(w*h), by row. */
function changedTiles(map: StoredLabelMap, before: { classes: Uint8Array; provenance: Uint8Array }): number[] {
  const out: number[] = [];
  const count = tileCount(map.width, map.height);
  const same = (a: Uint8Array, b: Uint8Array, start: number, end: number) =>
    Buffer.from(a.buffer, a.byteOffset + start, end - start).equals(
      Buffer.from(b.buffer, b.byteOffset + start, end - start),
    );
  for (let t = 0; t < count; t++) {
    const r = tileRect(map.width, map.height, t);
    for (let y = r.y; y < r.y + r.height; y++) {
      const start = y * map.width + r.x;
      const end = start + r.width;
      if (!same(map.classes, before.classes, start, end) || !same(map.provenance, before.provenance, start, end)) {
        out.push(t);
        break;
      }
    }
  }
  return out;
}

/** Image ids whose label map contains class `value`, from the stored counts (no decompression). */
export function imagesWithClass(db: ProjectDb, value: number): number[] {
  return (
    db
      .prepare(`SELECT image_id FROM label_maps WHERE json_extract(class_counts, '$."' || ? || '"') > 0`)
      .all(String(value)) as { image_id: number }[]
  ).map((r) => r.image_id);
}

/** Total pixels and images labeled with class `value`. */
export function classUsage(db: ProjectDb, value: number): { pixels: number; images: number } {
  const row = db
    .prepare(
      `SELECT coalesce(sum(json_extract(class_counts, '$."' || ? || '"')), 0) AS pixels,
              count(json_extract(class_counts, '$."' || ? || '"')) AS images
       FROM label_maps`,
    )
    .get(String(value), String(value)) as { pixels: number; images: number };
  return row;
}

/**
 * Rewrites class `from` to `to` (a class value, or 255 to clear) in every label map that holds it;
 * cleared pixels lose their provenance. Call inside a transaction. Returns the pixels changed.
 */
export function remapClass(db: ProjectDb, from: number, to: number): number {
  let changed = 0;
  for (const imageId of imagesWithClass(db, from)) {
    const map = loadLabelMap(db, imageId);
    if (!map) continue;
    const { classes, provenance } = map;
    for (let i = 0; i < classes.length; i++) {
      if (classes[i] === from) {
        classes[i] = to;
        if (to === UNLABELED) provenance[i] = 0;
        changed++;
      }
    }
    saveLabelMap(db, imageId, map);
  }
  return changed;
}

/** The revision of an image's label map; 0 when it has none. */
export function labelMapRevision(db: ProjectDb, imageId: number): number {
  const row = db.prepare('SELECT revision FROM label_maps WHERE image_id = ?').get(imageId) as
    { revision: number } | undefined;
  return row?.revision ?? 0;
}

/** Every stored label map's image id and revision, by image id. */
export function labelMapRevisions(db: ProjectDb): { id: number; revision: number }[] {
  return db.prepare('SELECT image_id AS id, revision FROM label_maps ORDER BY image_id').all() as {
    id: number;
    revision: number;
  }[];
}
