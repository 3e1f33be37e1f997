/** Test helpers: seeded randomness and label maps built independently of the code under test. */
import { Provenance, UNLABELED } from '../../../core/labelmap/types';
import type { LabelMap } from '../../../core/labelmap/types';

/** mulberry32: deterministic floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A map built by hand (not createLabelMap): all unlabeled. */
export function blankMap(width: number, height: number): LabelMap {
  return {
    width,
    height,
    classes: new Uint8Array(width * height).fill(255),
    provenance: new Uint8Array(width * height),
  };
}

/** Random rectangles of classes 0..k-1 (and some unlabeled) with mixed provenance codes 2..4. */
export function blobMap(width: number, height: number, seed: number, k = 3, rects = 12): LabelMap {
  const rand = rng(seed);
  const map = blankMap(width, height);
  for (let n = 0; n < rects; n++) {
    const x0 = Math.floor(rand() * width);
    const y0 = Math.floor(rand() * height);
    const w = 1 + Math.floor(rand() * width * 0.5);
    const h = 1 + Math.floor(rand() * height * 0.5);
    const v = rand() < 0.2 ? 255 : Math.floor(rand() * k);
    for (let y = y0; y < Math.min(height, y0 + h); y++) {
      for (let x = x0; x < Math.min(width, x0 + w); x++) {
        map.classes[y * width + x] = v;
        map.provenance[y * width + x] = v === 255 ? 0 : 2 + Math.floor(rand() * 3);
      }
    }
  }
  return map;
}

export function cloneMap(map: LabelMap): LabelMap {
  return { width: map.width, height: map.height, classes: map.classes.slice(), provenance: map.provenance.slice() };
}

/** Indices where two maps differ in class or provenance. */
export function diffIndices(a: LabelMap, b: LabelMap): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.classes.length; i++) {
    if (a.classes[i] !== b.classes[i] || a.provenance[i] !== b.provenance[i]) out.push(i);
  }
  return out;
}

/** Exact equality of both planes, reported as a count so failures are readable. */
export function sameBytes(a: LabelMap, b: LabelMap): boolean {
  return diffIndices(a, b).length === 0;
}

/** Pixels 4-connected to (sx, sy) through pixels within `tol` of its colour and not painted (nor labeled when `protect`). */
export function bruteWandRegion(
  map: LabelMap,
  rgba: ArrayLike<number>,
  sx: number,
  sy: number,
  tol: number,
  protect: boolean,
): Set<number> {
  const w = map.width;
  const seed = sy * w + sx;
  const ok = (i: number) =>
    [0, 1, 2].every((c) => Math.abs(rgba[i * 4 + c]! - rgba[seed * 4 + c]!) <= tol) &&
    map.provenance[i] !== Provenance.Painted &&
    (!protect || map.classes[i] === UNLABELED);
  const out = new Set<number>();
  if (!ok(seed)) return out;
  const queue = [seed];
  out.add(seed);
  while (queue.length) {
    const i = queue.shift()!;
    const x = i % w;
    const y = (i - x) / w;
    for (const [nx, ny] of [
      [x - 1, y],
      [x + 1, y],
      [x, y - 1],
      [x, y + 1],
    ] as const) {
      const j = ny * w + nx;
      if (nx < 0 || ny < 0 || nx >= w || ny >= map.height || out.has(j) || !ok(j)) continue;
      out.add(j);
      queue.push(j);
    }
  }
  return out;
}
