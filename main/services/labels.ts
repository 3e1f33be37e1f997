/** Loading and saving label maps for the editor. */
import type { LabelMapData } from '../../core/ipc/contract';
import { AppError } from '../../core/ipc/errors';
import { getImage } from '../../db/images';
import { loadLabelMap, saveLabelMap } from '../../db/labelmaps';
import { writeTransaction, type ProjectDb } from '../../db/open';

import { Provenance, UNLABELED } from '../../core/labelmap/types';

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

/**
 * Saves both planes after checking them: sizes, provenance codes, unlabeled pixels without provenance,
 * labels only of existing classes, and (optionally) that nobody saved in between.
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
    if (input.baseRevision !== undefined) {
      const row = db.prepare('SELECT revision FROM label_maps WHERE image_id = ?').get(imageId) as
        { revision: number } | undefined;
      const current = row?.revision ?? 0;
      if (current !== input.baseRevision) {
        throw new AppError(
          'CONFLICT',
          `Labels of ${img.name} changed elsewhere (revision ${current}, expected ${input.baseRevision})`,
        );
      }
    }
    const known = new Uint8Array(256);
    for (const r of db.prepare('SELECT value FROM classes').all() as { value: number }[]) known[r.value] = 1;
    known[UNLABELED] = 1;
    let labeled = 0;
    for (let i = 0; i < n; i++) {
      const c = classes[i]!;
      const p = provenance[i]!;
      if (!known[c]) throw new AppError('INVALID_INPUT', `Label value ${c} is not a class of this project`);
      if (p > PROVENANCE_MAX || (c === UNLABELED) !== (p === 0)) {
        throw new AppError('INVALID_INPUT', `Pixel ${i}: provenance ${p} does not fit label ${c}`);
      }
      if (c !== UNLABELED) labeled++;
    }
    const revision = saveLabelMap(db, imageId, { width: img.width, height: img.height, classes, provenance });
    return { revision, labeledFraction: labeled / n };
  });
}
