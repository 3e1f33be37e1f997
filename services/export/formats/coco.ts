/**
 * COCO, per image and class as COCO-Stuff writes it: images/SPLIT/NAME.ext and annotations/SPLIT.json,
 * one annotation per image and class present, its segmentation an RLE with pycocotools' compressed
 * counts (`{"size": [h, w], "counts": "..."}`), or with `--polygons` the list of its regions' outlines
 * (holes joined by a cut, core/formats/regions.ts); iscrowd 0. Category ids are class index + 1.
 * Unlabeled pixels are in no annotation.
 */
import { encodeRle, rleToString } from '../../../core/formats/rle';
import { bridgeHoles, traceRegions } from '../../../core/formats/regions';
import type { ExportImage, FormatFactory } from '../types';
import { originalName } from './common';

interface CocoFile {
  info: { description: string };
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: {
    id: number;
    image_id: number;
    category_id: number;
    segmentation: { size: [number, number]; counts: string } | number[][];
    area: number;
    bbox: [number, number, number, number];
    iscrowd: 0;
  }[];
  categories: { id: number; name: string; supercategory: string; color: [number, number, number] }[];
}

/** Pixel count and bounding box [x, y, w, h] of each class index in `indices`. */
function classExtents(img: ExportImage) {
  const { width, indices } = img;
  const ext = new Map<number, { area: number; x0: number; y0: number; x1: number; y1: number }>();
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i]!;
    if (v === 255) continue;
    const x = i % width;
    const y = (i - x) / width;
    const e = ext.get(v);
    if (!e) ext.set(v, { area: 1, x0: x, y0: y, x1: x, y1: y });
    else {
      e.area++;
      e.x0 = Math.min(e.x0, x);
      e.x1 = Math.max(e.x1, x);
      e.y1 = y;
    }
  }
  return ext;
}

export const cocoFormat: FormatFactory = (ctx) => {
  const categories = ctx.classes.map((c) => ({ id: c.index + 1, name: c.name, supercategory: 'class', color: c.rgb }));
  const files: Record<'train' | 'val', CocoFile> = {
    train: { info: { description: 'Maskwright export' }, images: [], annotations: [], categories },
    val: { info: { description: 'Maskwright export' }, images: [], annotations: [], categories },
  };
  let annotationId = 0;
  return {
    async image(img) {
      const file = files[img.split];
      const fileName = originalName(img);
      await ctx.write(`images/${img.split}/${fileName}`, img.original());
      const imageId = img.id;
      file.images.push({ id: imageId, file_name: fileName, width: img.width, height: img.height });
      const extents = classExtents(img);
      const regions = ctx.polygons ? traceRegions(img.width, img.height, img.indices) : [];
      for (const [index, e] of [...extents].sort((a, b) => a[0] - b[0])) {
        const segmentation = ctx.polygons
          ? regions.filter((r) => r.value === index).map((r) => bridgeHoles(r))
          : (() => {
              const rle = encodeRle(img.width, img.height, img.indices, index);
              return { size: rle.size, counts: rleToString(rle.counts) };
            })();
        file.annotations.push({
          id: ++annotationId,
          image_id: imageId,
          category_id: index + 1,
          segmentation,
          area: e.area,
          bbox: [e.x0, e.y0, e.x1 - e.x0 + 1, e.y1 - e.y0 + 1],
          iscrowd: 0,
        });
      }
    },
    async finish() {
      for (const split of ['train', 'val'] as const)
        await ctx.write(`annotations/${split}.json`, JSON.stringify(files[split]));
    },
  };
};
