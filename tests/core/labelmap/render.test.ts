import { describe, expect, it } from 'vitest';
import { PROVENANCE_PALETTE, renderRect } from '../../../core/labelmap/render';
import type { RgbaBuffer } from '../../../core/labelmap/render';
import { blobMap } from './helpers';

const W = 40;
const H = 30;
/** class k -> (10k, 20k, 30k, 200 + k); 4 classes (0..3) in the palette */
const palette = new Uint8Array(4 * 4).map((_, j) =>
  j % 4 === 3 ? 200 + (j >> 2) : (10 * ((j % 4) + 1) * (j >> 2)) & 255,
);

function buffer(w: number, h: number): RgbaBuffer {
  return { data: new Uint8ClampedArray(w * h * 4).fill(0xab), width: w, height: h };
}

function px(b: RgbaBuffer, x: number, y: number): number[] {
  return Array.from(b.data.subarray((y * b.width + x) * 4, (y * b.width + x) * 4 + 4));
}

describe('renderRect', () => {
  const map = blobMap(W, H, 8, 4, 20);
  const rect = { x: 5, y: 4, width: 20, height: 17 };

  it('writes class colours inside the rect only, unlabeled and hidden transparent, opacity on alpha', () => {
    const out = buffer(W, H);
    renderRect(map, rect, palette, out, { opacity: 0.5, hiddenClasses: [2] });
    let labeled = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const inRect = x >= 5 && x < 25 && y >= 4 && y < 21;
        const c = map.classes[y * W + x]!;
        let expected = [0xab, 0xab, 0xab, 0xab];
        if (inRect) {
          expected = c === 255 || c === 2 ? [0, 0, 0, 0] : [10 * c, 20 * c, 30 * c, Math.round((200 + c) * 0.5)];
          if (c !== 255 && c !== 2) labeled++;
        }
        expect(px(out, x, y)).toEqual(expected);
      }
    }
    expect(labeled).toBeGreaterThan(50);
  });

  it('a 0xRRGGBBAA Uint32Array palette draws the same as RGBA bytes', () => {
    const packed = new Uint32Array(4).map((_, k) => ((10 * k) << 24) | ((20 * k) << 16) | ((30 * k) << 8) | (200 + k));
    const a = buffer(W, H);
    const b = buffer(W, H);
    renderRect(map, rect, palette, a);
    renderRect(map, rect, packed, b);
    expect(b.data).toEqual(a.data);
  });

  it('provenance mode colours by provenance code', () => {
    const out = buffer(W, H);
    renderRect(map, { x: 0, y: 0, width: W, height: H }, palette, out, { mode: 'provenance' });
    const seen = new Set<number>();
    for (let i = 0; i < W * H; i++) {
      const p = map.provenance[i]!;
      const v = PROVENANCE_PALETTE[p]!;
      const expected = map.classes[i] === 255 ? [0, 0, 0, 0] : [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
      expect(px(out, i % W, Math.floor(i / W))).toEqual(expected);
      seen.add(p);
    }
    expect(seen.size).toBeGreaterThan(2);
  });

  it('a rect-sized buffer with an offset equals the same block of a full-size render', () => {
    const full = buffer(W, H);
    renderRect(map, rect, palette, full);
    const part = buffer(rect.width, rect.height);
    renderRect(map, rect, palette, part, { offsetX: rect.x, offsetY: rect.y });
    for (let y = 0; y < rect.height; y++) {
      for (let x = 0; x < rect.width; x++) expect(px(part, x, y)).toEqual(px(full, x + rect.x, y + rect.y));
    }
  });

  it('clips the rect to the map and rejects rects that do not fit the buffer', () => {
    const out = buffer(W, H);
    renderRect(map, { x: -10, y: -10, width: 100, height: 100 }, palette, out);
    expect(out.data.includes(0xab)).toBe(false);
    expect(() => renderRect(map, rect, palette, buffer(10, 10))).toThrow(RangeError);
  });
});
