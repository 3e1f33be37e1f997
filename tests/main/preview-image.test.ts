/**
 * `images.preview` (issue 25, item 3): the first view of a large image, reduced to fit a size. Its
 * pixels are checked against the image's colours computed by hand: blocks of one colour, 64 px wide,
 * reduced 4x become blocks of 16 px of the same colour (away from a block's edges, farther than the
 * resampling kernel reaches, every kernel agrees).
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectRegistry, tempProject } from '../helpers/project';

const BLOCK = 64;
const W = 1280;
const H = 640;
/** The colour of the block at block column bx, row by. */
const colour = (bx: number, by: number) => [(bx * 53) % 256, (by * 97) % 256, ((bx + by) * 31) % 256];

async function blocks(format: 'jpeg' | 'png', alpha = false): Promise<Buffer> {
  const channels = alpha ? 4 : 3;
  const raw = Buffer.alloc(W * H * channels);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const c = colour(Math.floor(x / BLOCK), Math.floor(y / BLOCK));
      raw.set(alpha ? [...c, 255] : c, (y * W + x) * channels);
    }
  const img = sharp(raw, { raw: { width: W, height: H, channels } });
  return format === 'png' ? img.png().toBuffer() : img.jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer();
}

describe('images.preview', () => {
  let t: ReturnType<typeof tempProject>;
  let app: ReturnType<typeof projectRegistry>;
  const ok = async (channel: string, payload?: unknown) => {
    const env = await app.registry.invoke(channel, payload);
    if (!env.ok) throw new Error(`${env.error.code}: ${env.error.message}`);
    return env.value as any;
  };

  beforeEach(() => {
    t = tempProject();
    app = projectRegistry(t.project, join(t.dir, 'data'));
  });
  afterEach(() => {
    app.close();
    t.close();
  });

  async function importBytes(name: string, data: Buffer): Promise<number> {
    const r = await ok('images.importFiles', { files: [{ name, data: new Uint8Array(data) }] });
    return r.imported[0].id;
  }

  // The JPEG preview is lossy (quality 90): a few levels off; the PNG one is exact to rounding.
  for (const [format, alpha, mime, tolerance] of [
    ['jpeg', false, 'image/jpeg', 10],
    ['png', true, 'image/png', 1],
  ] as const) {
    it(`reduces a ${format}${alpha ? ' with alpha' : ''} to fit, each block keeping its colour`, async () => {
      const id = await importBytes(`a.${format}`, await blocks(format, alpha));
      const p = await ok('images.preview', { id, maxSide: W / 4 });
      expect(p).toMatchObject({ id, mime, width: W, height: H });
      const { data, info } = await sharp(Buffer.from(p.data)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([W / 4, H / 4]);
      const b = BLOCK / 4;
      for (let by = 0; by < H / BLOCK; by++)
        for (let bx = 0; bx < W / BLOCK; bx++) {
          // The middle 8x8 of each 16x16 block: beyond the reach of the neighbouring blocks' colours.
          for (let y = by * b + 4; y < by * b + 12; y++)
            for (let x = bx * b + 4; x < bx * b + 12; x++) {
              const o = (y * info.width + x) * 3;
              const got = [data[o]!, data[o + 1]!, data[o + 2]!];
              colour(bx, by).forEach((v, k) => expect(Math.abs(got[k]! - v)).toBeLessThanOrEqual(tolerance));
            }
        }
    });
  }

  it('never enlarges a small image', async () => {
    const id = await importBytes('a.png', await blocks('png'));
    const p = await ok('images.preview', { id, maxSide: 4096 });
    const meta = await sharp(Buffer.from(p.data)).metadata();
    expect([meta.width, meta.height]).toEqual([W, H]);
  });

  it('answers NOT_FOUND for an unknown image and refuses a size out of range', async () => {
    const env = await app.registry.invoke('images.preview', { id: 99, maxSide: 100 });
    expect(env).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const bad = await app.registry.invoke('images.preview', { id: 1, maxSide: 0 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});
