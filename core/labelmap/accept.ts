/**
 * Accepting a proposal (the labels of "Fill unlabeled" or of a prediction) into a label map: the one
 * rule behind the editor's preview and accept (renderer/src/editor/preview.svelte.ts), `maskwright
 * propagate` (services/propagate.ts) and `maskwright predict --accept` (services/predict.ts).
 *
 * - Writable pixels: unlabeled ones, and for a fill also the pixels of earlier fills, which propagation
 *   recomputes (they are not its seeds, see core/propagation/seeds.ts). Painted, imported and predicted
 *   labels never change: an accepted prediction is kept like a stroke and seeds the next fill.
 * - A writable pixel takes the proposed label with the proposal's provenance where the label's
 *   confidence reaches the minimum; elsewhere it ends unlabeled (provenance None), which changes only
 *   an earlier fill.
 *
 * Pure TypeScript on plain arrays; row-major planes of `width * height` bytes.
 */
import { writeRect } from './patch';
import { Provenance, UNLABELED } from './types';
import type { LabelMap, Rect } from './types';

/** The provenance a proposal writes: a fill's or an accepted prediction's. */
export type ProposalProvenance = typeof Provenance.Propagated | typeof Provenance.Predicted;

/** Labels offered for a map's pixels, each with how sure it is. */
export interface Proposal {
  readonly provenance: ProposalProvenance;
  /** Label value per pixel (`width * height`); UNLABELED where the proposal has none. */
  readonly labels: Uint8Array;
  /**
   * Confidence per pixel from 0 to `top` (1 for propagation's probabilities, 255 for a prediction's
   * bytes). Without it every label counts as sure (a result thresholded already).
   */
  readonly confidence?: { readonly values: Float32Array | Uint8Array; readonly top: number } | undefined;
}

/** What accepting a proposal at a minimum confidence does, without touching the map. */
export interface AcceptPlan {
  /** The label each pixel is offered: UNLABELED where the proposal has none or is less sure than the minimum. */
  readonly labels: Uint8Array;
  /** By provenance code: 1 where the proposal may write a pixel of that provenance. */
  readonly writable: Uint8Array;
  /** Pixels whose class or provenance the accept changes. */
  readonly changed: number;
  /** Writable pixels left (or made) unlabeled by the accept. */
  readonly unlabeled: number;
  /** Bounding rectangle of the changed pixels; null when none changes. */
  readonly rect: Rect | null;
}

/** The bytes of an accept within the bounding rectangle of the pixels it changes. */
export interface AcceptPatch {
  readonly rect: Rect;
  /** `rect.width * rect.height` each, row-major: the map's bytes in `rect` after the accept. */
  readonly classes: Uint8Array;
  readonly provenance: Uint8Array;
  /** Pixels whose class or provenance changes. */
  readonly changed: number;
}

/** Propagation's labels with their probabilities (0..1): a fill to accept. */
export function fillProposal(labels: Uint8Array, confidence: Float32Array): Proposal {
  return { provenance: Provenance.Propagated, labels, confidence: { values: confidence, top: 1 } };
}

/** A prediction's class values with the predicted class's probability as a byte (x 255, rounded). */
export function predictionProposal(values: Uint8Array, confidence: Uint8Array): Proposal {
  return { provenance: Provenance.Predicted, labels: values, confidence: { values: confidence, top: 255 } };
}

/** By provenance code: 1 where a proposal of `provenance` may write (see the rules above). */
export function writableBy(provenance: ProposalProvenance): Uint8Array {
  const table = new Uint8Array(256);
  table[Provenance.None] = 1;
  if (provenance === Provenance.Propagated) table[Provenance.Propagated] = 1;
  return table;
}

/**
 * The plan of accepting `proposal` into `map` with labels less sure than `minConfidence` (0..1 of the
 * confidence's `top`) left out: the offered labels, the counts and the changed rectangle. O(w * h).
 */
export function planAccept(map: LabelMap, proposal: Proposal, minConfidence: number): AcceptPlan {
  const { width: w, height: h, classes, provenance } = map;
  const n = w * h;
  const conf = proposal.confidence;
  if (classes.length !== n || provenance.length !== n || proposal.labels.length !== n) {
    throw new RangeError(`The proposal and the map's planes must have ${n} bytes each`);
  }
  if (conf && conf.values.length !== n) throw new RangeError(`The proposal's confidence must have ${n} values`);
  const labels = proposal.labels.slice();
  const min = minConfidence * (conf?.top ?? 1);
  // `c < min` rather than `c >= min`: a confidence that is not a number leaves its label in.
  if (conf && min > 0) for (let i = 0; i < n; i++) if (conf.values[i]! < min) labels[i] = UNLABELED;
  const writable = writableBy(proposal.provenance);
  const written = proposal.provenance;
  let changed = 0;
  let unlabeled = 0;
  let x0 = w;
  let x1 = -1;
  let y0 = h;
  let y1 = -1;
  for (let y = 0, i = 0; y < h; y++) {
    for (let x = 0; x < w; x++, i++) {
      const p = provenance[i]!;
      if (!writable[p]) continue;
      const v = labels[i]!;
      if (v === UNLABELED) {
        unlabeled++;
        if (p === Provenance.None) continue;
      } else if (classes[i] === v && p === written) continue;
      changed++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  const rect = changed ? { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 } : null;
  return { labels, writable, changed, unlabeled, rect };
}

/**
 * The accept as a patch over the changed rectangle (null when nothing changes), the map untouched:
 * `applyPatch(map, patch.rect, patch.classes, patch.provenance)` makes it one undo step.
 * O(w * h) plus O(rect area).
 */
export function acceptPatch(map: LabelMap, proposal: Proposal, minConfidence: number): AcceptPatch | null {
  return patchOf(map, planAccept(map, proposal, minConfidence), proposal.provenance);
}

/**
 * The patch of a plan made by `planAccept` on `map` (unchanged since) for a proposal of `provenance`:
 * what `acceptPatch` gives, without planning again (the editor planned for its preview). O(rect area).
 */
export function patchOf(map: LabelMap, plan: AcceptPlan, provenance: ProposalProvenance): AcceptPatch | null {
  const { rect, labels, writable } = plan;
  if (!rect) return null;
  const { width: w, classes } = map;
  const outClasses = new Uint8Array(rect.width * rect.height);
  const outProvenance = new Uint8Array(rect.width * rect.height);
  for (let y = 0; y < rect.height; y++) {
    const m = (rect.y + y) * w + rect.x;
    const o = y * rect.width;
    for (let x = 0; x < rect.width; x++) {
      const p = map.provenance[m + x]!;
      if (writable[p]) {
        const v = labels[m + x]!;
        outClasses[o + x] = v;
        outProvenance[o + x] = v === UNLABELED ? Provenance.None : provenance;
      } else {
        outClasses[o + x] = classes[m + x]!;
        outProvenance[o + x] = p;
      }
    }
  }
  return { rect, classes: outClasses, provenance: outProvenance, changed: plan.changed };
}

/** The accept written into `map` in place (no undo step; for writers into the project file). Returns the pixels changed. */
export function acceptInto(map: LabelMap, proposal: Proposal, minConfidence: number): number {
  const patch = acceptPatch(map, proposal, minConfidence);
  if (!patch) return 0;
  writeRect(map, patch.rect, patch);
  return patch.changed;
}
