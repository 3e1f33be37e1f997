/**
 * The validation images of a run, and the labels they are measured on. When the user put no image in the validation split, about a fifth
 * of the labeled unassigned images are held out automatically, so mIoU is never measured only on the
 * images the model trained on. The choice is stable per image: it depends on the image's content hash
 * alone (an image held out stays held out as images are added), and images the user put in Training
 * are never held out. With fewer than three labeled images nothing is held out (the caller warns).
 *
 * Validation measures the labels a person made (painted, imported, or any label of an image marked
 * Reviewed), not Fill unlabeled's or accepted predictions: a score against propagated labels measures how
 * well the model copies the propagation. Only images with such labels are held out; a run that would
 * otherwise have no validation pixels, or whose settings ask for it, validates on every trained label and
 * says so (validationNote).
 */
import { Provenance } from '../labelmap/types';
import type { ValidationLabels } from './settings';

export interface SplitCandidate {
  id: number;
  split: 'train' | 'val' | 'unassigned';
  /** Hex content hash (sha256 of the image file). */
  sha256: string;
  /** Whether the image has labels the run trains on. */
  labeled: boolean;
  /** Whether its labels may validate (default: when labeled); only such images are held out. */
  validatable?: boolean;
}

/** Share of labeled unassigned images held out. */
const AUTO_VALIDATION_SHARE = 0.2;

/** A number in [0, 1) from the hash's first 32 bits: uniform for a cryptographic hash. */
export const hashFraction = (sha256: string): number => parseInt(sha256.slice(0, 8), 16) / 2 ** 32;

/** Ids of the images held out for validation automatically (empty when the user assigned any). */
export function autoValidation(images: readonly SplitCandidate[], share = AUTO_VALIDATION_SHARE): Set<number> {
  const held = new Set<number>();
  if (images.some((i) => i.split === 'val' && i.labeled)) return held;
  const pool = images.filter((i) => i.labeled && i.validatable !== false && i.split === 'unassigned');
  const labeled = images.filter((i) => i.labeled).length;
  if (labeled < 3 || pool.length === 0) return held;
  for (const i of pool) if (hashFraction(i.sha256) < share) held.add(i.id);
  // Few images may all hash above the share: then the lowest hash goes, so some validation exists.
  if (held.size === 0) {
    const lowest = pool.reduce((a, b) => (hashFraction(b.sha256) < hashFraction(a.sha256) ? b : a));
    held.add(lowest.id);
  }
  // Never leave training empty.
  if (held.size >= labeled) held.delete([...held].at(-1)!);
  return held;
}

/** Provenance codes of labels a person made. */
const PERSON_PROVENANCES: readonly number[] = [Provenance.Painted, Provenance.Imported];

/**
 * The provenance codes whose labels validate an image, of the `trained` ones (trustedProvenances): all of
 * them on a Reviewed image (a person checked its labels) or with 'trained'; else painted and imported.
 */
export function validationProvenances(
  trained: ReadonlySet<number>,
  reviewed: boolean,
  labels: ValidationLabels,
): ReadonlySet<number> {
  if (reviewed || labels === 'trained') return trained;
  return new Set(PERSON_PROVENANCES.filter((p) => trained.has(p)));
}

export interface PlanImage {
  id: number;
  split: SplitCandidate['split'];
  sha256: string;
  /** Has labels the run trains on. */
  trained: boolean;
  /** Has labels a person made (validationProvenances(..., 'person')). */
  person: boolean;
}

export interface ValidationPlan {
  /** Images the run validates on: the user's Validation split, or the automatic hold-out. */
  val: ReadonlySet<number>;
  /** Of `val`, the images held out automatically (Unassigned in the project). */
  heldOut: ReadonlySet<number>;
  /** Labeled images the run trains on. */
  train: ReadonlySet<number>;
  /** Which labels validate (validationProvenances). */
  labels: ValidationLabels;
  /** 'chosen': the settings asked for every trained label; 'fallback': no validation image had labels a person made. */
  basis: 'default' | 'chosen' | 'fallback';
}

/**
 * Which images validate and train, and on which labels: with `choice` 'person', the user's labeled
 * Validation images (or else the automatic hold-out among images with labels a person made) on labels
 * a person made; when none of them has such labels, every trained label ('fallback').
 */
export function planValidation(
  images: readonly PlanImage[],
  choice: ValidationLabels,
  share = AUTO_VALIDATION_SHARE,
): ValidationPlan {
  const plan = (
    labels: ValidationLabels,
    basis: ValidationPlan['basis'],
    val: ReadonlySet<number>,
    heldOut: ReadonlySet<number>,
  ): ValidationPlan => ({
    val,
    heldOut,
    train: new Set(images.filter((i) => i.trained && i.split !== 'val' && !val.has(i.id)).map((i) => i.id)),
    labels,
    basis,
  });
  const chosen = choice === 'trained';
  const explicit = images.filter((i) => i.split === 'val' && i.trained);
  if (explicit.length) {
    const val = new Set(explicit.map((i) => i.id));
    if (chosen) return plan('trained', 'chosen', val, new Set());
    return explicit.some((i) => i.person)
      ? plan('person', 'default', val, new Set())
      : plan('trained', 'fallback', val, new Set());
  }
  const held = (person: boolean) =>
    autoValidation(
      images.map((i) => ({
        id: i.id,
        split: i.split,
        sha256: i.sha256,
        labeled: i.trained,
        validatable: !person || i.person,
      })),
      share,
    );
  if (chosen) {
    const h = held(false);
    return plan('trained', 'chosen', h, h);
  }
  const byPerson = held(true);
  if (byPerson.size) return plan('person', 'default', byPerson, byPerson);
  const any = held(false);
  return any.size ? plan('trained', 'fallback', any, any) : plan('person', 'default', any, any);
}

/** What the Train view and the run history say when validation measures anything but labels a person made. */
export function validationNote(plan: Pick<ValidationPlan, 'labels' | 'basis'>): string | null {
  if (plan.labels === 'person') return null;
  if (plan.basis === 'chosen')
    return 'Validated on every label it trains on, Fill unlabeled and accepted predictions included (as chosen): the mIoU also measures propagated labels.';
  return 'No validation image has labels a person made (painted, imported, or on a Reviewed image): validated on Fill unlabeled and predicted labels, so the mIoU measures propagated labels.';
}
