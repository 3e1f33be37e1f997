import { describe, expect, it } from 'vitest';
import { floodFill } from '../../../core/labelmap/fill';
import { undoEntry, redoEntry } from '../../../core/labelmap/patch';
import type { LabelMap } from '../../../core/labelmap/types';
import { blankMap, blobMap, cloneMap, diffIndices, rng } from './helpers';

/** Expected result by breadth-first search over 4-neighbours with equal class. */
function bfsFill(map: LabelMap, sx: number, sy: number, value: number): LabelMap {
  const out = cloneMap(map);
  const { width: w, height: h } = map;
  const target = map.classes[sy * w + sx]!;
  const seen = new Uint8Array(w * h);
  const queue = [sy * w + sx];
  seen[sy * w + sx] = 1;
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q]!;
    out.classes[i] = value;
    out.provenance[i] = value === 255 ? 0 : 1;
    const x = i % w;
    const y = (i - x) / w;
    const next: [number, number][] = [
      [x - 1, y],
      [x + 1, y],
      [x, y - 1],
      [x, y + 1],
    ];
    for (const [nx, ny] of next) {
      const j = ny * w + nx;
      if (nx >= 0 && ny >= 0 && nx < w && ny < h && !seen[j] && map.classes[j] === target) {
        seen[j] = 1;
        queue.push(j);
      }
    }
  }
  return out;
}

describe('floodFill', () => {
  it('matches a BFS fill on random maps, values and start pixels, and undoes exactly', () => {
    const rand = rng(3);
    let changedTotal = 0;
    for (let trial = 0; trial < 80; trial++) {
      const map = blobMap(60, 45, 500 + trial, 3, 20);
      const start = cloneMap(map);
      const sx = Math.floor(rand() * 60);
      const sy = Math.floor(rand() * 45);
      const pick = rand();
      const target = map.classes[sy * 60 + sx]!;
      const value = pick < 0.15 ? 255 : pick < 0.3 ? target : Math.floor(rand() * 5);
      const expected = bfsFill(map, sx, sy, value);
      const entry = floodFill(map, sx + rand(), sy + rand(), { value });
      expect(diffIndices(expected, map)).toEqual([]);
      const changed = diffIndices(start, map).length;
      changedTotal += changed;
      expect(entry === null).toBe(changed === 0);
      if (entry) {
        undoEntry(map, entry);
        expect(diffIndices(start, map)).toEqual([]);
        redoEntry(map, entry);
        expect(diffIndices(expected, map)).toEqual([]);
      }
    }
    expect(changedTotal).toBeGreaterThan(20_000);
  });

  it('fills a one-pixel-wide serpentine of 500k pixels without recursion', () => {
    const w = 1001;
    const h = 1001;
    const map = blankMap(w, h);
    // walls (class 0) on odd rows, with a gap alternating between the right and left end
    for (let y = 1; y < h; y += 2) {
      map.classes.fill(0, y * w, (y + 1) * w);
      const gap = (y >> 1) % 2 === 0 ? w - 1 : 0;
      map.classes[y * w + gap] = 255;
    }
    const expected = bfsFill(map, 0, 0, 4);
    expect(floodFill(map, 0, 0, { value: 4 })).not.toBeNull();
    expect(diffIndices(expected, map)).toEqual([]);
    expect(map.classes[(h - 1) * w + 500]).toBe(4);
  });

  it('protect-labels fills only when starting on unlabeled pixels', () => {
    const map = blobMap(50, 40, 77);
    const start = cloneMap(map);
    const labeled = map.classes.findIndex((c) => c !== 255);
    expect(floodFill(map, labeled % 50, Math.floor(labeled / 50), { value: 6, protectLabels: true })).toBeNull();
    expect(diffIndices(start, map)).toEqual([]);
    const free = map.classes.findIndex((c) => c === 255);
    const expected = bfsFill(map, free % 50, Math.floor(free / 50), 6);
    floodFill(map, free % 50, Math.floor(free / 50), { value: 6, protectLabels: true });
    expect(diffIndices(expected, map)).toEqual([]);
  });

  it('filling a region with its own class marks only that region as painted', () => {
    const map = blankMap(20, 10);
    for (let y = 0; y < 10; y++)
      for (let x = 0; x < 20; x++) {
        map.classes[y * 20 + x] = x === 10 ? 1 : 2; // a column of class 1 splits class 2 in two
        map.provenance[y * 20 + x] = 3;
      }
    const entry = floodFill(map, 3, 3, { value: 2 });
    expect(entry!.rect).toEqual({ x: 0, y: 0, width: 10, height: 10 });
    for (let y = 0; y < 10; y++)
      for (let x = 0; x < 20; x++) {
        expect(map.provenance[y * 20 + x]).toBe(x < 10 ? 1 : 3);
      }
  });

  it('returns null outside the image and for erasing unlabeled pixels', () => {
    const map = blankMap(10, 10);
    expect(floodFill(map, -1, 3, { value: 1 })).toBeNull();
    expect(floodFill(map, 3, 10, { value: 1 })).toBeNull();
    expect(floodFill(map, 3, 3, { value: 255 })).toBeNull();
    expect(() => floodFill(map, 3, 3, { value: -1 })).toThrow(RangeError);
  });
});
