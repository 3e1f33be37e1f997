/**
 * The seed rule shared by `maskwright propagate` and the editor's "Fill unlabeled", checked against
 * small hand-made maps (provenance codes: 0 none, 1 painted, 2 propagated, 3 predicted, 4 imported).
 * How a result is written back is tests/core/labelmap/accept.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { countSeeds, seedsOf } from '../../../core/propagation';

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
