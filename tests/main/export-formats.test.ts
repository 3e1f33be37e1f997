/**
 * Every dataset format, read back by decoders written from the formats' specifications
 * (tests/helpers/format-fixtures.ts) and by a second PNG library (sharp; the writers use fast-png), on
 * images of odd sizes with holes, a thin line, touching regions, unlabeled pixels and an image without
 * labels.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClass } from '../../db/classes';
import { saveLabelMap } from '../../db/labelmaps';
import { exportDataset } from '../../services/export';
import { importImages } from '../../services/import-images';
import { makeImage } from '../helpers/fixtures';
import { tempProject } from '../helpers/project';
import { binary, iou, specCountsFromString, specDecodeRle, specRasterise } from '../helpers/format-fixtures';
import { NAMES, formatsProject, type Expected } from '../helpers/format-project';

let t: Awaited<ReturnType<typeof formatsProject>>['t'];
let expected: Expected[];
let valNames: string[];

beforeAll(async () => {
  ({ t, expected, valNames } = await formatsProject());
});
afterAll(() => t.close());

const splitOf = (name: string) => (valNames.includes(name) ? 'val' : 'train');

async function pngPixels(path: string): Promise<{ data: Buffer; channels: number; width: number; height: number }> {
  const { data, info } = await sharp(readFileSync(path)).raw().toBuffer({ resolveWithObject: true });
  return { data, channels: info.channels, width: info.width, height: info.height };
}

async function exportAs(options: Parameters<typeof exportDataset>[2]) {
  const dir = join(t.dir, `out-${Math.random().toString(36).slice(2)}`);
  await exportDataset(t.project.db, dir, options);
  return dir;
}

describe('dataset formats, read back from their specifications', () => {
  it('VOC: palette PNGs read as colors by sharp map back through labelmap.txt; JPEG images; split lists', async () => {
    const dir = await exportAs({ format: 'voc' });
    const labelmap = readFileSync(join(dir, 'labelmap.txt'), 'utf8').trim().split('\n');
    expect(labelmap[0]).toBe('# label:color_rgb:parts:actions');
    // CVAT's "no label" first, then the classes in index order.
    expect(labelmap[1]).toBe('background:0,0,0::');
    const byColor = new Map(labelmap.slice(2).map((l, i) => [l.split(':')[1], i]));
    expect(labelmap.slice(2).map((l) => l.split(':')[0])).toEqual(NAMES);
    byColor.set('0,0,0', 255);
    for (const e of expected) {
      const png = await pngPixels(join(dir, 'SegmentationClass', `${e.name}.png`));
      expect([png.width, png.height]).toEqual([e.width, e.height]);
      const got = new Uint8Array(e.width * e.height);
      for (let i = 0; i < got.length; i++) {
        const rgb = [...png.data.subarray(i * png.channels, i * png.channels + 3)].join(',');
        got[i] = byColor.get(rgb) ?? 254;
      }
      expect(got).toEqual(e.indices);
      // The indices themselves (what VOC loaders read): 255 = unlabeled.
      const indexed = await sharp(readFileSync(join(dir, 'SegmentationClass', `${e.name}.png`))).metadata();
      expect(indexed.isPalette).toBe(true);
      const jpeg = await sharp(readFileSync(join(dir, 'JPEGImages', `${e.name}.jpg`))).metadata();
      expect([jpeg.format, jpeg.width, jpeg.height]).toEqual(['jpeg', e.width, e.height]);
    }
    const list = (s: string) =>
      readFileSync(join(dir, 'ImageSets', 'Segmentation', `${s}.txt`), 'utf8')
        .split('\n')
        .filter(Boolean);
    expect(list('val').sort()).toEqual([...valNames].sort());
    expect(list('train').sort()).toEqual(
      expected
        .map((e) => e.name)
        .filter((n) => !valNames.includes(n))
        .sort(),
    );
  });

  it('Cityscapes: labelIds are class indices with 255 unlabeled, color PNGs in class colors, per split', async () => {
    const dir = await exportAs({ format: 'cityscapes' });
    const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8'));
    expect(labels.ignore_id).toBe(255);
    expect(labels.labels.map((l: { name: string }) => l.name)).toEqual(NAMES);
    for (const e of expected) {
      const split = splitOf(e.name);
      const ids = await pngPixels(join(dir, 'gtFine', split, `${e.name}_gtFine_labelIds.png`));
      expect(Uint8Array.from({ length: e.width * e.height }, (_, i) => ids.data[i * ids.channels]!)).toEqual(e.indices);
      const color = await pngPixels(join(dir, 'gtFine', split, `${e.name}_gtFine_color.png`));
      for (let i = 0; i < e.indices.length; i++) {
        const want = e.indices[i] === 255 ? [0, 0, 0] : labels.labels[e.indices[i]!].color;
        expect([...color.data.subarray(i * color.channels, i * color.channels + 3)]).toEqual(want);
      }
      expect(existsSync(join(dir, 'leftImg8bit', split, `${e.name}_leftImg8bit.png`))).toBe(true);
    }
  });

  const cocoPlanes = (dir: string, decode: (seg: unknown, w: number, h: number) => Uint8Array) => {
    const planes = new Map<string, Uint8Array>();
    for (const split of ['train', 'val']) {
      const coco = JSON.parse(readFileSync(join(dir, 'annotations', `${split}.json`), 'utf8'));
      expect(coco.categories.map((c: { id: number; name: string }) => [c.id, c.name])).toEqual(
        NAMES.map((n, i) => [i + 1, n]),
      );
      for (const img of coco.images) {
        const plane = new Uint8Array(img.width * img.height).fill(255);
        for (const a of coco.annotations.filter((x: { image_id: number }) => x.image_id === img.id)) {
          const m = decode(a.segmentation, img.width, img.height);
          let area = 0;
          m.forEach((s, i) => {
            if (!s) return;
            expect(plane[i]).toBe(255); // one class per pixel
            plane[i] = a.category_id - 1;
            area++;
          });
          expect(a.area).toBe(area);
          expect(a.iscrowd).toBe(0);
        }
        const name = img.file_name.replace(/\.\w+$/, '');
        expect(split).toBe(splitOf(name));
        planes.set(name, plane);
      }
    }
    return planes;
  };

  it('COCO RLE: compressed counts decoded per pycocotools give every class plane exactly', async () => {
    const dir = await exportAs({ format: 'coco' });
    const planes = cocoPlanes(dir, (seg, w, h) => {
      const rle = seg as { size: [number, number]; counts: string };
      expect(rle.size).toEqual([h, w]);
      return specDecodeRle(h, w, specCountsFromString(rle.counts));
    });
    for (const e of expected) expect(planes.get(e.name)).toEqual(e.indices);
  });

  it('COCO polygons: filled at pixel centres they give every class plane exactly', async () => {
    const dir = await exportAs({ format: 'coco', polygons: true });
    const planes = cocoPlanes(dir, (seg, w, h) => specRasterise(w, h, seg as number[][]));
    for (const e of expected) expect(planes.get(e.name)).toEqual(e.indices);
  });

  it('YOLO-seg: one normalized polygon per connected region, IoU >= 0.98 with its region, data.yaml', async () => {
    const dir = await exportAs({ format: 'yolo-seg' });
    const yaml = readFileSync(join(dir, 'data.yaml'), 'utf8');
    expect(yaml).toContain(`path: ${JSON.stringify(dir)}\n`);
    expect(yaml).toContain(
      'train: images/train\nval: images/val\nnames:\n  0: "road"\n  1: "sky"\n  2: "car"\n  3: "pole/sign"\n',
    );
    for (const e of expected) {
      const lines = readFileSync(join(dir, 'labels', splitOf(e.name), `${e.name}.txt`), 'utf8')
        .split('\n')
        .filter(Boolean);
      const seen = new Uint8Array(e.indices.length);
      for (const line of lines) {
        const [cls, ...coords] = line.split(' ').map(Number);
        expect(coords.length % 2).toBe(0);
        const poly = coords.map((v, i) => v * (i % 2 ? e.height : e.width));
        const mask = specRasterise(e.width, e.height, [poly]);
        const first = mask.indexOf(1);
        const region = component(e, first);
        expect(e.indices[first]).toBe(cls);
        expect(iou(mask, region)).toBeGreaterThanOrEqual(0.98);
        region.forEach((s, i) => (seen[i]! |= s));
      }
      // every labeled pixel is in some region's line, no unlabeled one
      expect(seen).toEqual(Uint8Array.from(e.indices, (v) => (v === 255 ? 0 : 1)));
    }
  });

  it('per-class masks: one binary PNG per class, and the unlabeled pixels in ignore/', async () => {
    const dir = await exportAs({ format: 'class-masks' });
    const folders = readdirSync(join(dir, 'masks')).sort();
    expect(folders).toEqual(['00_road', '01_sky', '02_car', '03_pole_sign']);
    for (const e of expected) {
      for (let c = 0; c < 4; c++) {
        const png = await pngPixels(join(dir, 'masks', folders[c]!, `${e.name}.png`));
        const got = Uint8Array.from({ length: e.indices.length }, (_, i) =>
          png.data[i * png.channels] === 255 ? 1 : 0,
        );
        expect(got).toEqual(binary(e.indices, c));
      }
      const ignore = await pngPixels(join(dir, 'ignore', `${e.name}.png`));
      expect(
        Uint8Array.from({ length: e.indices.length }, (_, i) => (ignore.data[i * ignore.channels] === 255 ? 1 : 0)),
      ).toEqual(binary(e.indices, 255));
    }
    expect(readFileSync(join(dir, 'val.txt'), 'utf8').split('\n').filter(Boolean).sort()).toEqual([...valNames].sort());
  });

  it("Maskwright's own layout lists the held-out images as val", async () => {
    const dir = await exportAs({});
    const meta = JSON.parse(readFileSync(join(dir, 'classes.json'), 'utf8'));
    expect([...meta.splits.val].sort()).toEqual([...valNames].sort());
  });

  it('"only labels you made" leaves propagated pixels unlabeled in every format', async () => {
    const e = expected[0]!;
    const trusted = Uint8Array.from(e.indices, (v, i) => (v !== 255 && i % 5 === 0 ? 255 : v));
    const split = splitOf(e.name);
    const voc = await exportAs({ format: 'voc', labels: 'trusted' });
    const png = await pngPixels(join(voc, 'SegmentationClass', `${e.name}.png`));
    expect(
      Uint8Array.from({ length: trusted.length }, (_, i) =>
        [0, 1, 2].every((k) => png.data[i * png.channels + k] === 0) ? 255 : 0,
      ),
    ).toEqual(Uint8Array.from(trusted, (v) => (v === 255 ? 255 : 0)));
    const city = await exportAs({ format: 'cityscapes', labels: 'trusted' });
    const ids = await pngPixels(join(city, 'gtFine', split, `${e.name}_gtFine_labelIds.png`));
    expect(Uint8Array.from({ length: trusted.length }, (_, i) => ids.data[i * ids.channels]!)).toEqual(trusted);
    const coco = await exportAs({ format: 'coco', labels: 'trusted' });
    const planes = cocoPlanes(coco, (seg, w, h) =>
      specDecodeRle(h, w, specCountsFromString((seg as { counts: string }).counts)),
    );
    expect(planes.get(e.name)).toEqual(trusted);
    const yolo = await exportAs({ format: 'yolo-seg', labels: 'trusted' });
    const covered = new Uint8Array(trusted.length);
    for (const line of readFileSync(join(yolo, 'labels', split, `${e.name}.txt`), 'utf8')
      .split('\n')
      .filter(Boolean)) {
      const coords = line.split(' ').slice(1).map(Number);
      specRasterise(e.width, e.height, [coords.map((v, i) => v * (i % 2 ? e.height : e.width))]).forEach(
        (s, i) => (covered[i]! |= s),
      );
    }
    expect(covered).toEqual(Uint8Array.from(trusted, (v) => (v === 255 ? 0 : 1)));
    const masks = await exportAs({ format: 'class-masks', labels: 'trusted' });
    const ignore = await pngPixels(join(masks, 'ignore', `${e.name}.png`));
    expect(Uint8Array.from({ length: trusted.length }, (_, i) => ignore.data[i * ignore.channels]!)).toEqual(
      Uint8Array.from(trusted, (v) => (v === 255 ? 255 : 0)),
    );
  });
});

describe('images other tools read without EXIF', () => {
  it('VOC and Cityscapes get a JPEG with an EXIF rotation as upright pixels, the size of its mask', async () => {
    const p = tempProject();
    try {
      const db = p.project.db;
      // Stored 4x2 with orientation 6 (rotate 90): upright it is 2x4, as the label map.
      const r = await importImages(db, [{ name: 'turned.jpg', read: () => makeImage(4, 2, 'jpeg', 1, 6) }]);
      const img = r.imported[0]!;
      const c = addClass(db, 'road');
      saveLabelMap(db, img.id, {
        width: 2,
        height: 4,
        classes: new Uint8Array(8).fill(c.value),
        provenance: new Uint8Array(8).fill(1),
      });
      const voc = join(p.dir, 'voc');
      await exportDataset(db, voc, { format: 'voc' });
      const jpeg = await sharp(readFileSync(join(voc, 'JPEGImages', 'turned.jpg'))).metadata();
      expect([jpeg.width, jpeg.height, jpeg.orientation ?? 1]).toEqual([2, 4, 1]);
      const city = join(p.dir, 'city');
      await exportDataset(db, city, { format: 'cityscapes' });
      const split = readdirSync(join(city, 'leftImg8bit'))[0]!;
      const png = await sharp(readFileSync(join(city, 'leftImg8bit', split, 'turned_leftImg8bit.png'))).metadata();
      expect([png.format, png.width, png.height]).toEqual(['png', 2, 4]);
    } finally {
      p.close();
    }
  });
});

/** The 4-connected pixels of `start`'s class around it, as a 0/1 plane. */
function component(e: Expected, start: number): Uint8Array {
  const out = new Uint8Array(e.indices.length);
  const v = e.indices[start];
  const stack = [start];
  out[start] = 1;
  while (stack.length) {
    const p = stack.pop()!;
    const x = p % e.width;
    for (const q of [x > 0 ? p - 1 : -1, x < e.width - 1 ? p + 1 : -1, p - e.width, p + e.width]) {
      if (q >= 0 && q < out.length && !out[q] && e.indices[q] === v) {
        out[q] = 1;
        stack.push(q);
      }
    }
  }
  return out;
}
