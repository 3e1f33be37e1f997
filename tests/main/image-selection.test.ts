/** Bulk actions on a selection of images: review status for many images, export of the selection only. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addClass } from '../../db/classes';
import { listImages, setStatus } from '../../db/images';
import { saveLabelMap } from '../../db/labelmaps';
import { runExport } from '../../services/export';
import { importImages } from '../../services/import-images';
import { makeImage } from '../helpers/fixtures';
import { tempProject } from '../helpers/project';

describe('selected images', () => {
  let t: ReturnType<typeof tempProject>;
  let ids: number[];
  beforeEach(async () => {
    t = tempProject();
    const db = t.project.db;
    const r = await importImages(
      db,
      ['a', 'b', 'c'].map((n, i) => ({ name: `${n}.png`, read: () => makeImage(3, 2, 'png', i) })),
    );
    ids = r.imported.map((i) => i.id);
    const road = addClass(db, 'road', '#804080');
    for (const id of ids)
      saveLabelMap(db, id, {
        width: 3,
        height: 2,
        classes: new Uint8Array(6).fill(road.value),
        provenance: new Uint8Array(6).fill(1),
      });
  });
  afterEach(() => t.close());

  it('sets the review status of many images at once; new images are to do', () => {
    const db = t.project.db;
    expect(listImages(db).map((i) => i.status)).toEqual(['todo', 'todo', 'todo']);
    expect(setStatus(db, [ids[0]!, ids[2]!], 'reviewed')).toBe(2);
    expect(setStatus(db, [ids[1]!], 'labeled')).toBe(1);
    expect(listImages(db).map((i) => i.status)).toEqual(['reviewed', 'labeled', 'reviewed']);
  });

  it('exports the masks and the dataset of the selected images only', async () => {
    const db = t.project.db;
    const masks = join(t.dir, 'masks-out');
    const r = await runExport(db, 'masks', masks, { imageIds: [ids[1]!, ids[2]!] });
    expect(r.files).toBe(4); // a mask and a colour preview each
    expect(readdirSync(join(masks, 'masks')).sort()).toEqual(['b.png', 'c.png']);
    const ds = join(t.dir, 'ds-out');
    await runExport(db, 'dataset', ds, { imageIds: [ids[0]!] });
    expect(readdirSync(join(ds, 'images'))).toEqual(['a.png']);
    expect(existsSync(join(ds, 'masks', 'b.png'))).toBe(false);
  });
});
