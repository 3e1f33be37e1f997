import { describe, expect, it } from 'vitest';
import { StrokeSession } from '../../../core/labelmap/brush';
import { applyDelta, ChangedRegion, deltaRects, readDelta } from '../../../core/labelmap/delta';
import { floodFill } from '../../../core/labelmap/fill';
import { LabelHistory } from '../../../core/labelmap/history';
import type { Rect } from '../../../core/labelmap/types';
import { blobMap, cloneMap, diffIndices, rng } from './helpers';

/** Pixel indices covered by rectangles (a set: overlaps count once). */
function covered(rects: readonly Rect[], w: number): Set<number> {
  const out = new Set<number>();
  for (const r of rects)
    for (let y = r.y; y < r.y + r.height; y++) for (let x = r.x; x < r.x + r.width; x++) out.add(y * w + x);
  return out;
}

describe('ChangedRegion', () => {
  it('takes disjoint rectangles covering every marked pixel, within the marked 256x16 cells, then is empty', () => {
    const rand = rng(5);
    for (const [w, h] of [
      [700, 90],
      [257, 33],
      [1, 1],
      [520, 17],
    ] as const) {
      const region = new ChangedRegion(w, h);
      const marked: Rect[] = [];
      for (let k = 0; k < 12; k++) {
        const x = Math.floor(rand() * w * 1.2) - 20;
        const y = Math.floor(rand() * h * 1.2) - 5;
        const r = { x, y, width: 1 + Math.floor(rand() * 300), height: 1 + Math.floor(rand() * 40) };
        region.mark(r);
        marked.push(r);
      }
      const taken = region.take();
      expect(region.empty).toBe(true);
      expect(region.take()).toEqual([]);
      // disjoint: the sum of areas equals the size of the union
      const area = taken.reduce((a, r) => a + r.width * r.height, 0);
      const got = covered(taken, w);
      expect(got.size).toBe(area);
      // marks outside the map are clipped: keep only pixels of marked rects that lie inside
      const inside = new Set<number>();
      for (const r of marked)
        for (let y = Math.max(0, r.y); y < Math.min(h, r.y + r.height); y++)
          for (let x = Math.max(0, r.x); x < Math.min(w, r.x + r.width); x++) inside.add(y * w + x);
      expect([...inside].filter((i) => !got.has(i))).toEqual([]);
      // nothing outside the cells a mark touched
      const cells = new Set([...inside].map((i) => `${(i % w) >> 8},${Math.floor(i / w) >> 4}`));
      expect([...got].filter((i) => !cells.has(`${(i % w) >> 8},${Math.floor(i / w) >> 4}`))).toEqual([]);
    }
  });

  it('merges a whole-image mark into one rectangle per 256 columns', () => {
    const region = new ChangedRegion(600, 1000);
    region.mark({ x: 0, y: 0, width: 600, height: 1000 });
    expect(region.take().sort((a, b) => a.x - b.x)).toEqual([
      { x: 0, y: 0, width: 256, height: 1000 },
      { x: 256, y: 0, width: 256, height: 1000 },
      { x: 512, y: 0, width: 88, height: 1000 },
    ]);
  });

  it('a stroke, its undo and its redo each mark exactly the pixels they changed', () => {
    const map = blobMap(600, 300, 3);
    const history = new LabelHistory(map);
    const start = cloneMap(map);
    const region = new ChangedRegion(600, 300);
    const s = new StrokeSession(map, { diameter: 9, value: 1 });
    for (let k = 0; k <= 20; k++) s.addPoint(10 + k * 28, 20 + k * 12);
    const entry = s.commit()!;
    history.push(entry);
    region.markEntry(entry);
    const changed = diffIndices(start, map);
    const rects = region.take();
    const got = covered(rects, 600);
    expect(changed.filter((i) => !got.has(i))).toEqual([]);
    // about the stroke's area, far less than its bounding box
    expect(got.size).toBeLessThan((entry.rect.width * entry.rect.height) / 4);
    region.markEntry(history.undo());
    expect(covered(region.take(), 600)).toEqual(got);
    region.markEntry(history.redo());
    expect(covered(region.take(), 600)).toEqual(got);
  });
});

describe('label deltas', () => {
  it('read then applied to the map as it was, reproduce the edited map', () => {
    const rand = rng(11);
    for (let round = 0; round < 20; round++) {
      const map = blobMap(300 + Math.floor(rand() * 300), 20 + Math.floor(rand() * 300), round);
      const before = cloneMap(map);
      const region = new ChangedRegion(map.width, map.height);
      for (let k = 0; k < 4; k++) {
        const value = rand() < 0.2 ? 255 : Math.floor(rand() * 4);
        if (rand() < 0.7) {
          const s = new StrokeSession(map, { diameter: 1 + rand() * 30, value });
          for (let p = 0; p < 8; p++) s.addPoint(rand() * map.width, rand() * map.height);
          region.markEntry(s.commit());
        } else region.markEntry(floodFill(map, rand() * map.width, rand() * map.height, { value }));
      }
      const delta = readDelta(map, region.take());
      applyDelta(before, delta);
      expect(diffIndices(before, map)).toEqual([]);
    }
  });

  it('refuse rectangles outside the map and planes of the wrong size', () => {
    const planes = (n: number) => ({ classes: new Uint8Array(n), provenance: new Uint8Array(n) });
    expect(deltaRects({ rects: [1, 2, 3, 4], ...planes(12) }, 4, 6)).toEqual([
      { rect: { x: 1, y: 2, width: 3, height: 4 }, offset: 0 },
    ]);
    expect(() => deltaRects({ rects: [2, 2, 3, 4], ...planes(12) }, 4, 6)).toThrow(/not inside 4x6/);
    expect(() => deltaRects({ rects: [0, 0, 0, 4], ...planes(0) }, 4, 6)).toThrow(/not inside/);
    expect(() => deltaRects({ rects: [0, 0, 1], ...planes(1) }, 4, 6)).toThrow(/fours/);
    expect(() => deltaRects({ rects: [0, 0, 2, 2], ...planes(5) }, 4, 6)).toThrow(/4 bytes/);
  });
});
