/**
 * Images whose header is sound but whose pixels are cut short (issue 25, item 8): import decodes them as
 * training will, and refuses them; an image stored before that check (or damaged since) never stops
 * training, which skips it with a line naming it, and prediction says which image it could not read.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertImage, setSplit } from '../../db/images';
import { saveLabelMap } from '../../db/labelmaps';
import { importImages } from '../../services/import-images';
import { Project } from '../../services/project';
import { makeImage, tempDir } from '../helpers/fixtures';
import { buildTrainingWorker, makeProject, SIZE } from '../helpers/training';
import { cliWithin, hasStackTrace } from './helpers';

/** An uncompressed RGB TIFF with its IFD before the pixels (as cameras and many tools write it). */
function tiffIfdFirst(width: number, height: number, rgb: Buffer): Buffer {
  // tag, type (3 short, 4 long), value; 258 (bits per sample) and 273 (strip offset) are filled below.
  const entries: [number, number, number][] = [
    [256, 4, width],
    [257, 4, height],
    [258, 3, 0],
    [259, 3, 1],
    [262, 3, 2],
    [273, 4, 0],
    [277, 3, 3],
    [278, 4, height],
    [279, 4, rgb.length],
  ];
  const bitsAt = 8 + 2 + entries.length * 12 + 4;
  const dataAt = bitsAt + 6;
  const head = Buffer.alloc(dataAt);
  head.write('II', 0);
  head.writeUInt16LE(42, 2);
  head.writeUInt32LE(8, 4);
  head.writeUInt16LE(entries.length, 8);
  entries.forEach(([tag, type, value], i) => {
    const o = 10 + i * 12;
    head.writeUInt16LE(tag, o);
    head.writeUInt16LE(type, o + 2);
    head.writeUInt32LE(tag === 258 ? 3 : 1, o + 4);
    const v = tag === 258 ? bitsAt : tag === 273 ? dataAt : value;
    if (type === 3 && tag !== 258) head.writeUInt16LE(v, o + 8);
    else head.writeUInt32LE(v, o + 8);
  });
  for (let c = 0; c < 3; c++) head.writeUInt16LE(8, bitsAt + 2 * c);
  return Buffer.concat([head, rgb]);
}

const noise = (w: number, h: number) => {
  const px = Buffer.alloc(w * h * 3);
  for (let i = 0; i < px.length; i++) px[i] = ((i * 2654435761) >>> 24) & 0xf0;
  return px;
};

/** Cut at half: a TIFF whose header is whole, and a JPEG closed with an end marker after half its data. */
async function cutShort(): Promise<{ name: string; bytes: Buffer }[]> {
  const [w, h] = [SIZE, SIZE];
  const tiff = tiffIfdFirst(w, h, noise(w, h));
  const jpeg = await sharp(noise(w, h), { raw: { width: w, height: h, channels: 3 } })
    .jpeg()
    .toBuffer();
  return [
    { name: 'cut.tif', bytes: tiff.subarray(0, tiff.length >> 1) },
    { name: 'cut.jpg', bytes: Buffer.concat([jpeg.subarray(0, jpeg.length >> 1), Buffer.from([0xff, 0xd9])]) },
  ];
}

describe('images cut short', () => {
  const t = tempDir('mw-undecodable-');
  let path = '';
  let older = '';
  beforeAll(async () => {
    buildTrainingWorker();
    path = await makeProject(t.dir, 'p.maskwright');
    older = await makeProject(t.dir, 'older.maskwright');
  }, 120_000);
  afterAll(() => t.cleanup());

  it('are refused at import, with the file named and nothing stored', async () => {
    const project = Project.open(path);
    try {
      const whole = tiffIfdFirst(SIZE, SIZE, noise(SIZE, SIZE));
      const files = [...(await cutShort()), { name: 'whole.tif', bytes: whole }];
      const r = await importImages(
        project.db,
        files.map((f) => ({ name: f.name, read: async () => f.bytes })),
      );
      expect(r.imported.map((i) => i.name)).toEqual(['whole.tif']);
      expect(r.errors.map((e) => [e.name, e.code])).toEqual([
        ['cut.tif', 'UNSUPPORTED'],
        ['cut.jpg', 'UNSUPPORTED'],
      ]);
    } finally {
      project.close();
    }
  });

  it('stored anyway (an older project): training skips them by name and goes on; predict names them', async () => {
    const project = Project.open(older);
    try {
      const thumb = await makeImage(4, 4, 'jpeg');
      for (const f of await cutShort()) {
        const id = insertImage(project.db, {
          name: f.name,
          sha256: createHash('sha256').update(f.bytes).digest('hex'),
          format: f.name.endsWith('.tif') ? 'tiff' : 'jpeg',
          width: SIZE,
          height: SIZE,
          orientation: 1,
          original: f.bytes,
          thumbnail: thumb,
          thumbnailMime: 'image/jpeg',
        });
        saveLabelMap(project.db, id, {
          width: SIZE,
          height: SIZE,
          classes: new Uint8Array(SIZE * SIZE).fill(1),
          provenance: new Uint8Array(SIZE * SIZE).fill(1),
        });
        setSplit(project.db, [id], 'train');
      }
    } finally {
      project.close();
    }
    const args = ['--size', `${SIZE}x${SIZE}`, '--backend', 'cpu', '--width-base', '4', '--depth', '2'];
    const train = await cliWithin(['train', older, ...args, '--epochs', '1'], 120_000);
    expect(hasStackTrace(train.stdout + train.stderr)).toBe(false);
    expect(train.stderr).toBe('');
    expect(train.code).toBe(0);
    expect(train.stdout).toMatch(
      /Skipped 2 image\(s\) that cannot be decoded .*: cut\.tif: Cannot decode.*; cut\.jpg: Cannot decode/,
    );
    // The three good images (two train, one val) trained; epoch 1 was saved.
    expect(train.stdout).toMatch(/2 training image\(s\), 1 validation image\(s\)/);
    expect(train.stdout).toMatch(/^epoch 1:/m);
    // The run's record names them too (the app's history, after the notice is gone).
    expect(train.stdout).toMatch(
      /^Run 1 completed: 1 epoch\(s\) done; left out 2 image\(s\) that cannot be decoded: cut\.tif, cut\.jpg$/m,
    );

    const predict = await cliWithin(['predict', older, '--all', '--backend', 'cpu'], 120_000);
    expect(hasStackTrace(predict.stdout + predict.stderr)).toBe(false);
    expect(predict.code).toBe(1);
    const errors = predict.stderr.split('\n').filter((l) => l.startsWith('maskwright'));
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^maskwright predict: cut\.tif: Cannot decode image \(/);
    expect(errors[1]).toMatch(/^maskwright predict: cut\.jpg: Cannot decode image \(/);
    // The others are still predicted.
    for (const name of ['img0.png', 'img1.png', 'img2.png'])
      expect(predict.stdout).toContain(`${name}: mean confidence`);
  }, 300_000);
});
