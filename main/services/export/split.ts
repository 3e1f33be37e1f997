/**
 * The split an export writes: the user's Validation images, or, when there are none, the images training
 * holds out automatically (core/training/split.ts, with the one-click Train's label sources); every other image
 * trains. Computed once per export, in this one place.
 */
import { autoValidation } from '../../../core/training/split';
import { DEFAULT_TRAIN_SETTINGS, trainSettingsSchema } from '../../../core/training/settings';
import type { ImageSummary } from '../../../core/ipc/contract';
import type { ProjectDb } from '../../../db/open';
import { labeledImageIds } from '../dataset';

export function exportSplits(db: ProjectDb, images: readonly ImageSummary[]): Map<number, 'train' | 'val'> {
  const { sources } = trainSettingsSchema.parse(DEFAULT_TRAIN_SETTINGS);
  let labeled = new Set<number>();
  try {
    labeled = labeledImageIds(db, sources, ['train', 'val', 'unassigned']);
  } catch {
    // fewer than two classes: nothing trains, nothing is held out
  }
  const heldOut = autoValidation(
    images.map((i) => ({ id: i.id, split: i.split, sha256: i.sha256, labeled: labeled.has(i.id) })),
  );
  return new Map(images.map((i) => [i.id, i.split === 'val' || heldOut.has(i.id) ? 'val' : 'train']));
}
