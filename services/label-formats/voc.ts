/**
 * Pascal VOC: SegmentationClass/NAME.png. With labelmap.txt (CVAT's `name:r,g,b:parts:actions`), pixel
 * colors map to its classes (line order; its `background` is CVAT's "no label": unlabeled); without it,
 * palette indices are VOC 2012's 21 classes. 255 and VOC's void color are unlabeled.
 */
import { AppError } from '../../core/ipc/errors';
import { decodePng, findFiles, pngValues, readLabelFile, readSmallFile } from './files';
import type { FileClass, LabelSource } from './types';

const VOC_NAMES = [
  'background',
  'aeroplane',
  'bicycle',
  'bird',
  'boat',
  'bottle',
  'bus',
  'car',
  'cat',
  'chair',
  'cow',
  'diningtable',
  'dog',
  'horse',
  'motorbike',
  'person',
  'pottedplant',
  'sheep',
  'sofa',
  'train',
  'tvmonitor',
];
const VOID = '224,224,192';

export async function readVoc(dir: string): Promise<LabelSource> {
  const classes = new Map<number, FileClass>();
  const byColor = new Map<string, number>();
  const [labelmap] = await findFiles(dir, /(^|\/)labelmap\.txt$/);
  if (labelmap) {
    const lines = (await readSmallFile(dir, labelmap)).split(/\r?\n/).filter((l) => l.trim() && !l.startsWith('#'));
    lines.forEach((line, i) => {
      const [name, color] = line.split(':');
      const rgb = (color ?? '').split(',').map(Number);
      if (!name || rgb.length !== 3 || rgb.some((v) => !Number.isInteger(v) || v < 0 || v > 255))
        throw new AppError('INVALID_INPUT', `${labelmap}: line ${i + 1} is not "name:r,g,b::"`);
      if (name.toLowerCase() === 'background') byColor.set(rgb.join(','), 255);
      else {
        classes.set(i, { name, rgb: rgb as [number, number, number] });
        byColor.set(rgb.join(','), i);
      }
    });
  } else VOC_NAMES.forEach((name, i) => classes.set(i, { name }));
  const files = await findFiles(dir, /(^|\/)SegmentationClass\/[^/]+\.png$/i);
  const items = files.map((rel) => ({
    source: rel,
    imageName: rel.split('/').pop()!,
    async read(width: number, height: number) {
      const png = decodePng(await readLabelFile(dir, rel), width, height);
      if (!labelmap) {
        const values = pngValues(png);
        for (const v of values)
          if (v !== 255 && v >= VOC_NAMES.length)
            throw new AppError('INVALID_INPUT', `has value ${v}, not a VOC class`);
        return values;
      }
      const out = new Uint8Array(width * height);
      const { data, channels, palette } = png;
      for (let i = 0; i < out.length; i++) {
        const rgb = palette ? palette[data[i]!]?.slice(0, 3) : [...data.subarray(i * channels, i * channels + 3)];
        const key = (rgb ?? []).join(',');
        const index = byColor.get(key);
        if (index === undefined && key !== VOID)
          throw new AppError(
            'INVALID_INPUT',
            `color ${key} at (${i % width}, ${Math.floor(i / width)}) is not in ${labelmap}`,
          );
        out[i] = index ?? 255;
      }
      return out;
    },
  }));
  return { classes, items, errors: [] };
}
