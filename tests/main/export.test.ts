import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode } from 'fast-png';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addClass, reorderClasses } from '../../db/classes';
import { setSplit } from '../../db/images';
import { saveLabelMap } from '../../db/labelmaps';
import { exportDataset, exportMasks, exportModel } from '../../services/export';
import { importImages } from '../../services/import-images';
import { makeImage } from '../helpers/fixtures';
import { tempProject } from '../helpers/project';

describe('export', () => {
  let t: ReturnType<typeof tempProject>;
  let ids: number[];
  let classes: ReturnType<typeof addClass>[];
  beforeEach(async () => {
    t = tempProject();
    const db = t.project.db;
    const r = await importImages(db, [
      { name: 'a.jpg', read: () => makeImage(3, 2, 'jpeg', 1) },
      { name: 'b.png', read: () => makeImage(3, 2, 'png', 2) },
    ]);
    ids = r.imported.map((i) => i.id);
    // Sparse label values (4 and 9) and a display order that differs from them.
    classes = [addClass(db, 'road', '#804080', 9), addClass(db, 'sky', '#808080', 4)];
    reorderClasses(db, [classes[0]!.id, classes[1]!.id]);
    saveLabelMap(db, ids[0]!, {
      width: 3,
      height: 2,
      classes: Uint8Array.from([9, 9, 4, 255, 4, 9]),
      provenance: Uint8Array.from([1, 2, 4, 0, 3, 1]),
    });
    setSplit(db, [ids[0]!], 'train');
    setSplit(db, [ids[1]!], 'val');
  });
  afterEach(() => t.close());

  it('writes masks as indexed PNGs with the class palette, plus color previews', async () => {
    const dir = join(t.dir, 'out');
    const r = await exportMasks(t.project.db, dir);
    expect(r).toMatchObject({ files: 2, skipped: ['b.png'] });
    const png = decode(readFileSync(join(dir, 'masks', 'a.png')));
    expect([...png.data]).toEqual([9, 9, 4, 255, 4, 9]);
    expect(png.palette![9]).toEqual([128, 64, 128]);
    expect(png.palette![4]).toEqual([128, 128, 128]);
    const preview = await sharp(readFileSync(join(dir, 'previews', 'a.png')))
      .raw()
      .toBuffer();
    expect([...preview.subarray(0, 4)]).toEqual([128, 64, 128, 255]);
    expect([...preview.subarray(12, 16)]).toEqual([0, 0, 0, 0]); // unlabeled: transparent
  });

  it('leaves propagated and predicted pixels out when asked for the labels a person made', async () => {
    // a.png: provenance [painted, propagated, imported, none, predicted, painted].
    const masks = join(t.dir, 'trusted-masks');
    await exportMasks(t.project.db, masks, { labels: 'trusted' });
    expect([...decode(readFileSync(join(masks, 'masks', 'a.png'))).data]).toEqual([9, 255, 4, 255, 255, 9]);
    const dataset = join(t.dir, 'trusted-dataset');
    await exportDataset(t.project.db, dataset, { labels: 'trusted' });
    // Indices in display order: road (9) = 0, sky (4) = 1.
    expect([...decode(readFileSync(join(dataset, 'masks', 'a.png'))).data]).toEqual([0, 255, 1, 255, 255, 0]);
  });

  it('writes a dataset with class indices in display order, classes.json and split lists', async () => {
    const dir = join(t.dir, 'ds');
    await exportDataset(t.project.db, dir);
    expect(Buffer.compare(readFileSync(join(dir, 'images', 'a.jpg')), await makeImage(3, 2, 'jpeg', 1))).toBe(0);
    const mask = decode(readFileSync(join(dir, 'masks', 'a.png')));
    // road (value 9) is index 0, sky (value 4) index 1.
    expect([...mask.data]).toEqual([0, 0, 1, 255, 1, 0]);
    expect([...decode(readFileSync(join(dir, 'masks', 'b.png'))).data]).toEqual([255, 255, 255, 255, 255, 255]);
    const meta = JSON.parse(readFileSync(join(dir, 'classes.json'), 'utf8'));
    expect(meta.ignore_index).toBe(255);
    expect(
      meta.classes.map((c: { index: number; name: string; color: number[] }) => [c.index, c.name, c.color]),
    ).toEqual([
      [0, 'road', [128, 64, 128]],
      [1, 'sky', [128, 128, 128]],
    ]);
    // Only a.jpg is a training image: road 3/5 and sky 2/5 of its labeled pixels; median = 1/2.
    expect(meta.classes[0].weight).toBeCloseTo(0.5 / 0.6, 12);
    expect(meta.classes[1].weight).toBeCloseTo(0.5 / 0.4, 12);
    expect(meta.splits).toEqual({ train: ['a'], val: ['b'], unassigned: [] });
    expect(readFileSync(join(dir, 'val.txt'), 'utf8')).toBe('b\n');
  });

  it('writes the automatic validation hold-out as val and the labeled Unassigned images as train', async () => {
    const db = t.project.db;
    // Twelve more images, each with one painted pixel, left Unassigned (ids[0] stays train, ids[1] val).
    const more = await importImages(
      db,
      Array.from({ length: 12 }, (_, k) => ({ name: `u${k}.png`, read: () => makeImage(3, 2, 'png', 100 + k) })),
    );
    for (const img of more.imported)
      saveLabelMap(db, img.id, {
        width: 3,
        height: 2,
        classes: Uint8Array.from([9, 255, 255, 255, 255, 255]),
        provenance: Uint8Array.from([1, 0, 0, 0, 0, 0]),
      });
    // b (val) has no labels: nothing validates, so about a fifth of the Unassigned ones are held out.
    const fraction = (sha: string) => parseInt(sha.slice(0, 8), 16) / 2 ** 32;
    const held = more.imported.filter((i) => fraction(i.sha256) < 0.2).map((i) => i.name.replace('.png', ''));
    const rest = more.imported.filter((i) => fraction(i.sha256) >= 0.2).map((i) => i.name.replace('.png', ''));
    expect(held.length).toBeGreaterThan(0);
    const dir = join(t.dir, 'held');
    await exportDataset(db, dir);
    const meta = JSON.parse(readFileSync(join(dir, 'classes.json'), 'utf8'));
    expect(meta.splits).toEqual({ train: ['a', ...rest], val: ['b', ...held], unassigned: [] });
    expect(readFileSync(join(dir, 'val.txt'), 'utf8')).toBe(['b', ...held].map((n) => `${n}\n`).join(''));
  });

  it('refuses to export a model before any training', async () => {
    await expect(exportModel(t.project.db, join(t.dir, 'm'))).rejects.toThrow(/no trained model/);
  });
});
