/**
 * Label maps in the project file. Both planes (class value per pixel, 255 = unlabeled; provenance per
 * pixel) are stored deflate-compressed (level 1: label planes are long runs, so this is fast and small).
 */
import { deflateSync, inflateSync, constants } from 'node:zlib';
import { AppError } from '../core/ipc/errors';
import { Provenance, UNLABELED } from '../core/labelmap/types';
import { writeTransaction, type ProjectDb } from './open';

const LABEL_ENCODING = 'deflate-v1';

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

const deflate = (a: Uint8Array) => deflateSync(a, { level: 1, strategy: constants.Z_DEFAULT_STRATEGY });

/** Writes (insert or replace) the label map of `imageId` in one statement; returns the new revision. */
export function saveLabelMap(db: ProjectDb, imageId: number, map: StoredLabelMap): number {
  const n = map.width * map.height;
  if (map.classes.length !== n || map.provenance.length !== n) {
    throw new AppError('INVALID_INPUT', `Label map planes must have ${n} bytes`);
  }
  const img = db.prepare('SELECT width, height FROM images WHERE id = ?').get(imageId) as
    { width: number; height: number } | undefined;
  if (!img) throw new AppError('NOT_FOUND', `No image with id ${imageId}`);
  if (img.width !== map.width || img.height !== map.height) {
    throw new AppError(
      'INVALID_INPUT',
      `Label map is ${map.width}x${map.height} but the image is ${img.width}x${img.height}`,
    );
  }
  const stats = labelStats(map.classes);
  const row = db
    .prepare(
      `INSERT INTO label_maps (image_id, width, height, encoding, classes, provenance, labeled_pixels, class_counts)
       VALUES (@imageId, @width, @height, @encoding, @classes, @provenance, @labeled, @counts)
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
      width: map.width,
      height: map.height,
      encoding: LABEL_ENCODING,
      classes: deflate(map.classes),
      provenance: deflate(map.provenance),
      labeled: stats.labeledPixels,
      counts: JSON.stringify(stats.classCounts),
    }) as { revision: number };
  return row.revision;
}

export function loadLabelMap(db: ProjectDb, imageId: number): (StoredLabelMap & { revision: number }) | undefined {
  const row = db
    .prepare('SELECT width, height, encoding, classes, provenance, revision FROM label_maps WHERE image_id = ?')
    .get(imageId) as
    | { width: number; height: number; encoding: string; classes: Buffer; provenance: Buffer; revision: number }
    | undefined;
  if (!row) return undefined;
  if (row.encoding !== LABEL_ENCODING) throw new AppError('UNSUPPORTED', `Unknown label map encoding ${row.encoding}`);
  const classes = new Uint8Array(inflateSync(row.classes));
  const provenance = new Uint8Array(inflateSync(row.provenance));
  const n = row.width * row.height;
  if (classes.length !== n || provenance.length !== n) {
    throw new AppError('IO', `Label map of image ${imageId} is damaged (size mismatch)`);
  }
  return { width: row.width, height: row.height, classes, provenance, revision: row.revision };
}

/**
 * How every background writer (propagation, accepted predictions, mask import) commits into a label map:
 * in one `BEGIN IMMEDIATE` transaction it loads the map as it is *now* (an unlabeled one when none is
 * stored), lets `apply` change it in place, and saves it when `apply` reports changed pixels. A save that
 * landed while the writer computed is therefore merged, never overwritten. `apply` must change only the
 * pixels its rules allow; painted pixels belong to the user alone, and a merge that would change one is
 * refused (nothing is saved). Returns the pixels changed and the revision (null when nothing changed).
 */
export function mergeIntoLabelMap(
  db: ProjectDb,
  imageId: number,
  apply: (map: StoredLabelMap) => number,
): { changed: number; revision: number | null } {
  return writeTransaction(db, () => {
    const img = db.prepare('SELECT width, height FROM images WHERE id = ?').get(imageId) as
      { width: number; height: number } | undefined;
    if (!img) throw new AppError('NOT_FOUND', `No image with id ${imageId}`);
    const n = img.width * img.height;
    const map: StoredLabelMap = loadLabelMap(db, imageId) ?? {
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
    return { changed, revision: saveLabelMap(db, imageId, map) };
  });
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
