/**
 * The split a training run uses, computed from the project as it is now: which images train, which
 * validate (the user's Validation split or the automatic hold-out) and on which labels
 * (core/training/split.ts). One computation for the training process, the grid's "Val (auto)", the Train
 * view's counts before Start and the dataset export's split files, so they always agree.
 */
import type { TrainPlan } from '../core/ipc/contract';
import { AppError } from '../core/ipc/errors';
import { hasLabels } from '../core/labelmap/sources';
import {
  DEFAULT_TRAIN_SETTINGS,
  trainSettingsSchema,
  trustedProvenances,
  type PixelSource,
  type ValidationLabels,
} from '../core/training/settings';
import { planValidation, validationNote, validationProvenances, type ValidationPlan } from '../core/training/split';
import { listClasses } from '../db/classes';
import { listImages } from '../db/images';
import type { ProjectDb } from '../db/open';
import { provenancePresence } from './label-sources';
import { assertTrainingReady } from './readiness';

export interface SplitPlan extends ValidationPlan {
  /** Of `val`, the images with labels that validate (the run's validation images). */
  validating: ReadonlySet<number>;
  /** The provenance codes whose labels count for this image: validation labels on `val`, trained ones elsewhere. */
  provenancesFor(image: { id: number; status: string }): ReadonlySet<number>;
}

/** The run's split for these label sources and validation choice; O(images) after the label maps are counted once. */
export function splitPlan(db: ProjectDb, sources: readonly PixelSource[], validateOn: ValidationLabels): SplitPlan {
  const trained = trustedProvenances(sources);
  const known = listClasses(db).map((c) => c.value);
  const presence = provenancePresence(db);
  const person = (status: string) => validationProvenances(trained, status === 'reviewed', 'person');
  const listed = listImages(db);
  const images = listed.map((i) => {
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
  const provenancesFor = (image: { id: number; status: string }) =>
    plan.val.has(image.id) ? validationProvenances(trained, image.status === 'reviewed', plan.labels) : trained;
  const validating = new Set(
    listed
      .filter(
        (i) => plan.val.has(i.id) && hasLabels(presence.get(i.id) ?? new Uint8Array(256), known, provenancesFor(i)),
      )
      .map((i) => i.id),
  );
  return { ...plan, validating, provenancesFor };
}

/** The split of a one-click run (the default label sources and validation labels): what the dataset export writes. */
export function defaultSplitPlan(db: ProjectDb): SplitPlan {
  const d = trainSettingsSchema.parse(DEFAULT_TRAIN_SETTINGS);
  return splitPlan(db, d.sources, d.validateOn);
}

/**
 * What a run with these settings would train and validate on, before it starts (the Train view's counts,
 * the grid's "Val (auto)"), and why it cannot start yet, if so (readiness.ts).
 */
export function trainPlan(db: ProjectDb, sources: readonly PixelSource[], validateOn: ValidationLabels): TrainPlan {
  const plan = splitPlan(db, sources, validateOn);
  let notReady: string | null = null;
  if (plan.train.size === 0) {
    try {
      assertTrainingReady(db, sources);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'NOT_READY') throw err;
      notReady = err.message;
    }
  }
  return {
    train: plan.train.size,
    val: plan.validating.size,
    heldOut: [...plan.heldOut],
    labels: plan.labels,
    basis: plan.basis,
    note: plan.validating.size ? validationNote(plan) : null,
    notReady,
  };
}
