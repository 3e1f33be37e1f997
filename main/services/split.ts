/**
 * The split a training run uses, computed from the project as it is now: which images train, which
 * validate (the user's Validation split or the automatic hold-out) and on which labels
 * (core/training/split.ts). One computation for the training process, the grid's "Val (auto)", the Train
 * view's counts before Start and the dataset export's split files, so they always agree.
 */
import { hasLabels } from '../../core/labelmap/sources';
import { trustedProvenances, type PixelSource, type ValidationLabels } from '../../core/training/settings';
import { planValidation, validationProvenances, type ValidationPlan } from '../../core/training/split';
import { listClasses } from '../../db/classes';
import { listImages } from '../../db/images';
import type { ProjectDb } from '../../db/open';
import { provenancePresence } from './label-sources';

export interface SplitPlan extends ValidationPlan {
  /** The provenance codes whose labels count for this image: validation labels on `val`, trained ones elsewhere. */
  provenancesFor(image: { id: number; status: string }): ReadonlySet<number>;
}

/** The run's split for these label sources and validation choice; O(images) after the label maps are counted once. */
export function splitPlan(db: ProjectDb, sources: readonly PixelSource[], validateOn: ValidationLabels): SplitPlan {
  const trained = trustedProvenances(sources);
  const known = listClasses(db).map((c) => c.value);
  const presence = provenancePresence(db);
  const person = (status: string) => validationProvenances(trained, status === 'reviewed', 'person');
  const images = listImages(db).map((i) => {
    const bits = presence.get(i.id);
    return {
      id: i.id,
      split: i.split,
      sha256: i.sha256,
      trained: bits !== undefined && hasLabels(bits, known, trained),
      person: bits !== undefined && hasLabels(bits, known, person(i.status)),
    };
  });
  const plan = planValidation(images, validateOn);
  return {
    ...plan,
    provenancesFor: (image) =>
      plan.val.has(image.id) ? validationProvenances(trained, image.status === 'reviewed', plan.labels) : trained,
  };
}
