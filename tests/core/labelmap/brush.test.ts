import { describe, expect, it } from 'vitest';
import { StrokeSession, snapBrushPoint } from '../../../core/labelmap/brush';
import { LabelHistory } from '../../../core/labelmap/history';
import type { LabelMap, Rect } from '../../../core/labelmap/types';
import { blankMap, blobMap, cloneMap, diffIndices, rng } from './helpers';

/** Distance from (px, py) to segment A-B, computed by cases (independent of the implementation). */
function segDist(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const vx = bx - ax;
  const vy = by - ay;
  const len = Math.hypot(vx, vy);
  if (len === 0) return Math.hypot(px - ax, py - ay);
  const along = ((px - ax) * vx + (py - ay) * vy) / len;
  if (along <= 0) return Math.hypot(px - ax, py - ay);
  if (along >= len) return Math.hypot(px - bx, py - by);
  return Math.abs((px - ax) * vy - (py - ay) * vx) / len;
}

/** Per pixel: distance from its centre to the polyline (the first point alone if it has one point). */
function polylineDist(map: LabelMap, pts: number[][]): Float64Array {
  const d = new Float64Array(map.width * map.height).fill(Infinity);
  for (let y = 0; y < map.height; y++) {
    for (let x = 0; x < map.width; x++) {
      for (let s = 0; s < pts.length; s++) {
        const a = pts[Math.max(0, s - 1)]!;
        const b = pts[s]!;
        const v = segDist(x + 0.5, y + 0.5, a[0]!, a[1]!, b[0]!, b[1]!);
        if (v < d[y * map.width + x]!) d[y * map.width + x] = v;
      }
    }
  }
  return d;
}

function stroke(map: LabelMap, pts: number[][], diameter: number, value: number, protectLabels = false) {
  const s = new StrokeSession(map, { diameter, value, protectLabels });
  const rects = pts.map(([x, y]) => s.addPoint(x!, y!));
  return { rects, entry: s.commit() };
}

function coveredSet(map: LabelMap, value: number): Set<number> {
  const out = new Set<number>();
  map.classes.forEach((c, i) => c === value && out.add(i));
  return out;
}

describe('brush footprint (hand-computed)', () => {
  it('diameter 3 at a pixel centre is a 3x3 block', () => {
    const map = blankMap(12, 12);
    stroke(map, [[5.5, 5.5]], 3, 1);
    const expected = new Set<number>();
    for (let y = 4; y <= 6; y++) for (let x = 4; x <= 6; x++) expected.add(y * 12 + x);
    expect(coveredSet(map, 1)).toEqual(expected);
  });

  it('diameter 2 at a pixel centre is a plus: centres exactly on the radius are covered', () => {
    const map = blankMap(12, 12);
    stroke(map, [[5.5, 5.5]], 2, 1);
    expect(coveredSet(map, 1)).toEqual(new Set([4 * 12 + 5, 5 * 12 + 4, 5 * 12 + 5, 5 * 12 + 6, 6 * 12 + 5]));
  });

  it('diameter 4 at a pixel corner is a 4x4 block without its corners', () => {
    const map = blankMap(12, 12);
    stroke(map, [[5, 5]], 4, 1);
    const expected = new Set<number>();
    for (let y = 3; y <= 6; y++) for (let x = 3; x <= 6; x++) expected.add(y * 12 + x);
    for (const i of [3 * 12 + 3, 3 * 12 + 6, 6 * 12 + 3, 6 * 12 + 6]) expected.delete(i);
    expect(coveredSet(map, 1)).toEqual(expected);
  });

  it('a horizontal segment of diameter 3 covers 3 rows from x-1 to x+1 past its ends', () => {
    const map = blankMap(12, 12);
    stroke(
      map,
      [
        [2.5, 5.5],
        [8.5, 5.5],
      ],
      3,
      2,
    );
    const expected = new Set<number>();
    for (let y = 4; y <= 6; y++) for (let x = 1; x <= 9; x++) expected.add(y * 12 + x);
    expect(coveredSet(map, 2)).toEqual(expected);
  });

  it('snapBrushPoint gives 1, 2x2 and 3x3 footprints for diameters 1, 2, 3', () => {
    for (const [d, n] of [
      [1, 1],
      [2, 4],
      [3, 9],
    ] as const) {
      const map = blankMap(10, 10);
      const p = snapBrushPoint(4.3, 4.8, d);
      stroke(map, [[p.x, p.y]], d, 0);
      expect(coveredSet(map, 0).size).toBe(n);
    }
  });
});

describe('brush against a brute-force distance check', () => {
  it('random polylines, diameters and values cover exactly the pixels within radius', () => {
    const rand = rng(7);
    let covered = 0;
    for (let trial = 0; trial < 60; trial++) {
      const map = blobMap(70, 50, 100 + trial);
      const before = cloneMap(map);
      const diameter = trial % 3 === 0 ? 1 + Math.floor(rand() * 20) : 0.5 + rand() * 25;
      const pts: number[][] = [];
      const n = 1 + Math.floor(rand() * 6);
      for (let k = 0; k < n; k++) pts.push([rand() * 90 - 10, rand() * 70 - 10]);
      const protect = trial % 4 === 1;
      const value = trial % 5 === 2 ? 255 : 7;
      stroke(map, pts, diameter, value, protect);
      const dist = polylineDist(map, pts);
      const r = diameter / 2;
      for (let i = 0; i < dist.length; i++) {
        const inside = dist[i]! <= r;
        if (Math.abs(dist[i]! - r) < 1e-9) continue; // a tie on the boundary may round either way
        const writable = !protect || before.classes[i] === 255;
        const expC = inside && writable ? value : before.classes[i];
        const expP = inside && writable ? (value === 255 ? 0 : 1) : before.provenance[i];
        if (map.classes[i] !== expC || map.provenance[i] !== expP) {
          throw new Error(`trial ${trial} pixel ${i % 70},${Math.floor(i / 70)} dist ${dist[i]} r ${r}`);
        }
        if (inside) covered++;
      }
    }
    expect(covered).toBeGreaterThan(10_000);
  });

  it('each move returns exactly the bounding box of the pixels it changed', () => {
    const rand = rng(11);
    const map = blobMap(64, 48, 3);
    const s = new StrokeSession(map, { diameter: 9, value: 4 });
    let nonNull = 0;
    for (let k = 0; k < 40; k++) {
      const prev = cloneMap(map);
      const rect = s.addPoint(rand() * 64, rand() * 48);
      const diff = diffIndices(prev, map);
      if (diff.length === 0) {
        expect(rect).toBeNull();
        continue;
      }
      nonNull++;
      const xs = diff.map((i) => i % 64);
      const ys = diff.map((i) => Math.floor(i / 64));
      const box: Rect = {
        x: Math.min(...xs),
        y: Math.min(...ys),
        width: Math.max(...xs) - Math.min(...xs) + 1,
        height: Math.max(...ys) - Math.min(...ys) + 1,
      };
      expect(rect).toEqual(box);
    }
    expect(nonNull).toBeGreaterThan(10);
  });
});

describe('stroke commit, cancel and undo', () => {
  it('one stroke of many moves is one undo step that restores and reapplies exact bytes', () => {
    const map = blobMap(200, 150, 5);
    const start = cloneMap(map);
    const history = new LabelHistory(map);
    const pts: number[][] = [];
    for (let k = 0; k < 100; k++) pts.push([20 + k * 1.6, 30 + 40 * Math.sin(k / 10)]);
    const { entry } = stroke(map, pts, 15, 9);
    const painted = cloneMap(map);
    history.push(entry);
    expect(history.undoDepth).toBe(1);
    const diff = diffIndices(start, painted);
    expect(diff.length).toBeGreaterThan(1000);
    const r = history.undo()!.rect;
    expect(diffIndices(start, map)).toEqual([]);
    for (const i of diff) {
      const x = i % 200;
      const y = Math.floor(i / 200);
      expect(x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height).toBe(true);
    }
    expect(history.canUndo).toBe(false);
    history.redo();
    expect(diffIndices(painted, map)).toEqual([]);
  });

  it('a long diagonal stroke stores far less than its bounding box', () => {
    const map = blankMap(2000, 2000);
    const pts: number[][] = [];
    for (let k = 0; k <= 400; k++) pts.push([k * 5, k * 5]);
    const { entry } = stroke(map, pts, 20, 3);
    expect(entry!.rect).toEqual({ x: 0, y: 0, width: 2000, height: 2000 });
    expect(entry!.bytes).toBeLessThan((4 * 2000 * 2000) / 10);
    // and every changed pixel is inside some patch
    const inPatch = new Uint8Array(2000 * 2000);
    for (const p of entry!.patches) {
      for (let y = p.rect.y; y < p.rect.y + p.rect.height; y++)
        inPatch.fill(1, y * 2000 + p.rect.x, y * 2000 + p.rect.x + p.rect.width);
    }
    let outside = 0;
    map.classes.forEach((c, i) => c !== 255 && !inPatch[i] && outside++);
    expect(outside).toBe(0);
  });

  it('cancel restores every byte and returns the rect to redraw', () => {
    const map = blobMap(100, 80, 9);
    const start = cloneMap(map);
    const s = new StrokeSession(map, { diameter: 12, value: 1 });
    for (let k = 0; k < 30; k++) s.addPoint(10 + k * 3, 10 + k * 2);
    expect(diffIndices(start, map).length).toBeGreaterThan(0);
    expect(s.cancel()).not.toBeNull();
    expect(diffIndices(start, map)).toEqual([]);
    expect(() => s.addPoint(1, 1)).toThrow();
  });

  it('a stroke that changes nothing yields no undo entry', () => {
    const map = blankMap(40, 40);
    stroke(map, [[20, 20]], 10, 2);
    expect(
      stroke(
        map,
        [
          [20, 20],
          [21, 20],
        ],
        6,
        2,
      ).entry,
    ).toBeNull();
    expect(stroke(map, [[20, 20]], 6, 5, true).entry).toBeNull();
  });

  it('protect-labels paints only unlabeled pixels and keeps existing labels', () => {
    const map = blankMap(30, 30);
    for (let i = 0; i < 30 * 15; i++) {
      map.classes[i] = 0;
      map.provenance[i] = 3;
    }
    stroke(
      map,
      [
        [15, 5],
        [15, 25],
      ],
      8,
      6,
      true,
    );
    for (let i = 0; i < 30 * 15; i++) expect([map.classes[i], map.provenance[i]]).toEqual([0, 3]);
    expect(coveredSet(map, 6).size).toBeGreaterThan(50);
    map.classes.forEach((c, i) => c === 6 && expect(map.provenance[i]).toBe(1));
  });

  it('rejects bad diameters, values and points', () => {
    const map = blankMap(10, 10);
    expect(() => new StrokeSession(map, { diameter: 0, value: 1 })).toThrow(RangeError);
    expect(() => new StrokeSession(map, { diameter: 3, value: 256 })).toThrow(RangeError);
    expect(() => new StrokeSession(map, { diameter: 3, value: 1 }).addPoint(NaN, 1)).toThrow(RangeError);
  });
});
