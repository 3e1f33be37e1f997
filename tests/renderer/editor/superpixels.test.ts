/** The superpixel brush's outlines (issue 25: they hid the image): thin and translucent. */
import { describe, expect, it } from 'vitest';
import type { Superpixels } from '../../../core/labelmap';
import { superpixelOutline } from '../../../renderer/src/editor/superpixels';

/** A grid of `gw` x `gh` cells, split into a left and a right superpixel at column `split`. */
function halves(gw: number, gh: number, split: number): Superpixels {
  const labels = new Int32Array(gw * gh);
  for (let i = 0; i < labels.length; i++) labels[i] = i % gw < split ? 0 : 1;
  return { width: gw * 4, height: gh * 4, gridWidth: gw, gridHeight: gh, labels, count: 2 } as Superpixels;
}

describe('superpixel outlines', () => {
  it('mark one fine column per boundary, translucent, on a finer canvas than the grid', () => {
    const sp = halves(10, 6, 4);
    const { width, height, rgba } = superpixelOutline(sp);
    const scale = width / 10;
    expect(scale).toBeGreaterThanOrEqual(4);
    expect(height).toBe(6 * scale);
    const marked: [number, number][] = [];
    for (let i = 0; i < width * height; i++) if (rgba[i * 4 + 3]! > 0) marked.push([i % width, Math.floor(i / width)]);
    // The boundary between grid columns 3 and 4: one fine column, the last of grid column 3, all rows.
    expect(new Set(marked.map(([x]) => x))).toEqual(new Set([4 * scale - 1]));
    expect(marked.length).toBe(height);
    // Translucent: the photo shows through (at most about a third of white).
    for (let i = 0; i < width * height; i++) expect(rgba[i * 4 + 3]!).toBeLessThanOrEqual(90);
  });

  it('keeps a large grid within the canvas budget', () => {
    const sp = halves(1225, 816, 600);
    const { width, height } = superpixelOutline(sp);
    expect(width * height).toBeLessThanOrEqual(4_000_000);
    expect(width).toBe(2 * 1225);
  });
});
