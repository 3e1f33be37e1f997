/** Importing existing masks into label maps, provenance "imported", without overwriting other labels. */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { ClassInfo, MaskImportReport } from '../../core/ipc/contract';
import { AppError } from '../../core/ipc/errors';
import { addClass, getClassByValue } from '../../db/classes';
import { getImage, listImages } from '../../db/images';
import { mergeIntoLabelMap } from '../../db/labelmaps';
import { writeTransaction, type ProjectDb } from '../../db/open';
import { expandPaths } from './import-images';
import { decodeMask } from './masks';
import { Provenance, UNLABELED } from '../../core/labelmap/types';

const MASK_SUFFIXES = /([_-](mask|masks|label|labels|labelIds|annot|gt|L))$/i;
const stem = (name: string) => basename(name, extname(name));

/** Finds the image a mask file belongs to: same file stem, or the stem without a mask-like suffix. */
function matcher(db: ProjectDb): (maskName: string) => { id: number; name: string } | undefined {
  const byStem = new Map<string, { id: number; name: string }>();
  for (const img of listImages(db)) byStem.set(stem(img.name).toLowerCase(), img);
  return (maskName) => {
    const s = stem(maskName).toLowerCase();
    return byStem.get(s) ?? byStem.get(s.replace(MASK_SUFFIXES, ''));
  };
}

/**
 * Applies one decoded mask to an image's label map. Mask labels replace unlabeled and previously
 * imported pixels; painted, propagated and predicted pixels are kept. Returns labeled pixels written.
 */
function applyMask(db: ProjectDb, imageId: number, values: Uint8Array): number {
  let written = 0;
  mergeIntoLabelMap(db, imageId, ({ classes, provenance }) => {
    let changed = 0;
    written = 0; // the merge may run again after a busy retry
    for (let i = 0; i < classes.length; i++) {
      const p = provenance[i]!;
      if (p !== Provenance.None && p !== Provenance.Imported) continue;
      const v = values[i]!;
      const np = v === UNLABELED ? Provenance.None : Provenance.Imported;
      if (classes[i] !== v || p !== np) changed++;
      classes[i] = v;
      provenance[i] = np;
      if (v !== UNLABELED) written++;
    }
    return changed;
  });
  return written;
}

export async function importMasks(
  db: ProjectDb,
  paths: readonly string[],
  options: { voidValue?: number | undefined; imageId?: number | undefined } = {},
): Promise<MaskImportReport> {
  const { files, errors } = await expandPaths(paths);
  const report: MaskImportReport = { applied: [], createdClasses: [], unmatched: [], errors };
  if (options.imageId !== undefined && files.length !== 1) {
    throw new AppError('INVALID_INPUT', 'Give exactly one mask file when importing for a chosen image');
  }
  const match = matcher(db);
  for (const file of files) {
    const name = basename(file);
    try {
      const target = options.imageId !== undefined ? getImage(db, options.imageId) : match(name);
      if (!target && options.imageId === undefined) {
        report.unmatched.push(name);
        continue;
      }
      if (!target) {
        throw new AppError(
          'NOT_FOUND',
          options.imageId !== undefined ? `No image with id ${options.imageId}` : 'No image with a matching file name',
        );
      }
      const img = getImage(db, target.id)!;
      const mask = decodeMask(await readFile(file), options.voidValue);
      if (mask.width !== img.width || mask.height !== img.height) {
        throw new AppError(
          'INVALID_INPUT',
          `Mask is ${mask.width}x${mask.height} but ${img.name} is ${img.width}x${img.height}`,
        );
      }
      const created: ClassInfo[] = [];
      const labeledPixels = writeTransaction(db, () => {
        const present = new Set(mask.values);
        present.delete(UNLABELED);
        for (const v of [...present].sort((a, b) => a - b)) {
          if (!getClassByValue(db, v)) created.push(addClass(db, uniqueName(db, `Class ${v}`), undefined, v));
        }
        return applyMask(db, img.id, mask.values);
      });
      report.createdClasses.push(...created);
      report.applied.push({ imageId: img.id, imageName: img.name, maskName: name, labeledPixels });
    } catch (err) {
      report.errors.push({ name, code: err instanceof AppError ? err.code : 'IO', message: (err as Error).message });
    }
  }
  return report;
}

function uniqueName(db: ProjectDb, base: string): string {
  const taken = (n: string) => db.prepare('SELECT 1 FROM classes WHERE name = ? COLLATE NOCASE').get(n) !== undefined;
  let name = base;
  for (let i = 2; taken(name); i++) name = `${base} (${i})`;
  return name;
}
