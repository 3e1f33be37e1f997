/**
 * EditRecorder: writes horizontal spans into a label map while keeping what is needed to undo them.
 *
 * The map is split into 256x16 tiles (wide, so copies run on long rows). The first write touching
 * a tile copies that tile's bytes (8 KiB); every write then extends the tile's changed-pixel
 * bounds. `finish()` turns each changed tile into a patch (before = from the copy, after = from the
 * map) cropped to those bounds. So a write costs O(span length + first-touch tile copies), never
 * O(image), and an undo entry holds about the area actually changed even for long diagonal strokes.
 */
import { makeEntry, readRect, undoEntry } from './patch';
import type { EditEntry, Patch, RectBytes } from './patch';
import { paintProvenance, UNLABELED } from './types';
import type { LabelMap, Rect } from './types';

/** The tile grid (256x16) of undo patches, also the grid of `ChangedRegion` (delta.ts). */
export const TILE_W_SHIFT = 8;
export const TILE_H_SHIFT = 4;
const TILE_W = 1 << TILE_W_SHIFT;
const TILE_H = 1 << TILE_H_SHIFT;

interface Tile {
  readonly rect: Rect; // tile area clipped to the map
  readonly before: RectBytes; // bytes of `rect` at first touch
  x0: number; // changed bounds, map coordinates, inclusive; x1 < x0 while unchanged
  y0: number;
  x1: number;
  y1: number;
}

export class EditRecorder {
  private readonly tiles = new Map<number, Tile>();
  private readonly tilesX: number;
  private done = false;
  // changed bounds since the last takeDirty(), inclusive
  private dx0 = Infinity;
  private dy0 = Infinity;
  private dx1 = -Infinity;
  private dy1 = -Infinity;

  constructor(readonly map: LabelMap) {
    this.tilesX = Math.ceil(map.width / TILE_W);
  }

  /**
   * Sets pixels x0..x1 (inclusive, clipped to the map) of row y to `value` (0..254, or 255 = erase
   * with provenance None; otherwise provenance Painted). With `protectLabels` only pixels whose
   * class is UNLABELED are written. Returns whether any pixel changed. O(x1 - x0).
   */
  writeSpan(y: number, x0: number, x1: number, value: number, protectLabels = false): boolean {
    if (this.done) throw new Error('EditRecorder already finished');
    const { width, height, classes, provenance } = this.map;
    const prov = paintProvenance(value);
    if (y < 0 || y >= height) return false;
    x0 = Math.max(0, x0);
    x1 = Math.min(width - 1, x1);
    const row = y * width;
    let any = false;
    for (let start = x0; start <= x1;) {
      const tx = start >> TILE_W_SHIFT;
      const end = Math.min(x1, (tx << TILE_W_SHIFT) + TILE_W - 1);
      const tile = this.tile(tx, y >> TILE_H_SHIFT);
      let first = -1;
      let last = -1;
      if (protectLabels) {
        for (let i = row + start; i <= row + end; i++) {
          if (classes[i] !== UNLABELED || (value === UNLABELED && provenance[i] === prov)) continue;
          classes[i] = value;
          provenance[i] = prov;
          if (first < 0) first = i - row;
          last = i - row;
        }
      } else {
        // trim pixels that already hold (value, prov) at both ends, then overwrite the middle
        let a = row + start;
        let b = row + end;
        while (a <= b && classes[a] === value && provenance[a] === prov) a++;
        while (b >= a && classes[b] === value && provenance[b] === prov) b--;
        if (a <= b) {
          classes.fill(value, a, b + 1);
          provenance.fill(prov, a, b + 1);
          first = a - row;
          last = b - row;
        }
      }
      if (first >= 0) {
        any = true;
        if (first < tile.x0) tile.x0 = first;
        if (last > tile.x1) tile.x1 = last;
        if (y < tile.y0) tile.y0 = y;
        if (y > tile.y1) tile.y1 = y;
        if (first < this.dx0) this.dx0 = first;
        if (last > this.dx1) this.dx1 = last;
        if (y < this.dy0) this.dy0 = y;
        if (y > this.dy1) this.dy1 = y;
      }
      start = end + 1;
    }
    return any;
  }

  /** Bounding box of the pixels changed since the previous call (null if none), then resets it. */
  takeDirty(): Rect | null {
    if (this.dx1 < this.dx0) return null;
    const r = { x: this.dx0, y: this.dy0, width: this.dx1 - this.dx0 + 1, height: this.dy1 - this.dy0 + 1 };
    this.dx0 = this.dy0 = Infinity;
    this.dx1 = this.dy1 = -Infinity;
    return r;
  }

  /** The undo entry of everything written (null if nothing changed). O(changed tiles' area). */
  finish(): EditEntry | null {
    this.done = true;
    const patches: Patch[] = [];
    for (const t of this.tiles.values()) {
      if (t.x1 < t.x0) continue;
      const rect = { x: t.x0, y: t.y0, width: t.x1 - t.x0 + 1, height: t.y1 - t.y0 + 1 };
      const full = rect.width === t.rect.width && rect.height === t.rect.height;
      const local = { x: rect.x - t.rect.x, y: rect.y - t.rect.y, width: rect.width, height: rect.height };
      const tileMap = { width: t.rect.width, height: t.rect.height, ...t.before };
      const before = full ? t.before : readRect(tileMap, local);
      patches.push({ rect, before, after: readRect(this.map, rect) });
    }
    this.tiles.clear();
    return makeEntry(patches);
  }

  /** Puts back every byte written; returns the rectangle to redraw (null if nothing changed). */
  revert(): Rect | null {
    const entry = this.finish();
    if (!entry) return null;
    return undoEntry(this.map, entry);
  }

  private tile(tx: number, ty: number): Tile {
    const key = ty * this.tilesX + tx;
    let t = this.tiles.get(key);
    if (!t) {
      const x = tx << TILE_W_SHIFT;
      const y = ty << TILE_H_SHIFT;
      const rect = { x, y, width: Math.min(TILE_W, this.map.width - x), height: Math.min(TILE_H, this.map.height - y) };
      t = { rect, before: readRect(this.map, rect), x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
      this.tiles.set(key, t);
    }
    return t;
  }
}
