/** Loading and saving label maps for the editor. */
import type { LabelMapData } from '../core/ipc/contract';
import type { LabelDelta } from '../core/labelmap/delta';
import { AppError } from '../core/ipc/errors';
import { getImage } from '../db/images';
import { classValues } from '../db/classes';
import { labelMapRevision, loadLabelMap, saveLabelDelta, saveLabelMap } from '../db/labelmaps';
import { writeTransaction, type ProjectDb } from '../db/open';

import { Provenance, UNLABELED } from '../core/labelmap/types';

const PROVENANCE_MAX = Math.max(...Object.values(Provenance));

export function loadLabels(db: ProjectDb, imageId: number): LabelMapData {
  const img = getImage(db, imageId);
  if (!img) throw new AppError('NOT_FOUND', `No image with id ${imageId}`);
  const stored = loadLabelMap(db, imageId);
  if (stored) return { imageId, ...stored };
  const n = img.width * img.height;
  return {
    imageId,
    width: img.width,
    height: img.height,
    classes: new Uint8Array(n).fill(UNLABELED),
    provenance: new Uint8Array(n),
    revision: 0,
  };
}

/** Throws (CONFLICT) unless the stored map's revision is `baseRevision`, when one is given. */
function checkRevision(db: ProjectDb, imageId: number, name: string, baseRevision: number | undefined): void {
  if (baseRevision === undefined) return;
  const current = labelMapRevision(db, imageId);
  if (current !== baseRevision) {
    throw new AppError(
      'CONFLICT',
      `Labels of ${name} changed elsewhere (revision ${current}, expected ${baseRevision})`,
    );
  }
}

/**
 * Checks label bytes: labels only of existing classes, provenance codes, unlabeled pixels without
 * provenance. Returns the labeled pixels. O(bytes).
 */
function checkPixels(db: ProjectDb, classes: Uint8Array, provenance: Uint8Array): number {
  const known = new Uint8Array(256);
  for (const value of classValues(db)) known[value] = 1;
  known[UNLABELED] = 1;
  let labeled = 0;
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i]!;
    const p = provenance[i]!;
    if (!known[c]) throw new AppError('INVALID_INPUT', `Label value ${c} is not a class of this project`);
    if (p > PROVENANCE_MAX || (c === UNLABELED) !== (p === 0)) {
      throw new AppError('INVALID_INPUT', `Pixel ${i}: provenance ${p} does not fit label ${c}`);
    }
    if (c !== UNLABELED) labeled++;
  }
  return labeled;
}

/**
 * Saves both planes after checking them: sizes, provenance codes, unlabeled pixels without provenance,
 * labels only of existing classes, and (optionally) that nobody saved in between. O(image): the editor
 * saves its edits with `saveLabelChanges`, this whole-map save when the user keeps their version after
 * a conflict.
 */
export function saveLabels(
  db: ProjectDb,
  input: { imageId: number; classes: Uint8Array; provenance: Uint8Array; baseRevision?: number | undefined },
): { revision: number; labeledFraction: number } {
  const { imageId, classes, provenance } = input;
  return writeTransaction(db, () => {
    const img = getImage(db, imageId);
    if (!img) throw new AppError('NOT_FOUND', `No image with id ${imageId}`);
    const n = img.width * img.height;
    if (classes.length !== n || provenance.length !== n) {
      throw new AppError('INVALID_INPUT', `Label planes must have ${n} bytes (${img.width}x${img.height})`);
    }
    checkRevision(db, imageId, img.name, input.baseRevision);
    const labeled = checkPixels(db, classes, provenance);
    const revision = saveLabelMap(db, imageId, { width: img.width, height: img.height, classes, provenance });
    return { revision, labeledFraction: labeled / n };
  });
}

/**
 * Saves an edit as a delta: the changed rectangles and their bytes (core/labelmap/delta.ts), checked as
 * `saveLabels` checks whole planes, written into the stored map if nobody saved since `baseRevision`.
 * Only the stored tiles the rectangles touch are read and rewritten: O(delta), not O(image).
 */
export function saveLabelChanges(
  db: ProjectDb,
  input: LabelDelta & { imageId: number; baseRevision: number },
): { revision: number; labeledFraction: number } {
  const { imageId } = input;
  return writeTransaction(db, () => {
    const img = getImage(db, imageId);
    if (!img) throw new AppError('NOT_FOUND', `No image with id ${imageId}`);
    checkRevision(db, imageId, img.name, input.baseRevision);
    checkPixels(db, input.classes, input.provenance);
    const { revision, labeledPixels } = saveLabelDelta(db, imageId, input);
    return { revision, labeledFraction: labeledPixels / (img.width * img.height) };
  });
}
