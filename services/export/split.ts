/**
 * The split an export writes: the split a one-click run uses (services/split.ts, the one computation
 * training, the grid and the Train view share). 'val': the user's Validation images or the automatic
 * hold-out; 'train': the labeled images a run trains on; 'unassigned': the rest (unlabeled images the user
 * put in no split). Computed once per export.
 */
import type { ImageSummary } from '../../core/ipc/contract';
import type { ProjectDb } from '../../db/open';
import { defaultSplitPlan } from '../split';

export type ExportRole = 'train' | 'val' | 'unassigned';

export function exportSplits(db: ProjectDb, images: readonly ImageSummary[]): Map<number, ExportRole> {
  const plan = defaultSplitPlan(db);
  return new Map(
    images.map((i) => [
      i.id,
      plan.val.has(i.id) || i.split === 'val'
        ? 'val'
        : plan.train.has(i.id) || i.split === 'train'
          ? 'train'
          : 'unassigned',
    ]),
  );
}
