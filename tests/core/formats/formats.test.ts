import { describe, expect, it } from 'vitest';
import { decodeRle, encodeRle, rleFromString, rleToString } from '../../../core/formats/rle';
import { bridgeHoles, traceRegions } from '../../../core/formats/regions';
import {
  binary,
  fixturePlane,
  iou,
  specCountsFromString,
  specDecodeRle,
  specRasterise,
} from '../../helpers/format-fixtures';

describe('COCO RLE', () => {
  it('encodes column-major runs starting with zeros, as the specification decodes them', () => {
    const { width, height, values } = fixturePlane();
    for (const v of [0, 1, 2, 3]) {
      const rle = encodeRle(width, height, values, v);
      expect(rle.size).toEqual([height, width]);
      expect(specDecodeRle(height, width, rle.counts)).toEqual(binary(values, v));
      expect(decodeRle(rle)).toEqual(binary(values, v));
    }
  });

  it('a mask whose first pixel is set starts with a zero-length run', () => {
    // 2x2, column-major [1, 0, 1, 1] (x=0: y0 set, y1 not; x=1: both set)
    const rle = encodeRle(2, 2, Uint8Array.from([1, 1, 0, 1]), 1);
    expect(rle.counts).toEqual([0, 1, 1, 2]);
  });

  it('writes and reads the compressed string form as pycocotools does', () => {
    // Differences from counts[i-2] from the fourth count on, negative ones included.
    const counts = [0, 5, 100, 3, 40, 2, 1000000, 7, 3];
    const s = rleToString(counts);
    expect(specCountsFromString(s)).toEqual(counts);
    expect(rleFromString(s)).toEqual(counts);
    // By hand from maskApi.c: 10 fits one group (':'); 33 needs two: 1 | 0x20 ('Q'), then 1 ('1').
    expect(rleToString([0, 1])).toBe('01');
    expect(rleToString([10])).toBe(':');
    expect(rleToString([33])).toBe('Q1');
  });

  it('refuses runs that do not cover the image and malformed strings', () => {
    expect(() => decodeRle({ size: [2, 2], counts: [1, 2] })).toThrow(/cover 3 of the 4/);
    expect(() => decodeRle({ size: [2, 2], counts: [1, 5] })).toThrow(/more than/);
    expect(() => decodeRle({ size: [2, 2], counts: [1, -1, 4] })).toThrow(/non-negative/);
    expect(() => rleFromString('0P')).toThrow(/ends inside/);
    expect(() => rleFromString('0~')).toThrow(/out of range/);
  });
});

describe('regions as polygons', () => {
  it('traces every region with its holes so that filling at pixel centres gives it back exactly', () => {
    const { width, height, values } = fixturePlane();
    const regions = traceRegions(width, height, values);
    // class 1: the ring and the island in its hole; class 2: the line; class 3: the touching blocks and
    // the block that meets them at a corner only; class 0: the bottom row.
    expect(regions.map((r) => r.value).sort()).toEqual([0, 1, 1, 2, 3, 3]);
    const ring = regions.find((r) => r.value === 1 && r.holes.length)!;
    expect(ring.holes).toHaveLength(1);
    for (const r of regions) {
      const filled = specRasterise(width, height, [r.outer]);
      const holes = specRasterise(width, height, r.holes);
      filled.forEach((f, i) => (filled[i] = f & (1 - holes[i]!)));
      const bridged = specRasterise(width, height, [bridgeHoles(r)]);
      let n = 0;
      for (let i = 0; i < filled.length; i++) if (filled[i]) n++;
      expect(n).toBe(r.pixels);
      expect(bridged).toEqual(filled);
    }
    for (const v of [0, 1, 2, 3]) {
      const all = specRasterise(width, height, regions.filter((r) => r.value === v).map(bridgeHoles));
      expect(iou(all, binary(values, v))).toBe(1);
    }
  });

  it('keeps pixels that touch diagonally as separate regions and holes that touch the outline diagonally', () => {
    // A checkerboard: every pixel its own region.
    const w = 5;
    const h = 4;
    const values = Uint8Array.from({ length: w * h }, (_, i) => ((i % w) + Math.floor(i / w)) % 2);
    const regions = traceRegions(w, h, values);
    expect(regions).toHaveLength(w * h);
    for (const r of regions) expect(r.outer).toHaveLength(8);
    // A random plane: filling every region back gives the plane.
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const W = 31;
    const H = 17;
    const plane = Uint8Array.from({ length: W * H }, () => [0, 1, 255][Math.floor(rand() * 3)]!);
    const back = new Uint8Array(W * H).fill(255);
    for (const r of traceRegions(W, H, plane)) {
      const m = specRasterise(W, H, [bridgeHoles(r)]);
      m.forEach((s, i) => {
        if (s) back[i] = r.value;
      });
    }
    expect(back).toEqual(plane);
  });
});
