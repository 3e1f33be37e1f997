/**
 * Whether a training run can start, checked before a run row is created: a run that cannot start
 * says why in plain words and what to do, and leaves no failed run behind.
 */
import { AppError } from '../core/ipc/errors';
import { UNLABELED } from '../core/labelmap/types';
import { trustedProvenances, type PixelSource } from '../core/training/settings';
import { listClasses } from '../db/classes';
import { listImages } from '../db/images';
import { loadLabelMap } from '../db/labelmaps';
import type { ProjectDb } from '../db/open';

const SOURCE_WORDS: Record<PixelSource, string> = {
  painted: 'painted',
  propagated: 'filled (propagated)',
  predicted: 'accepted predictions',
  imported: 'imported masks',
};

const list = (words: string[]) =>
  words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;

/** Throws NOT_READY with a plain sentence (the problem, then what to do) when training cannot start. */
export function assertTrainingReady(db: ProjectDb, sources: readonly PixelSource[]): void {
  const images = listImages(db);
  if (images.length === 0) {
    throw new AppError(
      'NOT_READY',
      'There are no images yet. Import some images, paint each class on a few, then train.',
    );
  }
  const classes = listClasses(db);
  if (classes.length < 2) {
    throw new AppError(
      'NOT_READY',
      `Training needs at least two classes to tell apart; the project has ${classes.length === 0 ? 'none' : 'one'}. ` +
        'Add the classes in the sidebar, paint them on a few images, then train.',
    );
  }
  const trusted = trustedProvenances(sources);
  const known = new Set(classes.map((c) => c.value));
  let otherSources = false;
  let onlyValidation = false;
  for (const img of images) {
    if (img.labeledFraction === 0) continue;
    const map = loadLabelMap(db, img.id);
    if (!map) continue;
    let any = false;
    for (let i = 0; i < map.classes.length; i++) {
      const v = map.classes[i]!;
      if (v === UNLABELED || !known.has(v)) continue;
      if (!trusted.has(map.provenance[i]!)) {
        otherSources = true;
        continue;
      }
      any = true;
      break;
    }
    if (!any) continue;
    if (img.split !== 'val') return;
    onlyValidation = true;
  }
  const used = list(sources.map((s) => SOURCE_WORDS[s]));
  if (onlyValidation) {
    throw new AppError(
      'NOT_READY',
      'Every labeled image is in the validation split, so there is nothing to train on. ' +
        'Set the split of some labeled images to Training (or Unassigned), then train.',
    );
  }
  if (otherSources) {
    throw new AppError(
      'NOT_READY',
      `No image has labels this run trains on (${used}). Paint at least one image, ` +
        'or tick the label sources you have under Advanced settings › Label sources, then train.',
    );
  }
  throw new AppError(
    'NOT_READY',
    'No image is labeled yet. Paint at least one image: open it from the grid, paint a few strokes of each class, then train.',
  );
}
