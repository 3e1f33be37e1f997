/** SLIC superpixels and the superpixel brush, against brute force written here from the documented rules. */
import { describe, expect, it } from 'vitest';
import {
  assignPixels,
  computeSuperpixels,
  enforceConnectivity,
  superpixelAt,
  SuperpixelStroke,
  type Centres,
} from '../../../core/labelmap/superpixels';
import { undoEntry } from '../../../core/labelmap/patch';
import { Provenance, UNLABELED } from '../../../core/labelmap/types';
import { blankMap, blobMap, rng } from './helpers';

/** Pixels of each label (4-connectivity checked by a plain BFS). */
function isConnected(labels: Int32Array, w: number, h: number, k: number): boolean {
  const members = [...labels.keys()].filter((i) => labels[i] === k);
  if (members.length === 0) return false;
  const seen = new Set([members[0]!]);
  const queue = [members[0]!];
  while (queue.length) {
    const i = queue.pop()!;
    const x = i % w;
    for (const j of [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, i - w, i + w]) {
      if (j < 0 || j >= w * h || seen.has(j) || labels[j] !== k) continue;
      seen.add(j);
      queue.push(j);
    }
  }
  return seen.size === members.length;
}

/** Four flat colours split at x = 23 and y = 17 (not on the superpixel grid). */
function quadrants(w: number, h: number): Uint8Array {
  const colours = [
    [200, 40, 40],
    [40, 180, 60],
    [30, 60, 200],
    [230, 220, 90],
  ];
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const c = colours[(x >= 23 ? 1 : 0) + (y >= 17 ? 2 : 0)]!;
      rgba.set([...c, 255], (y * w + x) * 4);
    }
  return rgba;
}

describe('assignPixels', () => {
  it('gives each pixel the nearest centre among those whose window holds it (brute force over all centres)', () => {
    const rand = rng(5);
    const w = 37;
    const h = 29;
    const step = 6;
    const lab = Float32Array.from({ length: w * h * 3 }, () => rand() * 100);
    const centres: Centres = Array.from({ length: 30 }, () =>
      Float64Array.of(rand() * 100, rand() * 100, rand() * 100, rand() * (w - 1), rand() * (h - 1)),
    );
    const got = assignPixels(lab, w, h, centres, step, 10);
    const k2 = (10 / step) ** 2;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        let best = -1;
        let bestD = Infinity;
        centres.forEach((c, k) => {
          if (Math.abs(x - Math.round(c[3]!)) > step || Math.abs(y - Math.round(c[4]!)) > step) return;
          const d =
            (lab[i * 3]! - c[0]!) ** 2 +
            (lab[i * 3 + 1]! - c[1]!) ** 2 +
            (lab[i * 3 + 2]! - c[2]!) ** 2 +
            ((x - c[3]!) ** 2 + (y - c[4]!) ** 2) * k2;
          if (d < bestD) [bestD, best] = [d, k];
        });
        expect(got[i], `pixel (${x},${y})`).toBe(best);
      }
  });
});

describe('enforceConnectivity', () => {
  it('numbers connected components, merges small ones into a neighbour, keeps big ones apart', () => {
    // Hand-made: label 0 in two pieces (a big left block, a 1-pixel island), label 1 around them.
    const w = 6;
    const h = 4;
    const input = Int32Array.from([0, 0, 1, 1, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, -1, 1]);
    const { labels, count } = enforceConnectivity(input, w, h, 2);
    // The island (3,1) and the unassigned pixel (4,3) join label 1's component.
    expect(count).toBe(2);
    expect([...labels]).toEqual([0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1]);
  });
});

describe('computeSuperpixels', () => {
  it('never lets a superpixel cross a colour edge, and every superpixel is one 4-connected piece', () => {
    const w = 50;
    const h = 40;
    const sp = computeSuperpixels(quadrants(w, h), w, h, { step: 8 });
    expect(sp.gridWidth).toBe(w);
    const colourOf = (i: number) => (i % w >= 23 ? 1 : 0) + (Math.floor(i / w) >= 17 ? 2 : 0);
    const colours = new Map<number, Set<number>>();
    for (let i = 0; i < w * h; i++) {
      const k = sp.labels[i]!;
      expect(k).toBeGreaterThanOrEqual(0);
      expect(k).toBeLessThan(sp.count);
      colours.set(k, (colours.get(k) ?? new Set()).add(colourOf(i)));
    }
    expect([...colours.values()].every((s) => s.size === 1)).toBe(true);
    expect(colours.size).toBe(sp.count);
    for (let k = 0; k < sp.count; k++) expect(isConnected(sp.labels, w, h, k), `superpixel ${k}`).toBe(true);
    // About (50/8) x (40/8) grid cells, split further by the colour edges.
    expect(sp.count).toBeGreaterThanOrEqual(20);
    expect(sp.count).toBeLessThanOrEqual(60);
  });

  it('works at a reduced resolution for big images, mapping every full-resolution pixel to a superpixel', () => {
    const w = 101;
    const h = 67;
    const sp = computeSuperpixels(quadrants(w, h), w, h, { step: 5, maxPixels: 1500 });
    expect(sp.gridWidth * sp.gridHeight).toBeLessThanOrEqual(1600);
    expect(sp.gridWidth).toBeLessThan(w);
    const seen = new Set<number>();
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) seen.add(superpixelAt(sp, x, y));
    expect(seen.size).toBe(sp.count);
  });
});

describe('SuperpixelStroke', () => {
  it('paints exactly the superpixels with a pixel centre under the brush, never painted pixels', () => {
    const rand = rng(9);
    for (const [w, h, maxPixels] of [
      [60, 45, undefined],
      [97, 71, 1800],
    ] as const) {
      const rgba = Uint8Array.from(
        { length: w * h * 4 },
        (_, i) => ((i >> 2) % w < w / 2 ? 60 : 190) + Math.floor(rand() * 20),
      );
      const sp = computeSuperpixels(rgba, w, h, { step: 6, maxPixels });
      const map = blobMap(w, h, 3);
      for (let i = 0; i < w * h; i++) if (rand() < 0.1) [map.classes[i], map.provenance[i]] = [2, Provenance.Painted];
      const expected = { classes: map.classes.slice(), provenance: map.provenance.slice() };
      const before = map.classes.slice();
      const points = [
        [10.3, 12.7, 5],
        [30.5, 20.5, 9],
        [w - 2, h - 3, 1],
      ] as const;
      const touched = new Set<number>();
      for (const [px, py, d] of points)
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++)
            if ((x + 0.5 - px) ** 2 + (y + 0.5 - py) ** 2 <= Math.max(0.5, d / 2) ** 2)
              touched.add(superpixelAt(sp, x, y));
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const i = y * w + x;
          if (!touched.has(superpixelAt(sp, x, y)) || map.provenance[i] === Provenance.Painted) continue;
          expected.classes[i] = 4;
          expected.provenance[i] = Provenance.Painted;
        }
      const stroke = new SuperpixelStroke(map, sp, { value: 4 });
      for (const [px, py, d] of points) stroke.addPoint(px, py, d);
      const entry = stroke.commit();
      expect(map.classes).toEqual(expected.classes);
      expect(map.provenance).toEqual(expected.provenance);
      undoEntry(map, entry!);
      expect(map.classes).toEqual(before);
    }
  });

  it('with "only unlabeled" writes unlabeled pixels only, and cancel restores the map', () => {
    const w = 30;
    const h = 20;
    const sp = computeSuperpixels(quadrants(w, h), w, h, { step: 5 });
    const map = blankMap(w, h);
    map.classes.fill(1, 0, 100);
    map.provenance.fill(Provenance.Propagated, 0, 100);
    const stroke = new SuperpixelStroke(map, sp, { value: 0, protectLabels: true });
    stroke.addPoint(5, 5, 30);
    expect(map.classes.subarray(0, 100).every((v) => v === 1)).toBe(true);
    expect(map.classes.subarray(100).some((v) => v === 0)).toBe(true);
    stroke.cancel();
    expect(map.classes.subarray(100).every((v) => v === UNLABELED)).toBe(true);
  });
});
