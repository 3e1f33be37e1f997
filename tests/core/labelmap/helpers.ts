/** Test helpers: seeded randomness and label maps built independently of the code under test. */
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
