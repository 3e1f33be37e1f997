import { describe, expect, it } from 'vitest';
import { StrokeSession } from '../../../core/labelmap/brush';
import { floodFill } from '../../../core/labelmap/fill';
import { LabelHistory } from '../../../core/labelmap/history';
import { applyPatch } from '../../../core/labelmap/patch';
import type { EditEntry } from '../../../core/labelmap/patch';
import { fillPolygon } from '../../../core/labelmap/polygon';
import type { LabelMap, Rect } from '../../../core/labelmap/types';
import { blankMap, blobMap, cloneMap, diffIndices, rng } from './helpers';

function inside(r: Rect, i: number, w: number): boolean {
  const x = i % w;
  const y = Math.floor(i / w);
  return x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;
}

/** A random edit of one of the four kinds; returns its entry. */
function randomEdit(map: LabelMap, rand: () => number, kind: number): EditEntry | null {
  const { width: w, height: h } = map;
  const value = rand() < 0.2 ? 255 : Math.floor(rand() * 4);
  if (kind === 0) {
    const s = new StrokeSession(map, { diameter: 1 + rand() * 15, value });
    for (let k = 0; k < 10; k++) s.addPoint(rand() * w, rand() * h);
    return s.commit();
  }
  if (kind === 1) return floodFill(map, rand() * w, rand() * h, { value });
  if (kind === 2)
    return fillPolygon(map, [rand() * w, rand() * h, rand() * w, rand() * h, rand() * w, rand() * h], { value });
  const rect = { x: Math.floor(rand() * (w - 10)), y: Math.floor(rand() * (h - 10)), width: 10, height: 10 };
  const classes = new Uint8Array(100).map(() => Math.floor(rand() * 3));
  return applyPatch(map, rect, classes, new Uint8Array(100).fill(2));
}

describe('LabelHistory', () => {
  it('undo walks back through every snapshot exactly and redo forward again', () => {
    const rand = rng(1);
    const map = blobMap(90, 70, 42);
    const history = new LabelHistory(map);
    const snaps = [cloneMap(map)];
    for (let k = 0; k < 40; k++) {
      const entry = randomEdit(map, rand, k % 4);
      if (!entry) continue;
      history.push(entry);
      snaps.push(cloneMap(map));
    }
    expect(history.undoDepth).toBe(snaps.length - 1);
    expect(snaps.length).toBeGreaterThan(25);
    for (let k = snaps.length - 1; k > 0; k--) {
      const r = history.undo()!.rect;
      expect(diffIndices(snaps[k - 1]!, map)).toEqual([]);
      const outside = diffIndices(snaps[k - 1]!, snaps[k]!).filter((i) => !inside(r, i, 90));
      expect(outside).toEqual([]);
    }
    expect(history.undo()).toBeNull();
    for (let k = 1; k < snaps.length; k++) {
      expect(history.redo()).not.toBeNull();
      expect(diffIndices(snaps[k]!, map)).toEqual([]);
    }
    expect(history.redo()).toBeNull();
  });

  it('pushing an entry clears the redo stack', () => {
    const map = blankMap(20, 20);
    const history = new LabelHistory(map);
    const first = floodFill(map, 0, 0, { value: 1 })!;
    history.push(first);
    history.push(fillPolygon(map, [0, 0, 10, 0, 10, 10], { value: 2 }));
    history.undo();
    expect(history.canRedo).toBe(true);
    const third = fillPolygon(map, [0, 0, 5, 0, 5, 5], { value: 3 })!;
    history.push(third);
    expect(history.canRedo).toBe(false);
    expect(history.redo()).toBeNull();
    expect(history.undoDepth).toBe(2);
    expect(history.bytes).toBe(first.bytes + third.bytes);
  });

  it('evicts the oldest entries beyond the memory budget', () => {
    const map = blankMap(100, 100);
    // each entry: a 10x10 patch -> 400 bytes; budget fits 3
    const history = new LabelHistory(map, { budgetBytes: 1200 });
    const snaps = [cloneMap(map)];
    for (let k = 0; k < 5; k++) {
      const e = applyPatch(
        map,
        { x: k * 10, y: 0, width: 10, height: 10 },
        new Uint8Array(100).fill(k),
        new Uint8Array(100).fill(1),
      )!;
      expect(e.bytes).toBe(400);
      history.push(e);
      snaps.push(cloneMap(map));
    }
    expect(history.undoDepth).toBe(3);
    expect(history.bytes).toBe(1200);
    history.undo();
    history.undo();
    history.undo();
    expect(history.canUndo).toBe(false);
    expect(diffIndices(snaps[2]!, map)).toEqual([]); // edits 1 and 2 are no longer undoable
  });

  it('keeps the newest entry even when it alone exceeds the budget', () => {
    const map = blankMap(50, 50);
    const history = new LabelHistory(map, { budgetBytes: 100 });
    history.push(floodFill(map, 0, 0, { value: 1 }));
    history.push(floodFill(map, 0, 0, { value: 2 }));
    expect(history.undoDepth).toBe(1);
    expect(history.bytes).toBe(4 * 2500);
    history.undo();
    expect(map.classes.every((c) => c === 1)).toBe(true);
  });

  it('clear drops everything', () => {
    const map = blankMap(10, 10);
    const history = new LabelHistory(map);
    history.push(floodFill(map, 0, 0, { value: 1 }));
    history.clear();
    expect([history.canUndo, history.bytes]).toEqual([false, 0]);
    expect(() => new LabelHistory(map, { budgetBytes: -1 })).toThrow(RangeError);
  });
});

describe('applyPatch', () => {
  it('writes the bytes and trims the entry to the pixels that changed', () => {
    const map = blankMap(30, 30);
    const classes = new Uint8Array(100).fill(255);
    const provenance = new Uint8Array(100);
    classes[3 * 10 + 4] = 7; // (x 14, y 13) in the map
    provenance[3 * 10 + 4] = 2;
    classes[6 * 10 + 8] = 8; // (x 18, y 16)
    provenance[6 * 10 + 8] = 4;
    const entry = applyPatch(map, { x: 10, y: 10, width: 10, height: 10 }, classes, provenance)!;
    expect(entry.rect).toEqual({ x: 14, y: 13, width: 5, height: 4 });
    expect(entry.bytes).toBe(4 * 20);
    expect([map.classes[13 * 30 + 14], map.provenance[13 * 30 + 14]]).toEqual([7, 2]);
    expect([map.classes[16 * 30 + 18], map.provenance[16 * 30 + 18]]).toEqual([8, 4]);
    expect(applyPatch(map, { x: 10, y: 10, width: 10, height: 10 }, classes, provenance)).toBeNull();
  });

  it('rejects rects outside the map and wrong byte counts', () => {
    const map = blankMap(10, 10);
    const b = new Uint8Array(16);
    expect(() => applyPatch(map, { x: 8, y: 0, width: 4, height: 4 }, b, b)).toThrow(RangeError);
    expect(() => applyPatch(map, { x: 0, y: 0, width: 4, height: 3 }, b, b)).toThrow(RangeError);
    expect(() => applyPatch(map, { x: 0.5, y: 0, width: 4, height: 4 }, b, b)).toThrow(RangeError);
  });
});
