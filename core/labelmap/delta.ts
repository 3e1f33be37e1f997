/**
 * Label deltas: how the editor saves an edit. `ChangedRegion` collects the rectangles an image's edits
 * touched since the last save (undo patches, undos and redos, the live rectangles of a stroke), and
 * `readDelta` copies their current bytes, so a stroke on a 24 MP image sends the few KiB it changed
 * instead of both 24 MB planes. The rectangles are the cells of the undo patches' 256x16 grid
 * (recorder.ts), cropped to what changed, so a stroke's delta holds about its patches' bytes.
 */
import { copyBlock, writeRect } from './patch';
import type { EditEntry } from './patch';
import { TILE_H_SHIFT, TILE_W_SHIFT } from './recorder';
import { assertInside } from './rect';
import type { LabelMap, Rect } from './types';

/** Changed rectangles and their bytes. */
export interface LabelDelta {
  /** x, y, width, height of each rectangle, one rectangle after another. */
  readonly rects: number[];
  /** The rectangles' class bytes, each rectangle row-major, one after another. */
  readonly classes: Uint8Array;
  /** The provenance bytes, laid out as `classes`. */
  readonly provenance: Uint8Array;
}

/** One rectangle of a delta and where its bytes start in the planes. */
export interface DeltaRect {
  readonly rect: Rect;
  readonly offset: number;
}

/**
 * The delta's rectangles with their byte offsets. Throws a RangeError unless every rectangle is a
 * non-empty integer rectangle inside `width` x `height` and the planes hold exactly their bytes.
 * Rectangles may overlap: they apply in order.
 */
export function deltaRects(delta: LabelDelta, width: number, height: number): DeltaRect[] {
  const { rects } = delta;
  if (rects.length % 4 !== 0) throw new RangeError(`Delta rectangles come in fours, got ${rects.length} numbers`);
  const out: DeltaRect[] = [];
  let offset = 0;
  for (let k = 0; k < rects.length; k += 4) {
    const rect = { x: rects[k]!, y: rects[k + 1]!, width: rects[k + 2]!, height: rects[k + 3]! };
    const inside =
      [rect.x, rect.y, rect.width, rect.height].every(Number.isInteger) &&
      rect.x >= 0 &&
      rect.y >= 0 &&
      rect.width > 0 &&
      rect.height > 0 &&
      rect.x + rect.width <= width &&
      rect.y + rect.height <= height;
    if (!inside) throw new RangeError(`Rectangle ${JSON.stringify(rect)} is not inside ${width}x${height}`);
    out.push({ rect, offset });
    offset += rect.width * rect.height;
  }
  if (delta.classes.length !== offset || delta.provenance.length !== offset) {
    throw new RangeError(`Delta planes must have ${offset} bytes for their rectangles`);
  }
  return out;
}

/** Copies the rectangles' current bytes out of the map. O(their area). */
export function readDelta(map: LabelMap, rects: readonly Rect[]): LabelDelta {
  let n = 0;
  for (const r of rects) n += r.width * r.height;
  const classes = new Uint8Array(n);
  const provenance = new Uint8Array(n);
  const flat: number[] = [];
  let offset = 0;
  for (const r of rects) {
    assertInside(map, r);
    const start = r.y * map.width + r.x;
    copyBlock(map.classes, start, map.width, classes, offset, r.width, r.width, r.height);
    copyBlock(map.provenance, start, map.width, provenance, offset, r.width, r.width, r.height);
    flat.push(r.x, r.y, r.width, r.height);
    offset += r.width * r.height;
  }
  return { rects: flat, classes, provenance };
}

/** Writes the delta's bytes into the map (what a save of it does to the stored map). O(delta area). */
export function applyDelta(map: LabelMap, delta: LabelDelta): void {
  for (const { rect, offset } of deltaRects(delta, map.width, map.height)) {
    const n = rect.width * rect.height;
    writeRect(map, rect, {
      classes: delta.classes.subarray(offset, offset + n),
      provenance: delta.provenance.subarray(offset, offset + n),
    });
  }
}

const CELL_W = 1 << TILE_W_SHIFT;
const CELL_H = 1 << TILE_H_SHIFT;
/** Cells are kept in blocks of BLOCK_CELLS cells stacked vertically (one 256x256 square). */
const BLOCK_SHIFT = 4;
const BLOCK_CELLS = 1 << BLOCK_SHIFT;

/**
 * The part of a map changed since the last `take`: per cell of the 256x16 grid, the bounding box of
 * the rectangles marked in it. Cells are allocated by 256x256 block on first mark, so a stroke costs
 * a few blocks and even a whole-image fill of 100 MP stays at 1,600 blocks of 256 bytes.
 */
export class ChangedRegion {
  // block index (row of blocks * blocksX + column) -> per cell x0, x1, y0, y1 (inclusive; x1 < x0: none)
  private readonly blocks = new Map<number, Int32Array>();
  private readonly cellsX: number;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.cellsX = Math.ceil(width / CELL_W);
  }

  get empty(): boolean {
    return this.blocks.size === 0;
  }

  /** Marks a rectangle (clipped to the map; null or empty marks nothing). O(cells it covers). */
  mark(rect: Rect | null): void {
    if (!rect) return;
    const x0 = Math.max(0, rect.x);
    const y0 = Math.max(0, rect.y);
    const x1 = Math.min(this.width, rect.x + rect.width) - 1;
    const y1 = Math.min(this.height, rect.y + rect.height) - 1;
    if (x1 < x0 || y1 < y0) return;
    for (let cy = y0 >> TILE_H_SHIFT; cy <= y1 >> TILE_H_SHIFT; cy++) {
      const top = Math.max(y0, cy << TILE_H_SHIFT);
      const bottom = Math.min(y1, (cy << TILE_H_SHIFT) + CELL_H - 1);
      for (let cx = x0 >> TILE_W_SHIFT; cx <= x1 >> TILE_W_SHIFT; cx++) {
        const left = Math.max(x0, cx << TILE_W_SHIFT);
        const right = Math.min(x1, (cx << TILE_W_SHIFT) + CELL_W - 1);
        const b = this.block(cx, cy >> BLOCK_SHIFT);
        const at = (cy & (BLOCK_CELLS - 1)) * 4;
        if (b[at + 1]! < b[at]!) {
          b[at] = left;
          b[at + 1] = right;
          b[at + 2] = top;
          b[at + 3] = bottom;
        } else {
          if (left < b[at]!) b[at] = left;
          if (right > b[at + 1]!) b[at + 1] = right;
          if (top < b[at + 2]!) b[at + 2] = top;
          if (bottom > b[at + 3]!) b[at + 3] = bottom;
        }
      }
    }
  }

  /** Marks every patch of an undo entry (an edit, its undo or its redo changed exactly those). */
  markEntry(entry: EditEntry | null): void {
    if (entry) for (const p of entry.patches) this.mark(p.rect);
  }

  /**
   * The marked cells' boxes (disjoint; boxes of the same width stacked in one column of cells are
   * merged, so a whole-image fill is one rectangle per 256 columns), and forgets them.
   */
  take(): Rect[] {
    const out: Rect[] = [];
    // per column of cells: the rectangle still growing downwards
    const open = new Map<number, { x: number; y: number; width: number; height: number }>();
    const keys = [...this.blocks.keys()].sort((a, b) => a - b);
    for (const key of keys) {
      const b = this.blocks.get(key)!;
      const cx = key % this.cellsX;
      for (let at = 0; at < b.length; at += 4) {
        const [x0, x1, y0, y1] = [b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!];
        if (x1 < x0) continue;
        const r = open.get(cx);
        if (r && r.x === x0 && r.width === x1 - x0 + 1 && r.y + r.height === y0) {
          r.height += y1 - y0 + 1;
          continue;
        }
        if (r) out.push(r);
        open.set(cx, { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 });
      }
    }
    out.push(...open.values());
    this.blocks.clear();
    return out;
  }

  private block(cx: number, by: number): Int32Array {
    const key = by * this.cellsX + cx;
    let b = this.blocks.get(key);
    if (!b) {
      b = new Int32Array(BLOCK_CELLS * 4);
      for (let at = 0; at < b.length; at += 4) b[at + 1] = -1; // x1 < x0 = 0: no box
      this.blocks.set(key, b);
    }
    return b;
  }
}
