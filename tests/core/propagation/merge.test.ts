/**
 * The seed and merge rules shared by `maskwright propagate` and the editor's "Fill unlabeled", checked
 * against small hand-made maps (provenance codes: 0 none, 1 painted, 2 propagated, 3 predicted, 4 imported).
 */
import { describe, expect, it } from 'vitest';
import { applyPatch, LabelHistory } from '../../../core/labelmap';
import type { LabelMap } from '../../../core/labelmap';
import {
  countSeeds,
  isReplaceable,
  mergePatch,
  mergePropagation,
  seedsOf,
  thresholdLabels,
} from '../../../core/propagation';

const U = 255;
const u8 = (...v: number[]) => Uint8Array.from(v);

describe('seedsOf', () => {
  it('keeps painted, predicted and imported labels and drops propagated ones', () => {
    const classes = u8(U, 3, 4, 5, 6, 7);
    const provenance = u8(0, 1, 2, 3, 4, 2);
    expect([...seedsOf(classes, provenance)]).toEqual([U, 3, U, 5, 6, U]);
    expect(countSeeds(seedsOf(classes, provenance))).toBe(3);
  });

  it('does not alias its inputs and checks lengths', () => {
    const classes = u8(1, 2);
    const provenance = u8(1, 1);
    const seeds = seedsOf(classes, provenance);
    seeds[0] = 9;
    expect(classes[0]).toBe(1);
    expect(() => seedsOf(u8(1), u8(1, 1))).toThrow(RangeError);
  });

  it('finds no seed in a map that is all unlabeled or propagated', () => {
    expect(countSeeds(seedsOf(u8(U, 2, U), u8(0, 2, 0)))).toBe(0);
  });
});

describe('isReplaceable', () => {
  it('is true only for unlabeled and propagated pixels', () => {
    expect([0, 1, 2, 3, 4].map(isReplaceable)).toEqual([true, false, true, false, false]);
  });
});

describe('thresholdLabels', () => {
  it('unlabels pixels below the threshold (strictly), keeps the rest, and returns a new array', () => {
    const labels = u8(1, 2, 3, 4);
    const conf = Float32Array.of(1, 0.5, 0.49, 0.9);
    expect([...thresholdLabels(labels, conf, 0.5)]).toEqual([1, 2, U, 4]);
    expect([...thresholdLabels(labels, conf, 0)]).toEqual([1, 2, 3, 4]);
    expect([...thresholdLabels(labels, conf, 1)]).toEqual([1, U, U, U]);
    expect(thresholdLabels(labels, conf, 0)).not.toBe(labels);
    expect(() => thresholdLabels(labels, Float32Array.of(1), 0)).toThrow(RangeError);
  });
});

describe('mergePropagation', () => {
  it('writes only unlabeled and propagated pixels, with provenance 2 (or 0 when unlabeled)', () => {
    // pixel:        0  1  2  3  4  5  6  7
    const classes = u8(U, 1, 2, 3, 4, 5, 6, U);
    const provenance = u8(0, 1, 2, 3, 4, 2, 2, 0);
    const labels = u8(7, 7, 7, 7, 7, U, 6, U);
    const changed = mergePropagation(classes, provenance, labels);
    expect([...classes]).toEqual([7, 1, 7, 3, 4, U, 6, U]);
    expect([...provenance]).toEqual([2, 1, 2, 3, 4, 0, 2, 0]);
    // 0 (new label), 2 (new class), 5 (propagated -> unlabeled); 6 and 7 stay as they were
    expect(changed).toBe(3);
  });

  it('checks lengths', () => {
    expect(() => mergePropagation(u8(1), u8(1), u8(1, 2))).toThrow(RangeError);
  });
});

function map(width: number, height: number, classes: number[], provenance: number[]): LabelMap {
  return { width, height, classes: Uint8Array.from(classes), provenance: Uint8Array.from(provenance) };
}

describe('mergePatch', () => {
  it('is the bounding rectangle of the changes with the merged bytes, and leaves the map alone', () => {
    // 4 x 3; painted (1) pixels must survive any result
    const m = map(4, 3, [1, 1, U, U, 1, U, 2, U, U, U, U, U], [1, 1, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0]);
    const before = { c: m.classes.slice(), p: m.provenance.slice() };
    // result: (2,0) -> 2, (3,0) -> 1, (1,1) -> 2, (3,1) -> 2 change; (2,1) already holds 2 as propagated;
    // the bottom row stays unlabeled; painted (1,0) is kept although the result disagrees (2)
    const labels = u8(1, 2, 2, 1, 1, 2, 2, 2, U, U, U, U);
    const patch = mergePatch(m, labels)!;
    expect(patch.rect).toEqual({ x: 1, y: 0, width: 3, height: 2 });
    expect([...patch.classes]).toEqual([1, 2, 1, 2, 2, 2]);
    expect([...patch.provenance]).toEqual([1, 2, 2, 2, 2, 2]);
    expect(patch.changed).toBe(4);
    expect(m.classes).toEqual(before.c);
    expect(m.provenance).toEqual(before.p);
  });

  it('never changes painted, predicted or imported pixels even when the result disagrees', () => {
    const m = map(3, 2, [1, 3, 4, U, 7, U], [1, 3, 4, 0, 2, 0]);
    const patch = mergePatch(m, u8(9, 9, 9, 9, 9, 9))!;
    expect(patch.rect).toEqual({ x: 0, y: 1, width: 3, height: 1 });
    expect([...patch.classes]).toEqual([9, 9, 9]);
    expect([...patch.provenance]).toEqual([2, 2, 2]);
  });

  it('turns propagated pixels below the threshold back into unlabeled ones', () => {
    const m = map(2, 2, [1, 5, 5, 5], [1, 2, 2, 2]);
    const labels = thresholdLabels(u8(1, 5, 5, 6), Float32Array.of(1, 0.9, 0.3, 0.8), 0.5);
    const patch = mergePatch(m, labels)!;
    expect(patch.rect).toEqual({ x: 0, y: 1, width: 2, height: 1 });
    expect([...patch.classes]).toEqual([U, 6]);
    expect([...patch.provenance]).toEqual([0, 2]);
    expect(patch.changed).toBe(2);
  });

  it('is null when nothing would change', () => {
    const m = map(2, 1, [1, 5], [1, 2]);
    expect(mergePatch(m, u8(3, 5))).toBeNull();
    expect(() => mergePatch(m, u8(1))).toThrow(RangeError);
  });

  it('applied with applyPatch, equals mergePropagation and undoes as one step', () => {
    const classes = [U, 1, U, 2, 2, U, 3, U, U, 4, U, U];
    const provenance = [0, 1, 0, 2, 2, 0, 3, 0, 0, 4, 0, 0];
    const labels = u8(1, 1, 1, 1, 2, 2, 3, 3, 3, 4, 4, U);
    const m = map(4, 3, classes, provenance);
    const expected = map(4, 3, classes, provenance);
    const changed = mergePropagation(expected.classes, expected.provenance, labels);
    const history = new LabelHistory(m);
    const patch = mergePatch(m, labels)!;
    expect(patch.changed).toBe(changed);
    history.push(applyPatch(m, patch.rect, patch.classes, patch.provenance));
    expect(m.classes).toEqual(expected.classes);
    expect(m.provenance).toEqual(expected.provenance);
    expect(history.undoDepth).toBe(1);
    history.undo();
    expect([...m.classes]).toEqual(classes);
    expect([...m.provenance]).toEqual(provenance);
  });

  it('a second run replaces the first run but keeps the strokes painted in between', () => {
    const m = map(3, 1, [1, U, U], [1, 0, 0]);
    const first = mergePatch(m, u8(1, 1, 1))!;
    applyPatch(m, first.rect, first.classes, first.provenance);
    expect([...m.classes, ...m.provenance]).toEqual([1, 1, 1, 1, 2, 2]);
    // paint class 2 over the last (propagated) pixel; the seeds are then 1, U, 2
    m.classes[2] = 2;
    m.provenance[2] = 1;
    expect([...seedsOf(m.classes, m.provenance)]).toEqual([1, U, 2]);
    const second = mergePatch(m, u8(1, 2, 2))!;
    applyPatch(m, second.rect, second.classes, second.provenance);
    expect([...m.classes, ...m.provenance]).toEqual([1, 2, 2, 1, 2, 1]);
  });
});
