/**
 * Undo entries as before/after bytes of changed rectangles, and the generic `applyPatch` edit that
 * accepting a Fill unlabeled or Predict preview pushes as one undo step.
 */
import { assertInside, unionRect } from './rect';
import type { LabelMap, Rect } from './types';

/** Bytes of one rectangle, row-major: `classes` and `provenance` are `rect.width * rect.height`. */
export interface RectBytes {
  readonly classes: Uint8Array;
  readonly provenance: Uint8Array;
}

/** One changed rectangle with its bytes before and after the edit. */
export interface Patch {
  readonly rect: Rect;
  readonly before: RectBytes;
  readonly after: RectBytes;
}

/**
 * One undo step: disjoint patches (a stroke yields one per touched 256x16 tile, so a long diagonal
 * stroke does not store its whole bounding box). `rect` is the union to redraw; `bytes` the memory
 * held by the byte planes (4 bytes per patch pixel).
 */
export interface EditEntry {
  readonly rect: Rect;
  readonly patches: readonly Patch[];
  readonly bytes: number;
}

/**
 * Copies a w x h block between row-major planes. Narrow rows are copied by a loop: for tile-sized
 * rows, creating subarray views would cost more than the copy.
 */
export function copyBlock(
  src: Uint8Array,
  srcStart: number,
  srcStride: number,
  dst: Uint8Array,
  dstStart: number,
  dstStride: number,
  w: number,
  h: number,
): void {
  for (let row = 0; row < h; row++) {
    const s = srcStart + row * srcStride;
    const d = dstStart + row * dstStride;
    if (w > 64) dst.set(src.subarray(s, s + w), d);
    else for (let k = 0; k < w; k++) dst[d + k] = src[s + k]!;
  }
}

/** Copies the rectangle's bytes out of the map (both planes share one buffer). O(area). */
export function readRect(map: LabelMap, rect: Rect): RectBytes {
  assertInside(map, rect);
  const { x, y, width: w, height: h } = rect;
  const buf = new ArrayBuffer(2 * w * h);
  const classes = new Uint8Array(buf, 0, w * h);
  const provenance = new Uint8Array(buf, w * h, w * h);
  const start = y * map.width + x;
  copyBlock(map.classes, start, map.width, classes, 0, w, w, h);
  copyBlock(map.provenance, start, map.width, provenance, 0, w, w, h);
  return { classes, provenance };
}

/** Copies `bytes` (rect-sized) into the map. O(area). */
export function writeRect(map: LabelMap, rect: Rect, bytes: RectBytes): void {
  assertInside(map, rect);
  const { x, y, width: w, height: h } = rect;
  if (bytes.classes.length !== w * h || bytes.provenance.length !== w * h) {
    throw new RangeError(`Patch bytes must be ${w * h} per plane for ${w}x${h}`);
  }
  const start = y * map.width + x;
  copyBlock(bytes.classes, 0, w, map.classes, start, map.width, w, h);
  copyBlock(bytes.provenance, 0, w, map.provenance, start, map.width, w, h);
}

/** Builds an entry from patches; null when there are none. */
export function makeEntry(patches: readonly Patch[]): EditEntry | null {
  let rect: Rect | null = null;
  let bytes = 0;
  for (const p of patches) {
    rect = unionRect(rect, p.rect);
    bytes += 4 * p.rect.width * p.rect.height;
  }
  return rect ? { rect, patches, bytes } : null;
}

/** Restores the bytes before the edit; returns the rectangle to redraw. O(entry area). */
export function undoEntry(map: LabelMap, entry: EditEntry): Rect {
  for (const p of entry.patches) writeRect(map, p.rect, p.before);
  return entry.rect;
}

/** Reapplies the edit; returns the rectangle to redraw. O(entry area). */
export function redoEntry(map: LabelMap, entry: EditEntry): Rect {
  for (const p of entry.patches) writeRect(map, p.rect, p.after);
  return entry.rect;
}

/**
 * Writes `classes`/`provenance` (each `rect.width * rect.height`, row-major) into `rect` and returns
 * the undo entry, trimmed to the bounding box of the pixels that actually changed (null if none did).
 * The caller keeps the class/provenance invariant (class 255 <=> provenance None). O(rect area).
 */
export function applyPatch(map: LabelMap, rect: Rect, classes: Uint8Array, provenance: Uint8Array): EditEntry | null {
  assertInside(map, rect);
  const { x, y, width: w, height: h } = rect;
  if (classes.length !== w * h || provenance.length !== w * h) {
    throw new RangeError(`Patch bytes must be ${w * h} per plane for ${w}x${h}`);
  }
  // changed bounds, rect-local, inclusive
  let x0 = w;
  let x1 = -1;
  let y0 = h;
  let y1 = -1;
  for (let row = 0; row < h; row++) {
    const m = (y + row) * map.width + x;
    const s = row * w;
    for (let col = 0; col < w; col++) {
      if (map.classes[m + col] !== classes[s + col] || map.provenance[m + col] !== provenance[s + col]) {
        if (col < x0) x0 = col;
        if (col > x1) x1 = col;
        if (row < y0) y0 = row;
        y1 = row;
      }
    }
  }
  if (x1 < 0) return null;
  const changed = { x: x + x0, y: y + y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
  const before = readRect(map, changed);
  const sub = { x: x0, y: y0, width: changed.width, height: changed.height };
  const after = readRect({ width: w, height: h, classes, provenance }, sub);
  writeRect(map, changed, after);
  return makeEntry([{ rect: changed, before, after }]);
}
