/** Importing existing masks into label maps, provenance "imported", without overwriting other labels. */
import { basename, extname } from 'node:path';
import type { ClassInfo, MaskImportReport } from '../core/ipc/contract';
import { AppError } from '../core/ipc/errors';
import { addClass, classNameTaken, getClassByValue, listClasses, reorderClasses, reserveValue } from '../db/classes';
import { getImage, listImages } from '../db/images';
import { mergeIntoLabelMap } from '../db/labelmaps';
import { writeTransaction, type ProjectDb } from '../db/open';
import { expandPaths, type FoundFile } from './import-images';
import { MAX_MASK_FILE_BYTES, readRegularFile } from './fs-guard';
import { decodeMask } from './masks';
import { Provenance, UNLABELED } from '../core/labelmap/types';

const MASK_SUFFIXES = /([_-](mask|masks|label|labels|labelIds|annot|gt|L))$/i;
const stem = (name: string) => basename(name, extname(name));

/** Finds the image a mask file belongs to: same file stem, or the stem without a mask-like suffix. */
export function matcher(db: ProjectDb): (maskName: string) => { id: number; name: string } | undefined {
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
export function applyMask(db: ProjectDb, imageId: number, values: Uint8Array): number {
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

/** How many mask values outside the classes are listed by name in a message before "and N more". */
const LISTED_VALUES = 12;

/** "3 (1,234 px in 2 masks), 200 (5 px in 1 mask)": values that match no class, for a message. */
export function describeUnknownValues(values: MaskImportReport['unknownValues']): string {
  const shown = values
    .slice(0, LISTED_VALUES)
    .map((u) => `${u.value} (${u.pixels.toLocaleString('en-US')} px in ${u.masks} mask${u.masks === 1 ? '' : 's'})`);
  const more = values.length > LISTED_VALUES ? `, and ${values.length - LISTED_VALUES} more` : '';
  return shown.join(', ') + more;
}

/**
 * Imports mask files into the label maps of the images they match. A mask value that matches no class
 * (a stray 200, or a photo picked by mistake: hundreds of values) is not turned into classes silently:
 * without `createClasses` the masks are read, the unknown values listed with their pixel counts in
 * `unknownValues`, and nothing is written; with it, the classes are created ("Class 200") and the masks
 * applied.
 */
export async function importMasks(
  db: ProjectDb,
  paths: readonly string[],
  options: { voidValue?: number | undefined; imageId?: number | undefined; createClasses?: boolean | undefined } = {},
): Promise<MaskImportReport> {
  const { files, errors } = await expandPaths(paths);
  const report: MaskImportReport = { applied: [], createdClasses: [], unmatched: [], errors, unknownValues: [] };
  if (options.imageId !== undefined && files.length !== 1) {
    throw new AppError('INVALID_INPUT', 'Give exactly one mask file when importing for a chosen image');
  }
  const match = matcher(db);
  /** Each readable mask with its image, decoded again when applied (so a big folder is never held at once). */
  const ready: { file: FoundFile; imageId: number; imageName: string }[] = [];
  const unknown = new Map<number, { pixels: number; masks: number }>();
  for (const file of files) {
    const { name } = file;
    try {
      const target = options.imageId !== undefined ? getImage(db, options.imageId) : match(name);
      if (!target && options.imageId === undefined) {
        report.unmatched.push(name);
        continue;
      }
      if (!target) throw new AppError('NOT_FOUND', `No image with id ${options.imageId}`);
      const mask = await readMask(db, file, target.id, options.voidValue);
      const counts = new Map<number, number>();
      for (const v of mask.values) if (v !== UNLABELED) counts.set(v, (counts.get(v) ?? 0) + 1);
      for (const [v, n] of counts) {
        if (getClassByValue(db, v)) continue;
        const u = unknown.get(v) ?? { pixels: 0, masks: 0 };
        unknown.set(v, { pixels: u.pixels + n, masks: u.masks + 1 });
      }
      ready.push({ file, imageId: target.id, imageName: target.name });
    } catch (err) {
      report.errors.push({ name, code: err instanceof AppError ? err.code : 'IO', message: (err as Error).message });
    }
  }
  report.unknownValues = [...unknown].sort((a, b) => a[0] - b[0]).map(([value, u]) => ({ value, ...u }));
  if (report.unknownValues.length && !options.createClasses) return report;

  for (const { file, imageId, imageName } of ready) {
    try {
      const mask = await readMask(db, file, imageId, options.voidValue);
      const created: ClassInfo[] = [];
      const labeledPixels = writeTransaction(db, () => {
        const present = new Set(mask.values);
        present.delete(UNLABELED);
        for (const v of [...present].sort((a, b) => a - b)) {
          if (!getClassByValue(db, v)) created.push(addClass(db, uniqueName(db, `Class ${v}`), undefined, v));
        }
        return applyMask(db, imageId, mask.values);
      });
      report.createdClasses.push(...created);
      report.applied.push({ imageId, imageName, maskName: file.name, labeledPixels });
    } catch (err) {
      report.errors.push({
        name: file.name,
        code: err instanceof AppError ? err.code : 'IO',
        message: (err as Error).message,
      });
    }
  }
  orderCreatedByValue(db, report.createdClasses);
  // The masks' void stays theirs: a class added later must not take it (issue 25: CamVid's 11).
  if (options.voidValue !== undefined && options.voidValue !== UNLABELED && report.applied.length) {
    reserveValue(db, options.voidValue);
  }
  return report;
}

/** Reads and decodes one mask, refusing one whose size differs from its image's. */
async function readMask(db: ProjectDb, file: FoundFile, imageId: number, voidValue: number | undefined) {
  const img = getImage(db, imageId)!;
  const mask = decodeMask(await readRegularFile(file.path, MAX_MASK_FILE_BYTES), voidValue);
  if (mask.width !== img.width || mask.height !== img.height) {
    throw new AppError(
      'INVALID_INPUT',
      `Mask is ${mask.width}x${mask.height} but ${img.name} is ${img.width}x${img.height}`,
    );
  }
  return mask;
}

/**
 * Classes created by an import come after the ones that were there, ordered by label value (not by
 * which mask showed the value first), so "Class 7" sits before "Class 10" and number keys follow values.
 */
export function orderCreatedByValue(db: ProjectDb, created: readonly ClassInfo[]): void {
  if (created.length < 2) return;
  const createdIds = new Set(created.map((c) => c.id));
  const all = listClasses(db);
  const kept = all.filter((c) => !createdIds.has(c.id));
  const added = all.filter((c) => createdIds.has(c.id)).sort((a, b) => a.value - b.value);
  reorderClasses(
    db,
    [...kept, ...added].map((c) => c.id),
  );
}

function uniqueName(db: ProjectDb, base: string): string {
  const taken = (n: string) => classNameTaken(db, n);
  let name = base;
  for (let i = 2; taken(name); i++) name = `${base} (${i})`;
  return name;
}
