import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addClass, listClasses } from '../../db/classes';
import { getOriginal, listImages } from '../../db/images';
import { loadLabelMap, saveLabelMap } from '../../db/labelmaps';
import { expandPaths, fileSource, importImages, sha256Hex } from '../../services/import-images';
import { describeUnknownValues, importMasks } from '../../services/import-masks';
import { makeImage, maskPng, truncatedJpeg, writeImage } from '../helpers/fixtures';
import { tempProject } from '../helpers/project';

describe('image import', () => {
  let t: ReturnType<typeof tempProject>;
  beforeEach(() => (t = tempProject()));
  afterEach(() => t.close());

  it('imports PNG, JPEG, TIFF and WebP with their sizes and bytes, and reports a corrupt file', async () => {
    const paths = [
      await writeImage(t.dir, 'a.png', 40, 30, 1),
      await writeImage(t.dir, 'b.jpg', 33, 21, 2),
      await writeImage(t.dir, 'c.tiff', 16, 16, 3),
      await writeImage(t.dir, 'd.webp', 20, 10, 4),
      join(t.dir, 'broken.jpg'),
    ];
    writeFileSync(paths[4]!, await truncatedJpeg());
    const report = await importImages(t.project.db, paths.map(fileSource));
    expect(report.imported.map((i) => [i.name, i.format, i.width, i.height])).toEqual([
      ['a.png', 'png', 40, 30],
      ['b.jpg', 'jpeg', 33, 21],
      ['c.tiff', 'tiff', 16, 16],
      ['d.webp', 'webp', 20, 10],
    ]);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ name: 'broken.jpg', code: 'UNSUPPORTED' });
    expect(report.errors[0]!.message).toMatch(/corrupt|truncated/i);
    // Stored bytes are the file's bytes.
    const a = report.imported[0]!;
    expect(sha256Hex(getOriginal(t.project.db, a.id)!)).toBe(a.sha256);
  });

  it('skips duplicates by content, within a batch and across imports, whatever the name', async () => {
    const bytes = await makeImage(24, 24, 'png', 5);
    const src = (name: string) => ({ name, read: async () => bytes });
    const first = await importImages(t.project.db, [src('x.png'), src('copy-of-x.png')]);
    expect(first.imported.map((i) => i.name)).toEqual(['x.png']);
    expect(first.duplicates).toEqual([{ name: 'copy-of-x.png', existingName: 'x.png' }]);
    const second = await importImages(t.project.db, [src('y.png')]);
    expect(second.imported).toEqual([]);
    expect(second.duplicates).toEqual([{ name: 'y.png', existingName: 'x.png' }]);
    expect(listImages(t.project.db)).toHaveLength(1);
  });

  it('refuses empty files, non-images and images over 100 megapixels', async () => {
    const huge = await sharp({ create: { width: 10_050, height: 10_000, channels: 3, background: '#808080' } })
      .png({ compressionLevel: 1 })
      .toBuffer();
    const report = await importImages(t.project.db, [
      { name: 'empty.png', read: async () => new Uint8Array() },
      { name: 'notes.png', read: async () => new TextEncoder().encode('hello, not an image') },
      { name: 'huge.png', read: async () => huge },
    ]);
    expect(report.imported).toEqual([]);
    expect(report.errors.map((e) => [e.name, e.code])).toEqual([
      ['empty.png', 'UNSUPPORTED'],
      ['notes.png', 'UNSUPPORTED'],
      ['huge.png', 'TOO_LARGE'],
    ]);
    expect(report.errors[2]!.message).toMatch(/10050x10000.*100 megapixels/);
  });

  it('uses the displayed size of EXIF-rotated photos', async () => {
    const rotated = await makeImage(40, 20, 'jpeg', 1, 6); // orientation 6: displayed rotated by 90 degrees
    const report = await importImages(t.project.db, [{ name: 'r.jpg', read: async () => rotated }]);
    expect(report.imported[0]).toMatchObject({ width: 20, height: 40 });
  });

  it('walks folders recursively for image files and reports missing paths', async () => {
    const sub = join(t.dir, 'sub');
    await import('node:fs/promises').then((fs) => fs.mkdir(sub));
    await writeImage(t.dir, 'one.png', 8, 8, 1);
    await writeImage(sub, 'two.jpg', 8, 8, 2);
    writeFileSync(join(sub, 'readme.txt'), 'x');
    const { files, errors } = await expandPaths([t.dir, join(t.dir, 'missing.png')]);
    expect(files.map((f) => String(f.path).slice(t.dir.length + 1))).toEqual(['one.png', 'sub/two.jpg']);
    expect(errors).toMatchObject([{ name: 'missing.png', code: 'NOT_FOUND' }]);
  });
});

describe('mask import', () => {
  let t: ReturnType<typeof tempProject>;
  beforeEach(() => (t = tempProject()));
  afterEach(() => t.close());

  async function withImage(name: string, w: number, h: number) {
    const report = await importImages(t.project.db, [fileSource(await writeImage(t.dir, name, w, h, w + h))]);
    return report.imported[0]!;
  }

  it('reads grayscale masks by file name, maps the void value to unlabeled and creates missing classes', async () => {
    const img = await withImage('street.png', 4, 2);
    const values = Uint8Array.from([0, 1, 11, 2, 11, 255, 1, 0]);
    const masks = join(t.dir, 'masks');
    await import('node:fs/promises').then((fs) => fs.mkdir(masks));
    writeFileSync(join(masks, 'street.png'), maskPng(4, 2, values));
    writeFileSync(join(masks, 'orphan.png'), maskPng(4, 2, values));
    const report = await importMasks(t.project.db, [masks], { voidValue: 11, createClasses: true });
    expect(report.applied).toEqual([
      { imageId: img.id, imageName: 'street.png', maskName: 'street.png', labeledPixels: 5 },
    ]);
    expect(report.unmatched).toEqual(['orphan.png']);
    expect(report.errors).toEqual([]);
    expect(listClasses(t.project.db).map((c) => c.value)).toEqual([0, 1, 2]);
    const map = loadLabelMap(t.project.db, img.id)!;
    expect([...map.classes]).toEqual([0, 1, 255, 2, 255, 255, 1, 0]);
    expect([...map.provenance]).toEqual([4, 4, 0, 4, 0, 0, 4, 4]);
  });

  it("gives a class added after a mask import a value that is neither a class nor the import's void (issue 25)", async () => {
    await withImage('street.png', 12, 1);
    // CamVid's layout: classes 0..10, void 11.
    const values = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const file = join(t.dir, 'street_L.png');
    writeFileSync(file, maskPng(12, 1, values));
    await importMasks(t.project.db, [file], { voidValue: 11, createClasses: true, imageId: 1 });
    expect(listClasses(t.project.db).map((c) => c.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(addClass(t.project.db, 'Animal').value).toBe(12);
    expect(addClass(t.project.db, 'Water').value).toBe(13);
  });

  it('keeps palette indices of indexed masks and never overwrites painted pixels', async () => {
    const img = await withImage('scene_mask_target.jpg', 3, 2);
    // Painted label at pixel 0 (class 5), propagated at pixel 1 (class 5); the rest unlabeled.
    saveLabelMap(t.project.db, img.id, {
      width: 3,
      height: 2,
      classes: Uint8Array.from([5, 5, 255, 255, 255, 255]),
      provenance: Uint8Array.from([1, 2, 0, 0, 0, 0]),
    });
    const palette: [number, number, number][] = [
      [200, 0, 0],
      [0, 200, 0],
      [0, 0, 200],
    ];
    const file = join(t.dir, 'scene_mask_target_mask.png');
    writeFileSync(file, maskPng(3, 2, Uint8Array.from([2, 2, 1, 0, 255, 2]), palette));
    const report = await importMasks(t.project.db, [file], { createClasses: true });
    expect(report.errors).toEqual([]);
    const map = loadLabelMap(t.project.db, img.id)!;
    expect([...map.classes]).toEqual([5, 5, 1, 0, 255, 2]);
    expect([...map.provenance]).toEqual([1, 2, 4, 4, 0, 4]);
  });

  it('reports masks of the wrong size or in color, and leaves the label map alone', async () => {
    const img = await withImage('a.png', 4, 4);
    writeFileSync(join(t.dir, 'a_mask.png'), maskPng(2, 2, new Uint8Array(4)));
    const colored = await sharp(Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]), {
      raw: { width: 2, height: 2, channels: 3 },
    })
      .resize(4, 4, { kernel: 'nearest' })
      .png()
      .toBuffer();
    writeFileSync(join(t.dir, 'a_label.png'), colored);
    const report = await importMasks(t.project.db, [join(t.dir, 'a_mask.png'), join(t.dir, 'a_label.png')]);
    expect(report.applied).toEqual([]);
    expect(report.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/2x2 but a.png is 4x4/),
      expect.stringMatching(/Color mask/),
    ]);
    expect(loadLabelMap(t.project.db, img.id)).toBeUndefined();
  });

  it('lists mask values that match no class and applies nothing until confirmed', async () => {
    const img = await withImage('road.png', 4, 2);
    addClass(t.project.db, 'Road', undefined, 0);
    addClass(t.project.db, 'Car', undefined, 1);
    const file = join(t.dir, 'road_mask.png');
    // A stray 200 (2 pixels) next to the known values 0 and 1.
    writeFileSync(file, maskPng(4, 2, Uint8Array.from([0, 0, 1, 1, 200, 200, 255, 0])));
    const asked = await importMasks(t.project.db, [file]);
    expect(asked.unknownValues).toEqual([{ value: 200, pixels: 2, masks: 1 }]);
    expect(asked.applied).toEqual([]);
    expect(asked.createdClasses).toEqual([]);
    expect(listClasses(t.project.db).map((c) => c.name)).toEqual(['Road', 'Car']);
    expect(loadLabelMap(t.project.db, img.id)).toBeUndefined();

    const confirmed = await importMasks(t.project.db, [file], { createClasses: true });
    expect(confirmed.createdClasses.map((c) => [c.value, c.name])).toEqual([[200, 'Class 200']]);
    expect(confirmed.applied).toEqual([
      { imageId: img.id, imageName: 'road.png', maskName: 'road_mask.png', labeledPixels: 7 },
    ]);
  });

  it('a photo picked as a mask is listed (hundreds of values), not turned into hundreds of classes', async () => {
    await withImage('photo.png', 16, 16);
    const gray = new Uint8Array(256);
    for (let i = 0; i < 256; i++) gray[i] = i; // values 0..255: 255 of them are labels
    writeFileSync(join(t.dir, 'photo_mask.png'), maskPng(16, 16, gray));
    const r = await importMasks(t.project.db, [join(t.dir, 'photo_mask.png')]);
    expect(r.unknownValues).toHaveLength(255);
    expect(r.unknownValues.reduce((n, u) => n + u.pixels, 0)).toBe(255);
    expect(describeUnknownValues(r.unknownValues)).toMatch(
      /^0 \(1 px in 1 mask\), 1 \(1 px in 1 mask\), .*, and 243 more$/,
    );
    expect(listClasses(t.project.db)).toEqual([]);
  });
});
