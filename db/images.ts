/** Image rows: metadata for lists, original bytes and thumbnails in `image_blobs`. */
import type { ImageStatus, ImageSummary, Split } from '../core/ipc/contract';
import { writeTransaction, type ProjectDb } from './open';

export interface NewImage {
  name: string;
  sha256: string;
  format: string;
  width: number;
  height: number;
  orientation: number;
  original: Uint8Array;
  thumbnail: Uint8Array;
  thumbnailMime: string;
}

interface ImageRow {
  id: number;
  name: string;
  format: string;
  width: number;
  height: number;
  byte_size: number;
  sha256: string;
  split: Split;
  status: ImageStatus;
  labeled_pixels: number | null;
  imported_at: string;
}

const SUMMARY_SQL = `
  SELECT i.id, i.name, i.format, i.width, i.height, i.byte_size, i.sha256, i.split, i.status, i.imported_at,
         l.labeled_pixels
  FROM images i LEFT JOIN label_maps l ON l.image_id = i.id`;

function toSummary(r: ImageRow): ImageSummary {
  return {
    id: r.id,
    name: r.name,
    format: r.format,
    width: r.width,
    height: r.height,
    byteSize: r.byte_size,
    sha256: r.sha256,
    split: r.split,
    status: r.status,
    labeledFraction: r.labeled_pixels ? r.labeled_pixels / (r.width * r.height) : 0,
    importedAt: r.imported_at,
  };
}

/** Inserts the row and its blobs in one transaction; returns the new id. */
export function insertImage(db: ProjectDb, img: NewImage): number {
  return writeTransaction(db, () => {
    const { lastInsertRowid } = db
      .prepare(
        `INSERT INTO images (name, sha256, format, width, height, orientation, byte_size)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(img.name, img.sha256, img.format, img.width, img.height, img.orientation, img.original.byteLength);
    const id = Number(lastInsertRowid);
    db.prepare('INSERT INTO image_blobs (image_id, original, thumbnail, thumbnail_mime) VALUES (?, ?, ?, ?)').run(
      id,
      img.original,
      img.thumbnail,
      img.thumbnailMime,
    );
    return id;
  });
}

export function listImages(db: ProjectDb): ImageSummary[] {
  return (db.prepare(`${SUMMARY_SQL} ORDER BY i.id`).all() as ImageRow[]).map(toSummary);
}

export function getImage(db: ProjectDb, id: number): ImageSummary | undefined {
  const row = db.prepare(`${SUMMARY_SQL} WHERE i.id = ?`).get(id) as ImageRow | undefined;
  return row && toSummary(row);
}

export function findImageBySha(db: ProjectDb, sha256: string): { id: number; name: string } | undefined {
  return db.prepare('SELECT id, name FROM images WHERE sha256 = ?').get(sha256) as
    { id: number; name: string } | undefined;
}

export function getThumbnail(db: ProjectDb, id: number): { data: Buffer; mime: string } | undefined {
  const row = db.prepare('SELECT thumbnail, thumbnail_mime FROM image_blobs WHERE image_id = ?').get(id) as
    { thumbnail: Buffer; thumbnail_mime: string } | undefined;
  return row && { data: row.thumbnail, mime: row.thumbnail_mime };
}

export function getOriginal(db: ProjectDb, id: number): Buffer | undefined {
  const row = db.prepare('SELECT original FROM image_blobs WHERE image_id = ?').get(id) as
    { original: Buffer } | undefined;
  return row?.original;
}

/** Sets one column (split or review status) of many images in one transaction; returns how many changed. */
function setColumn(db: ProjectDb, column: 'split' | 'status', ids: readonly number[], value: string): number {
  const stmt = db.prepare(`UPDATE images SET ${column} = ? WHERE id = ?`);
  return writeTransaction(db, () => ids.reduce((n, id) => n + stmt.run(value, id).changes, 0));
}

export function setSplit(db: ProjectDb, ids: readonly number[], split: Split): number {
  return setColumn(db, 'split', ids, split);
}

export function setStatus(db: ProjectDb, ids: readonly number[], status: ImageStatus): number {
  return setColumn(db, 'status', ids, status);
}

export function removeImages(db: ProjectDb, ids: readonly number[]): number {
  const stmt = db.prepare('DELETE FROM images WHERE id = ?');
  return writeTransaction(db, () => ids.reduce((n, id) => n + stmt.run(id).changes, 0));
}

export function countImages(db: ProjectDb): number {
  return (db.prepare('SELECT count(*) AS n FROM images').get() as { n: number }).n;
}

/** Each image's sample weight, by image id. */
export function sampleWeights(db: ProjectDb): Map<number, number> {
  const rows = db.prepare('SELECT id, sample_weight FROM images').all() as { id: number; sample_weight: number }[];
  return new Map(rows.map((r) => [r.id, r.sample_weight]));
}

/**
 * Ids of the images in the splits train and unassigned, ascending: those a run may train on (it holds
 * some unassigned ones out for validation, core/training/split.ts).
 */
export function trainingImageIds(db: ProjectDb): number[] {
  const rows = db.prepare("SELECT id FROM images WHERE split IN ('train', 'unassigned') ORDER BY id").all() as {
    id: number;
  }[];
  return rows.map((r) => r.id);
}
