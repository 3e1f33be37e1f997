import { describe, expect, it } from 'vitest';
import { fillPolygon } from '../../../core/labelmap/polygon';
import type { FillRule } from '../../../core/labelmap/polygon';
import { undoEntry } from '../../../core/labelmap/patch';
import type { LabelMap } from '../../../core/labelmap/types';
import { blankMap, blobMap, cloneMap, diffIndices, rng } from './helpers';

/** Brute force at one point: even-odd parity (pnpoly) or winding number, rays to the right. */
function insideAt(px: number, py: number, pts: number[], rule: FillRule): boolean {
  const n = pts.length / 2;
  let parity = false;
  let winding = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = pts[2 * i]!,
      yi = pts[2 * i + 1]!,
      xj = pts[2 * j]!,
      yj = pts[2 * j + 1]!;
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) {
      parity = !parity;
      winding += yi > yj ? 1 : -1; // edge j -> i runs towards +y when yi > yj
    }
  }
  return rule === 'evenodd' ? parity : winding !== 0;
}

/** Distance from a point to the nearest polygon edge, to skip exact boundary ties. */
function edgeDist(px: number, py: number, pts: number[]): number {
  const n = pts.length / 2;
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    const ax = pts[2 * i]!,
      ay = pts[2 * i + 1]!;
    const bx = pts[(2 * i + 2) % (2 * n)]!,
      by = pts[(2 * i + 3) % (2 * n)]!;
    const l2 = (bx - ax) ** 2 + (by - ay) ** 2;
    const t = l2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / l2));
    best = Math.min(best, Math.hypot(px - ax - t * (bx - ax), py - ay - t * (by - ay)));
  }
  return best;
}

function filled(map: LabelMap, value: number): Set<number> {
  const s = new Set<number>();
  map.classes.forEach((c, i) => c === value && s.add(i));
  return s;
}

describe('fillPolygon against brute-force point-in-polygon on pixel centres', () => {
  for (const rule of ['evenodd', 'nonzero'] as const) {
    it(`random (self-intersecting) polygons, rule ${rule}`, () => {
      const rand = rng(rule === 'evenodd' ? 21 : 22);
      let inside = 0;
      for (let trial = 0; trial < 60; trial++) {
        const map = blobMap(64, 48, 900 + trial);
        const before = cloneMap(map);
        const n = 3 + Math.floor(rand() * 10);
        const pts: number[] = [];
        for (let k = 0; k < n; k++) pts.push(rand() * 84 - 10, rand() * 68 - 10);
        const protect = trial % 3 === 1;
        const value = trial % 7 === 3 ? 255 : 5;
        const entry = fillPolygon(map, pts, { value, rule, protectLabels: protect });
        const wrong: string[] = [];
        for (let y = 0; y < 48; y++) {
          for (let x = 0; x < 64; x++) {
            if (edgeDist(x + 0.5, y + 0.5, pts) < 1e-9) continue; // a tie on an edge may round either way
            const i = y * 64 + x;
            const isIn = insideAt(x + 0.5, y + 0.5, pts, rule);
            if (isIn) inside++;
            const hit = isIn && (!protect || before.classes[i] === 255);
            const expC = hit ? value : before.classes[i];
            const expP = hit ? (value === 255 ? 0 : 1) : before.provenance[i];
            if (map.classes[i] !== expC || map.provenance[i] !== expP) wrong.push(`${x},${y}`);
          }
        }
        expect(wrong).toEqual([]);
        if (entry) undoEntry(map, entry);
        expect(diffIndices(before, map)).toEqual([]);
      }
      expect(inside).toBeGreaterThan(20_000);
    });
  }
});

describe('fillPolygon (hand-computed)', () => {
  it('an integer-cornered rectangle fills exactly its pixels', () => {
    const map = blankMap(12, 12);
    fillPolygon(map, [2, 3, 7, 3, 7, 9, 2, 9], { value: 1 });
    const expected = new Set<number>();
    for (let y = 3; y < 9; y++) for (let x = 2; x < 7; x++) expected.add(y * 12 + x);
    expect(filled(map, 1)).toEqual(expected);
  });

  it('a square through pixel centres includes its top and left edges only', () => {
    const map = blankMap(10, 10);
    fillPolygon(map, [2.5, 2.5, 6.5, 2.5, 6.5, 6.5, 2.5, 6.5], { value: 1 });
    const expected = new Set<number>();
    for (let y = 2; y <= 5; y++) for (let x = 2; x <= 5; x++) expected.add(y * 10 + x);
    expect(filled(map, 1)).toEqual(expected);
  });

  it('two triangles sharing a diagonal cover the quad exactly once', () => {
    const rand = rng(5);
    let checked = 0;
    for (let trial = 0; trial < 30; trial++) {
      const q = Array.from({ length: 8 }, () => Math.floor(rand() * 40) + 0.5); // vertices on centres
      const [ax, ay, bx, by, cx, cy, dx, dy] = q as [number, number, number, number, number, number, number, number];
      const one = blankMap(40, 40);
      const two = blankMap(40, 40);
      const both = blankMap(40, 40);
      fillPolygon(one, [ax, ay, bx, by, cx, cy], { value: 1 });
      fillPolygon(two, [cx, cy, dx, dy, ax, ay], { value: 1 });
      fillPolygon(both, [ax, ay, bx, by, cx, cy, dx, dy], { value: 1 });
      const cross = (px: number, py: number, qx: number, qy: number, rx: number, ry: number) =>
        (qx - px) * (ry - py) - (qy - py) * (rx - px);
      const s1 = cross(ax, ay, cx, cy, bx, by);
      const s2 = cross(ax, ay, cx, cy, dx, dy);
      if (!(s1 * s2 < 0)) continue; // B and D on opposite sides of AC: ABCD is simple
      checked++;
      let overlap = 0;
      let mismatch = 0;
      for (let i = 0; i < 1600; i++) {
        const a = one.classes[i] === 1;
        const b = two.classes[i] === 1;
        if (a && b) overlap++;
        if ((a || b) !== (both.classes[i] === 1)) mismatch++;
      }
      expect([overlap, mismatch]).toEqual([0, 0]);
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('a pentagram: even-odd leaves the middle empty, nonzero fills it', () => {
    const star: number[] = [];
    for (let k = 0; k < 5; k++) {
      const t = -Math.PI / 2 + (k * 4 * Math.PI) / 5;
      star.push(50 + 40 * Math.cos(t), 50 + 40 * Math.sin(t));
    }
    const even = blankMap(100, 100);
    const nonzero = blankMap(100, 100);
    fillPolygon(even, star, { value: 1, rule: 'evenodd' });
    fillPolygon(nonzero, star, { value: 1 });
    expect(even.classes[50 * 100 + 50]).toBe(255);
    expect(nonzero.classes[50 * 100 + 50]).toBe(1);
    expect(even.classes[12 * 100 + 50]).toBe(1);
  });

  it('degenerate polygons change nothing; bad input throws', () => {
    const map = blankMap(10, 10);
    expect(fillPolygon(map, [1, 1, 8, 8], { value: 1 })).toBeNull();
    expect(fillPolygon(map, [1, 1, 8, 1, 4, 1], { value: 1 })).toBeNull();
    expect(fillPolygon(map, [-50, -50, -20, -50, -20, -20], { value: 1 })).toBeNull();
    expect(() => fillPolygon(map, [1, 1, 8, 1, 4], { value: 1 })).toThrow(RangeError);
    expect(() => fillPolygon(map, [1, 1, 8, 1, 4, NaN], { value: 1 })).toThrow(RangeError);
  });

  it('a polygon covering the whole image fills every pixel', () => {
    const map = blankMap(30, 20);
    const entry = fillPolygon(map, [-5, -5, 100, -5, 100, 100, -5, 100], { value: 2 });
    expect(filled(map, 2).size).toBe(600);
    expect(entry!.rect).toEqual({ x: 0, y: 0, width: 30, height: 20 });
  });
});
