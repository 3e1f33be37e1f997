/**
 * A new image's overlay (issue 25, item 3): on a canvas still transparent, only the bands holding a
 * label are rendered (an unlabeled pixel renders transparent), so a new 24 MP image costs a scan. Checked
 * with a recording canvas: which bands are put, and that their pixels are renderRect's.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderRect } from '../../../core/labelmap';
import { createLabelMap } from '../../../core/labelmap/types';
import { LabelOverlay } from '../../../renderer/src/editor/overlay';

class FakeImageData {
  readonly data: Uint8ClampedArray;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8ClampedArray(width * height * 4);
  }
}

/** A canvas whose 2D context records each putImageData: where, and a copy of the pixels put. */
function recordingCanvas() {
  const puts: { x: number; y: number; width: number; height: number; pixels: Uint8ClampedArray }[] = [];
  const ctx = {
    putImageData(img: FakeImageData, x: number, y: number, _dx: number, _dy: number, w: number, h: number) {
      const pixels = new Uint8ClampedArray(w * h * 4);
      for (let row = 0; row < h; row++)
        pixels.set(img.data.subarray(row * img.width * 4, (row * img.width + w) * 4), row * w * 4);
      puts.push({ x, y, width: w, height: h, pixels });
    },
  };
  return { canvas: { width: 0, height: 0, getContext: () => ctx }, puts };
}

afterEach(() => vi.unstubAllGlobals());

describe('LabelOverlay, a new image', () => {
  it('renders only the bands that hold a label, with the pixels renderRect gives', () => {
    const { canvas, puts } = recordingCanvas();
    vi.stubGlobal('document', { createElement: () => canvas });
    vi.stubGlobal('ImageData', FakeImageData);
    // 4096 wide: a band is 1024 rows (BAND_PIXELS = 4 Mpx); 3000 rows make bands at 0, 1024 and 2048.
    const W = 4096;
    const H = 3000;
    const map = createLabelMap(W, H);
    map.classes.fill(2, 1500 * W + 10, 1500 * W + 20); // one label, in the second band
    map.provenance.fill(1, 1500 * W + 10, 1500 * W + 20);
    const palette = new Uint32Array(256).fill(0x11223344);
    new LabelOverlay(map, { palette, mode: 'class', hiddenClasses: [] });
    expect(puts.map((p) => [p.x, p.y, p.width, p.height])).toEqual([[0, 1024, W, 1024]]);
    const want = { data: new Uint8ClampedArray(W * 1024 * 4), width: W, height: 1024 };
    renderRect(map, { x: 0, y: 1024, width: W, height: 1024 }, palette, want, {
      mode: 'class',
      hiddenClasses: [],
      offsetX: 0,
      offsetY: 1024,
    });
    // Compared as a count of differing bytes (a diff of 16 MiB arrays would not fit in memory).
    expect(puts[0]!.pixels.filter((v, i) => v !== want.data[i]).length).toBe(0);
    expect(puts[0]!.pixels.some((v) => v !== 0)).toBe(true);
  });

  it('renders nothing for a map without labels', () => {
    const { canvas, puts } = recordingCanvas();
    vi.stubGlobal('document', { createElement: () => canvas });
    vi.stubGlobal('ImageData', FakeImageData);
    new LabelOverlay(createLabelMap(300, 200), {
      palette: new Uint32Array(256).fill(0xffffffff),
      mode: 'class',
      hiddenClasses: [],
    });
    expect(puts).toEqual([]);
  });
});
