/**
 * Cityscapes-style: *_labelIds.png (8-bit gray, value = class id; 255 = unlabeled) anywhere under the
 * folder; class names from labels.json (Maskwright's export: {"labels": [{"id", "name", "color"}]}),
 * else "Class N".
 */
import { AppError } from '../../core/ipc/errors';
import { decodePng, findFiles, pngValues, readLabelFile, readSmallFile } from './files';
import type { FileClass, LabelSource } from './types';

export async function readCityscapes(dir: string): Promise<LabelSource> {
  const classes = new Map<number, FileClass>();
  const [labelsFile] = await findFiles(dir, /(^|\/)labels\.json$/);
  if (labelsFile) {
    let parsed: { labels?: { id: number; name: string; color?: [number, number, number] }[] };
    try {
      parsed = JSON.parse(await readSmallFile(dir, labelsFile));
    } catch (err) {
      throw new AppError('INVALID_INPUT', `${labelsFile}: not JSON (${(err as Error).message})`);
    }
    for (const l of parsed.labels ?? []) {
      if (!Number.isInteger(l.id) || l.id < 0 || l.id > 254 || typeof l.name !== 'string')
        throw new AppError('INVALID_INPUT', `${labelsFile}: a label needs an id 0..254 and a name`);
      classes.set(l.id, { name: l.name, rgb: l.color });
    }
  }
  const known = labelsFile !== undefined;
  const files = await findFiles(dir, /_labelIds\.png$/i);
  const items = files.map((rel) => ({
    source: rel,
    imageName:
      rel
        .split('/')
        .pop()!
        .replace(/(_gtFine)?_labelIds\.png$/i, '')
        .replace(/_leftImg8bit$/, '') + '.png',
    async read(width: number, height: number) {
      const values = pngValues(decodePng(await readLabelFile(dir, rel), width, height));
      for (const v of values) {
        if (v === 255 || classes.has(v)) continue;
        if (known) throw new AppError('INVALID_INPUT', `has id ${v}, which ${labelsFile} does not name`);
        classes.set(v, { name: `Class ${v}` });
      }
      return values;
    },
  }));
  return { classes, items, errors: [] };
}
