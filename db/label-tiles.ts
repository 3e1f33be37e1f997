/**
 * The stored form of a label map (schema 4): 256x256 tiles, row-major from the top left (edge tiles
 * clipped to the image), each tile's class bytes then provenance bytes deflated as one blob (level 1:
 * label planes are long runs, so this is fast and small). A fully unlabeled tile has no row. A save then
 * rewrites only the tiles it changed. Used by db/labelmaps.ts and by migration 4, which converts the
 * whole-map blobs of earlier schemas.
 */
import { constants, deflateSync, inflateSync } from 'node:zlib';
import { readRect, writeRect } from '../core/labelmap/patch';
import type { LabelMap, Rect } from '../core/labelmap/types';
import { UNLABELED } from '../core/labelmap/types';

/** `label_maps.encoding` of a map stored in `label_tiles`. */
export const TILE_ENCODING = 'tiles256-deflate-v1';
export const TILE_SIZE = 256;

export function tileColumns(width: number): number {
  return Math.ceil(width / TILE_SIZE);
}

export function tileCount(width: number, height: number): number {
  return tileColumns(width) * Math.ceil(height / TILE_SIZE);
}

/** The pixels of tile `index`, clipped to the map. */
export function tileRect(width: number, height: number, index: number): Rect {
  const cols = tileColumns(width);
  const x = (index % cols) * TILE_SIZE;
  const y = Math.floor(index / cols) * TILE_SIZE;
  return { x, y, width: Math.min(TILE_SIZE, width - x), height: Math.min(TILE_SIZE, height - y) };
}

/** A tile's bytes: classes then provenance, each rect.width * rect.height, row-major. */
export function cutTile(map: LabelMap, rect: Rect): Uint8Array {
  const { classes } = readRect(map, rect); // both planes in one buffer, classes first
  return new Uint8Array(classes.buffer, 0, 2 * classes.length);
}

/** Writes a tile's bytes (see `cutTile`) into the map. */
export function pasteTile(map: LabelMap, rect: Rect, bytes: Uint8Array): void {
  const n = rect.width * rect.height;
  writeRect(map, rect, { classes: bytes.subarray(0, n), provenance: bytes.subarray(n, 2 * n) });
}

/** Whether a tile's bytes say "unlabeled" everywhere (such a tile is not stored). */
export function isUnlabeledTile(bytes: Uint8Array): boolean {
  const n = bytes.length / 2;
  for (let i = 0; i < n; i++) if (bytes[i] !== UNLABELED) return false;
  for (let i = n; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** The bytes of a tile that has no row. */
export function unlabeledTile(rect: Rect): Uint8Array {
  const n = rect.width * rect.height;
  const bytes = new Uint8Array(2 * n);
  bytes.fill(UNLABELED, 0, n);
  return bytes;
}

export function packTile(bytes: Uint8Array): Buffer {
  return deflateSync(bytes, { level: 1, strategy: constants.Z_DEFAULT_STRATEGY });
}

/** Inflates a stored tile; null when it is damaged or not the tile's size. */
export function unpackTile(blob: Uint8Array, rect: Rect): Uint8Array | null {
  try {
    const bytes = inflateSync(blob);
    return bytes.length === 2 * rect.width * rect.height
      ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)
      : null;
  } catch {
    return null;
  }
}
