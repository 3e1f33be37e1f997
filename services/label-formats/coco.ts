/**
 * COCO: every *.json under the folder with `images`, `annotations` and `categories`; each annotation's
 * segmentation an RLE (compressed string or counts array, column-major) or a list of polygons, filled at
 * pixel centres by the even-odd rule. A pixel in annotations of two classes takes the later one. An image's
 * annotations are applied all or none: one broken annotation refuses the image, with one line.
 */
import { AppError } from '../../core/ipc/errors';
import { decodeRle, rleFromString } from '../../core/formats/rle';
import { createLabelMap } from '../../core/labelmap/types';
import { fillPolygon } from '../../core/labelmap/polygon';
import { findFiles, readLabelFile } from './files';
import type { FileClass, LabelItem, LabelSource } from './types';

interface CocoAnnotation {
  id?: number;
  image_id: number;
  category_id: number;
  segmentation: unknown;
}

export async function readCoco(dir: string): Promise<LabelSource> {
  const classes = new Map<number, FileClass>();
  const items: LabelItem[] = [];
  const errors: LabelSource['errors'] = [];
  for (const rel of await findFiles(dir, /\.json$/i)) {
    let coco: {
      images?: { id: number; file_name: string; width: number; height: number }[];
      annotations?: CocoAnnotation[];
      categories?: { id: number; name: string; color?: [number, number, number] }[];
    };
    try {
      coco = JSON.parse((await readLabelFile(dir, rel)).toString('utf8'));
    } catch (err) {
      errors.push({ name: rel, code: 'INVALID_INPUT', message: `not JSON (${(err as Error).message})` });
      continue;
    }
    if (!Array.isArray(coco.images) || !Array.isArray(coco.annotations) || !Array.isArray(coco.categories)) continue;
    for (const c of coco.categories) {
      if (!Number.isInteger(c.id) || c.id < 0 || c.id > 254 || typeof c.name !== 'string') {
        errors.push({ name: rel, code: 'INVALID_INPUT', message: 'a category needs an id 0..254 and a name' });
        continue;
      }
      const seen = classes.get(c.id);
      if (seen && seen.name !== c.name) {
        errors.push({
          name: rel,
          code: 'INVALID_INPUT',
          message: `category ${c.id} is "${c.name}" here, "${seen.name}" in another file`,
        });
        continue;
      }
      classes.set(c.id, { name: c.name, rgb: Array.isArray(c.color) ? c.color : undefined });
    }
    const byImage = new Map<number, CocoAnnotation[]>();
    for (const a of coco.annotations) byImage.set(a.image_id, [...(byImage.get(a.image_id) ?? []), a]);
    for (const img of coco.images) {
      const annotations = byImage.get(img.id) ?? [];
      items.push({
        source: `${rel}: ${img.file_name}`,
        imageName: String(img.file_name).split('/').pop()!,
        size: { width: img.width, height: img.height },
        async read(width, height) {
          const map = createLabelMap(width, height);
          for (const a of annotations) {
            const where = `annotation ${a.id ?? '?'}`;
            if (!classes.has(a.category_id))
              throw new AppError('INVALID_INPUT', `${where}: category ${a.category_id} is not in the categories`);
            paint(map, a.segmentation, a.category_id, where);
          }
          return map.classes;
        },
      });
    }
  }
  return { classes, items, errors };
}

function paint(map: ReturnType<typeof createLabelMap>, seg: unknown, value: number, where: string): void {
  const { width, height } = map;
  if (Array.isArray(seg)) {
    for (const poly of seg) {
      if (
        !Array.isArray(poly) ||
        poly.length % 2 ||
        poly.length < 6 ||
        poly.some((v) => typeof v !== 'number' || !Number.isFinite(v))
      )
        throw new AppError('INVALID_INPUT', `${where}: a polygon must be at least 3 x, y pairs`);
      for (let i = 0; i < poly.length; i++) {
        const limit = i % 2 ? height : width;
        if (poly[i] < 0 || poly[i] > limit)
          throw new AppError(
            'INVALID_INPUT',
            `${where}: polygon point (${poly[i - (i % 2)]}, ${poly[i - (i % 2) + 1]}) is outside the ${width}x${height} image`,
          );
      }
      fillPolygon(map, poly as number[], { value, rule: 'evenodd' });
    }
    return;
  }
  const rle = seg as { size?: unknown; counts?: unknown } | null;
  if (!rle || !Array.isArray(rle.size) || (typeof rle.counts !== 'string' && !Array.isArray(rle.counts)))
    throw new AppError('INVALID_INPUT', `${where}: segmentation is neither polygons nor an RLE`);
  const [h, w] = rle.size as number[];
  if (h !== height || w !== width)
    throw new AppError('INVALID_INPUT', `${where}: RLE size ${w}x${h} is not the image's ${width}x${height}`);
  let mask: Uint8Array;
  try {
    const counts = typeof rle.counts === 'string' ? rleFromString(rle.counts) : (rle.counts as number[]);
    mask = decodeRle({ size: [h, w], counts });
  } catch (err) {
    throw new AppError('INVALID_INPUT', `${where}: broken RLE (${(err as Error).message})`);
  }
  for (let i = 0; i < mask.length; i++) if (mask[i]) map.classes[i] = value;
}
