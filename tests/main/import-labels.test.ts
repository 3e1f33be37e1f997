/**
 * Other tools' labels as imported labels: export -> import is exact for every format (each is lossless
 * on pixel-edge outlines), bad input gets one line per file and none of its labels, unknown class names
 * are listed and applied only when confirmed, painted pixels are kept.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabelFormat } from '../../core/ipc/contract';
import { addClass, listClasses } from '../../db/classes';
import { listImages } from '../../db/images';
import { loadLabelMap, saveLabelMap } from '../../db/labelmaps';
import { exportDataset } from '../../services/export';
import { importLabels } from '../../services/import-labels';
import { addFixtureImages, formatsProject, NAMES, type Expected } from '../helpers/format-project';
import { tempProject } from '../helpers/project';

let source: Awaited<ReturnType<typeof formatsProject>>;
beforeAll(async () => {
  source = await formatsProject();
});
afterAll(() => source.t.close());

/** A second project with the same images and the classes in another order (other label values). */
async function target(withClasses = true) {
  const t = tempProject();
  await addFixtureImages(t.project.db);
  if (withClasses) for (const n of [...NAMES].reverse()) addClass(t.project.db, n);
  return t;
}

/** Each image's labels as class names ('' = unlabeled). */
function namesOf(t: ReturnType<typeof tempProject>, e: Expected): string[] {
  const img = listImages(t.project.db).find((i) => i.name.startsWith(`${e.name}.`))!;
  const byValue = new Map(listClasses(t.project.db).map((c) => [c.value, c.name]));
  const map = loadLabelMap(t.project.db, img.id);
  return [...(map?.classes ?? new Uint8Array(e.indices.length).fill(255))].map((v) => byValue.get(v) ?? '');
}
const expectedNames = (e: Expected) => [...e.indices].map((i) => (i === 255 ? '' : NAMES[i]!));

const ROUND_TRIPS: [string, Parameters<typeof exportDataset>[2], LabelFormat][] = [
  ['voc', { format: 'voc' }, 'voc'],
  ['cityscapes', { format: 'cityscapes' }, 'cityscapes'],
  ['coco RLE', { format: 'coco' }, 'coco'],
  ['coco polygons', { format: 'coco', polygons: true }, 'coco'],
  ['yolo-seg', { format: 'yolo-seg' }, 'yolo-seg'],
];

describe('import-labels', () => {
  it.each(ROUND_TRIPS)('%s: export then import gives every label back exactly', async (_, options, format) => {
    const dir = join(source.t.dir, `rt-${format}-${options?.polygons ? 'p' : 'r'}`);
    await exportDataset(source.t.project.db, dir, options);
    const t = await target();
    try {
      const r = await importLabels(t.project.db, dir, format);
      expect(r.errors).toEqual([]);
      expect(r.unknownClasses).toEqual([]);
      for (const e of source.expected) expect(namesOf(t, e)).toEqual(expectedNames(e));
    } finally {
      t.close();
    }
  });

  it('lists class names the project lacks and applies nothing until confirmed, then creates them', async () => {
    const dir = join(source.t.dir, 'unknown');
    await exportDataset(source.t.project.db, dir, { format: 'cityscapes' });
    const t = await target(false);
    try {
      addClass(t.project.db, 'road');
      const r = await importLabels(t.project.db, dir, 'cityscapes');
      expect(r.unknownClasses).toEqual(['sky', 'car', 'pole/sign']);
      expect(r.applied).toEqual([]);
      for (const img of listImages(t.project.db)) expect(loadLabelMap(t.project.db, img.id)).toBeUndefined();
      const ok = await importLabels(t.project.db, dir, 'cityscapes', { createClasses: true });
      expect(ok.createdClasses.map((c) => c.name)).toEqual(['sky', 'car', 'pole/sign']);
      expect(ok.createdClasses[0]!.color).toBe('#808080'); // the file's color
      for (const e of source.expected) expect(namesOf(t, e)).toEqual(expectedNames(e));
    } finally {
      t.close();
    }
  });

  it('never overwrites painted pixels', async () => {
    const dir = join(source.t.dir, 'painted');
    await exportDataset(source.t.project.db, dir, { format: 'yolo-seg' });
    const t = await target();
    try {
      const img = listImages(t.project.db).find((i) => i.name === 'img0.png')!;
      const road = listClasses(t.project.db).find((c) => c.name === 'road')!;
      const n = img.width * img.height;
      const classes = new Uint8Array(n).fill(255);
      const provenance = new Uint8Array(n);
      classes[0] = classes[n - 1] = road.value; // painted road where the file says sky... or nothing
      provenance[0] = provenance[n - 1] = 1;
      saveLabelMap(t.project.db, img.id, { width: img.width, height: img.height, classes, provenance });
      await importLabels(t.project.db, dir, 'yolo-seg');
      const e = source.expected[0]!;
      const want = expectedNames(e);
      want[0] = want[n - 1] = 'road';
      expect(namesOf(t, e)).toEqual(want);
      expect(loadLabelMap(t.project.db, img.id)!.provenance[n - 1]).toBe(1);
    } finally {
      t.close();
    }
  });

  it('gives bad input one line per file and applies none of that file', async () => {
    const t = await target();
    const dir = join(t.dir, 'bad');
    try {
      // YOLO: img0 odd coordinate count, img1 class id out of range, img2 fine.
      mkdirSync(join(dir, 'yolo', 'labels'), { recursive: true });
      writeFileSync(join(dir, 'yolo', 'data.yaml'), 'names:\n  0: road\n  1: sky\n');
      writeFileSync(join(dir, 'yolo', 'labels', 'img0.txt'), '0 0 0 1 0 1 1\n0 0 0 1 0 1\n');
      writeFileSync(join(dir, 'yolo', 'labels', 'img1.txt'), '0 0 0 1 0 1 1\n7 0 0 1 0 1 1\n');
      writeFileSync(join(dir, 'yolo', 'labels', 'img2.txt'), '1 0 0 1 0 1 1 0 1\n');
      const y = await importLabels(t.project.db, join(dir, 'yolo'), 'yolo-seg');
      expect(y.errors.map((e) => `${e.name}: ${e.message}`)).toEqual([
        'labels/img0.txt: line 2: odd number of coordinates (5)',
        'labels/img1.txt: line 2: class id 7 is not in data.yaml',
      ]);
      expect(y.applied.map((a) => a.imageName)).toEqual(['img2.png']);
      const names = () => listImages(t.project.db).map((i) => [i.name, !!loadLabelMap(t.project.db, i.id)]);
      expect(names()).toEqual([
        ['img0.png', false],
        ['img1.jpg', false],
        ['img2.png', true],
        ['img3.png', false],
      ]);

      // COCO: a broken RLE on img0, a polygon outside img1, each image refused whole.
      mkdirSync(join(dir, 'coco'));
      const coco = {
        images: [
          { id: 1, file_name: 'img0.png', width: 13, height: 9 },
          { id: 2, file_name: 'img1.jpg', width: 7, height: 5 },
        ],
        categories: [{ id: 1, name: 'road' }],
        annotations: [
          { id: 10, image_id: 1, category_id: 1, segmentation: [[0, 0, 2, 0, 2, 2]] },
          { id: 11, image_id: 1, category_id: 1, segmentation: { size: [9, 13], counts: [5, 200] } },
          { id: 12, image_id: 2, category_id: 1, segmentation: [[0, 0, 8, 0, 8, 2]] },
        ],
      };
      writeFileSync(join(dir, 'coco', 'train.json'), JSON.stringify(coco));
      const c = await importLabels(t.project.db, join(dir, 'coco'), 'coco');
      expect(c.errors.map((e) => `${e.name}: ${e.message}`)).toEqual([
        'train.json: img0.png: annotation 11: broken RLE (RLE runs cover more than the 13x9 image)',
        'train.json: img1.jpg: annotation 12: polygon point (8, 0) is outside the 7x5 image',
      ]);
      expect(c.applied).toEqual([]);

      // VOC: a mask of the wrong size.
      mkdirSync(join(dir, 'voc', 'SegmentationClass'), { recursive: true });
      writeFileSync(join(dir, 'voc', 'labelmap.txt'), '# label:color_rgb:parts:actions\nroad:128,64,128::\n');
      writeFileSync(
        join(dir, 'voc', 'SegmentationClass', 'img0.png'),
        encode({ width: 4, height: 4, data: new Uint8Array(16), depth: 8, channels: 1, palette: [[128, 64, 128]] }),
      );
      const v = await importLabels(t.project.db, join(dir, 'voc'), 'voc');
      expect(v.errors.map((e) => `${e.name}: ${e.message}`)).toEqual([
        'SegmentationClass/img0.png: is 4x4 but its image is 13x9',
      ]);
      expect(names()[0]).toEqual(['img0.png', false]);
    } finally {
      t.close();
    }
  });
});
