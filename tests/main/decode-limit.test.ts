// One decode module, one pixel limit: an image just over LIMITS.maxImagePixels is refused with the same
// code and message by import, propagation (project and CLI), training data and prediction.
import { crc32, deflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../core/ipc/contract';
import { AppError } from '../../core/ipc/errors';
import { Provenance } from '../../core/labelmap/types';
import { addClass } from '../../db/classes';
import { insertImage } from '../../db/images';
import { saveLabelMap } from '../../db/labelmaps';
import { loadSamples } from '../../services/dataset';
import { browserImage, checkPixelLimit, decodeRgb, workingRgb } from '../../services/decode';
import { importImages } from '../../services/import-images';
import { propagateProjectImage } from '../../services/propagate';
import { tempProject } from '../helpers/project';

/**
 * A PNG whose header says width x height (8-bit RGB) with almost no pixel data: every path must refuse it
 * from the header, before decoding (decoding 100 MP would also fail later, as a truncated file).
 */
function pngHeader(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(Buffer.alloc(3 * width + 1))),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

/** A little-endian 8-bit grayscale TIFF whose header says width x height, with no pixel data. */
function tiffHeader(width: number, height: number): Uint8Array {
  // [tag, type (3 SHORT, 4 LONG), value]; 273 (strip offset) points past the directory.
  const entries: [number, number, number][] = [
    [256, 4, width],
    [257, 4, height],
    [258, 3, 8],
    [259, 3, 1],
    [262, 3, 1],
    [273, 4, 0],
    [277, 3, 1],
    [278, 4, height],
    [279, 4, width * height],
  ];
  const ifdSize = 2 + entries.length * 12 + 4;
  const buf = Buffer.alloc(8 + ifdSize + 16);
  buf.write('II', 0, 'latin1');
  buf.writeUInt16LE(42, 2);
  buf.writeUInt32LE(8, 4);
  buf.writeUInt16LE(entries.length, 8);
  entries.forEach(([tag, type, value], i) => {
    const o = 10 + i * 12;
    buf.writeUInt16LE(tag, o);
    buf.writeUInt16LE(type, o + 2);
    buf.writeUInt32LE(1, o + 4);
    const v = tag === 273 ? 8 + ifdSize : value;
    if (type === 3) buf.writeUInt16LE(v, o + 8);
    else buf.writeUInt32LE(v, o + 8);
  });
  return new Uint8Array(buf);
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return { code: (err as AppError).code, message: (err as AppError).message };
}

describe('the pixel limit', () => {
  let t: ReturnType<typeof tempProject>;
  beforeEach(() => (t = tempProject()));
  afterEach(() => t.close());

  // 10001 x 10000 = LIMITS.maxImagePixels + 10000.
  const W = 10_001;
  const H = 10_000;
  const expected = {
    code: 'TOO_LARGE',
    message: 'Image is 10001x10000 (100.0 megapixels); Maskwright accepts at most 100 megapixels',
  };

  it('is exactly LIMITS.maxImagePixels', () => {
    expect(LIMITS.maxImagePixels).toBe(100_000_000);
    expect(() => checkPixelLimit(10_000, 10_000)).not.toThrow();
    expect(() => checkPixelLimit(1, 100_000_000)).not.toThrow();
    expect(() => checkPixelLimit(1, 100_000_001)).toThrow(/at most 100 megapixels/);
  });

  it('refuses an image just over it with the same message on every path', async () => {
    const huge = pngHeader(W, H);

    // Import.
    const report = await importImages(t.project.db, [{ name: 'huge.png', read: async () => huge }]);
    expect(report.errors.map((e) => ({ code: e.code, message: e.message }))).toEqual([expected]);

    // Propagation of a file (the CLI's `propagate --image`).
    expect(await refusal(decodeRgb(huge))).toEqual(expected);

    // A project file that holds such an original anyway (written by another tool, or an older version):
    // its record says 4x4, so labels exist, but decoding it is refused the same way.
    const id = insertImage(t.project.db, {
      name: 'huge.png',
      sha256: 'f'.repeat(64),
      format: 'png',
      width: 4,
      height: 4,
      orientation: 1,
      original: huge,
      thumbnail: new Uint8Array(1),
      thumbnailMime: 'image/jpeg',
    });
    const a = addClass(t.project.db, 'A');
    addClass(t.project.db, 'B');
    saveLabelMap(t.project.db, id, {
      width: 4,
      height: 4,
      classes: new Uint8Array(16).fill(a.value),
      provenance: new Uint8Array(16).fill(Provenance.Painted),
    });

    // Propagation in the project.
    expect(await refusal(propagateProjectImage(t.project.db, id))).toEqual(expected);

    // Training data: the image is left out and named with the same message (issue 25, item 8: one
    // image that cannot be decoded never stops a training run).
    const load = await loadSamples(t.project.db, {
      width: 8,
      height: 8,
      sources: ['painted'],
      splits: ['unassigned', 'train'],
    });
    expect(load.samples).toEqual([]);
    expect(load.unreadable).toEqual([{ name: 'huge.png', message: `huge.png: ${expected.message}` }]);

    // Prediction (decodes at the working size).
    expect(await refusal(workingRgb(huge, 8, 8))).toEqual(expected);

    // The editor's copy of a TIFF original (converted to PNG for the browser).
    const tiff = insertImage(t.project.db, {
      name: 'huge.tif',
      sha256: 'e'.repeat(64),
      format: 'tiff',
      width: 4,
      height: 4,
      orientation: 1,
      original: tiffHeader(W, H),
      thumbnail: new Uint8Array(1),
      thumbnailMime: 'image/jpeg',
    });
    expect(await refusal(browserImage(t.project.db, tiff))).toEqual(expected);
  });
});

describe('the pixel limit on masks', () => {
  it('refuses a mask PNG just over it from its header, with the images message', async () => {
    const { decodeMask } = await import('../../services/masks');
    const header = pngHeader(10_001, 10_000);
    expect(() => decodeMask(header)).toThrow(
      'Image is 10001x10000 (100.0 megapixels); Maskwright accepts at most 100 megapixels',
    );
    // Not a PNG: the PNG error, not the limit (the header bytes mean nothing).
    expect(() => decodeMask(new Uint8Array(64).fill(255))).toThrow(/Not a readable PNG mask/);
  });
});
