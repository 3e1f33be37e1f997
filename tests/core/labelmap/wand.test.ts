/** The magic wand against a plain breadth-first search written here from the documented rule. */
import { describe, expect, it } from 'vitest';
import { magicWand } from '../../../core/labelmap/wand';
import { undoEntry } from '../../../core/labelmap/patch';
import { Provenance } from '../../../core/labelmap/types';
import { blankMap, blobMap, bruteWandRegion, rng } from './helpers';

/** A photo of a few flat-ish colour patches with noise, so tolerance matters. */
function noisyPhoto(w: number, h: number, seed: number): Uint8Array {
  const rand = rng(seed);
  const rgba = new Uint8Array(w * h * 4);
  const patches = Array.from({ length: 4 }, () => [rand() * 255, rand() * 255, rand() * 255]);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = patches[(x * 3 > w * (1 + Math.sin(y / 4)) ? 1 : 0) + (y * 2 > h ? 2 : 0)]!;
      for (let c = 0; c < 3; c++)
        rgba[(y * w + x) * 4 + c] = Math.max(0, Math.min(255, Math.round(p[c]! + (rand() - 0.5) * 30)));
      rgba[(y * w + x) * 4 + 3] = 255;
    }
  }
  return rgba;
}

describe('magicWand', () => {
  it('fills a hand-computed region: similar colours, 4-connected, around a painted pixel', () => {
    // 5x3 photo, grey levels; tolerance 10 from the seed (0,0) = 100 takes 100..110.
    const grey = [100, 105, 200, 108, 110, 104, 200, 200, 109, 100, 111, 50, 50, 106, 100];
    const rgba = new Uint8Array(grey.flatMap((g) => [g, g, g, 255]));
    const map = blankMap(5, 3);
    map.classes[9] = 7; // (4,1) painted: stays, and blocks nothing else here
    map.provenance[9] = Provenance.Painted;
    map.classes[3] = 2; // (3,0) propagated: the wand may change it
    map.provenance[3] = Provenance.Propagated;
    const entry = magicWand(map, rgba, 0.5, 0.5, { value: 4, tolerance: 10 });
    expect(entry).not.toBeNull();
    // Region: (0,0) (1,0) (0,1); (3,0) (4,0) (3,2) (4,2) are similar but not connected through similar pixels
    // except via (4,1), which is painted; (0,2) = 111 is too far from 100.
    const want = [4, 4, 255, 2, 255, 4, 255, 255, 255, 7, 255, 255, 255, 255, 255];
    expect([...map.classes]).toEqual(want);
    expect(map.provenance[0]).toBe(Provenance.Painted);
    undoEntry(map, entry!);
    expect(map.classes[0]).toBe(255);
  });

  it('equals a breadth-first search on random photos, maps, seeds and tolerances', () => {
    const rand = rng(11);
    for (let trial = 0; trial < 40; trial++) {
      const w = 20 + Math.floor(rand() * 30);
      const h = 10 + Math.floor(rand() * 25);
      const rgba = noisyPhoto(w, h, trial);
      const map = blobMap(w, h, trial + 100);
      for (let i = 0; i < w * h; i++) if (rand() < 0.08) [map.classes[i], map.provenance[i]] = [1, Provenance.Painted];
      const sx = Math.floor(rand() * w);
      const sy = Math.floor(rand() * h);
      const tol = Math.floor(rand() * 60);
      const protect = rand() < 0.3;
      const expected = { classes: map.classes.slice(), provenance: map.provenance.slice() };
      for (const i of bruteWandRegion(map, rgba, sx, sy, tol, protect)) {
        expected.classes[i] = 3;
        expected.provenance[i] = Provenance.Painted;
      }
      const before = map.classes.slice();
      const entry = magicWand(map, rgba, sx + 0.5, sy + 0.5, { value: 3, tolerance: tol, protectLabels: protect });
      expect(map.classes).toEqual(expected.classes);
      expect(map.provenance).toEqual(expected.provenance);
      if (entry) undoEntry(map, entry);
      expect(map.classes).toEqual(before);
    }
  });

  it('does nothing outside the image or on a painted pixel', () => {
    const rgba = new Uint8Array(4 * 4 * 4);
    const map = blankMap(4, 4);
    map.provenance[5] = Provenance.Painted;
    map.classes[5] = 0;
    expect(magicWand(map, rgba, -1, 2, { value: 1, tolerance: 255 })).toBeNull();
    expect(magicWand(map, rgba, 1.5, 1.5, { value: 1, tolerance: 255 })).toBeNull();
    expect(magicWand(map, rgba, 0, 0, { value: 1, tolerance: 255 })!.rect).toEqual({ x: 0, y: 0, width: 4, height: 4 });
    expect(map.classes[5]).toBe(0);
  });
});
