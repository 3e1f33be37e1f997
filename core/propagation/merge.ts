/**
 * How a propagation result meets a label map, shared by the CLI/main process (main/services/propagate.ts)
 * and the editor (renderer/src/editor/fill.svelte.ts), so both follow the same rules:
 *
 * - seeds: every label a person made or accepted (provenance Painted, Imported, Predicted) is a seed;
 *   earlier propagation (provenance Propagated) is not, it is recomputed;
 * - merge: pixels that are unlabeled or propagated take the new label with provenance Propagated, or
 *   become unlabeled (provenance None) where the result is unlabeled (confidence below the threshold);
 *   every other pixel is left exactly as it was.
 *
 * Pure TypeScript on plain arrays; row-major planes of `width * height` bytes.
 */
import { Provenance, UNLABELED } from '../labelmap/types';
import type { LabelMap, Rect } from '../labelmap/types';

/** Whether the merge may write a pixel of this provenance (unlabeled or earlier propagation). */
export function isReplaceable(provenance: number): boolean {
  return provenance === Provenance.None || provenance === Provenance.Propagated;
}

/** Seeds for propagation: the class of every non-propagated label, UNLABELED (255) elsewhere. O(n). */
export function seedsOf(classes: Uint8Array, provenance: Uint8Array): Uint8Array {
  if (classes.length !== provenance.length) throw new RangeError('classes and provenance differ in length');
  const seeds = new Uint8Array(classes.length);
  for (let i = 0; i < classes.length; i++) {
    seeds[i] = provenance[i] === Provenance.Propagated ? UNLABELED : classes[i]!;
  }
  return seeds;
}

/** Number of seed pixels (labels that are not UNLABELED). O(n). */
export function countSeeds(seeds: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < seeds.length; i++) if (seeds[i] !== UNLABELED) n++;
  return n;
}

/**
 * `labels` with every pixel whose confidence is below `threshold` set to UNLABELED (a new array), as the
 * engine's `confidenceThreshold` does; lets a caller run once with threshold 0 and re-threshold later.
 * Seed pixels have confidence 1, so they are kept for any threshold <= 1. O(n).
 */
export function thresholdLabels(labels: Uint8Array, confidence: Float32Array, threshold: number): Uint8Array {
  if (labels.length !== confidence.length) throw new RangeError('labels and confidence differ in length');
  const out = labels.slice();
  if (!(threshold > 0)) return out;
  for (let i = 0; i < out.length; i++) if (confidence[i]! < threshold) out[i] = UNLABELED;
  return out;
}

/** The class and provenance a replaceable pixel takes for result label `v`. */
const provenanceFor = (v: number): number => (v === UNLABELED ? Provenance.None : Provenance.Propagated);

/**
 * Writes a propagation result into a label map, in place (see the rules above). Returns the number of
 * pixels whose class or provenance changed. O(n).
 */
export function mergePropagation(classes: Uint8Array, provenance: Uint8Array, labels: Uint8Array): number {
  if (classes.length !== provenance.length || classes.length !== labels.length) {
    throw new RangeError('classes, provenance and labels differ in length');
  }
  let changed = 0;
  for (let i = 0; i < classes.length; i++) {
    const p = provenance[i]!;
    if (!isReplaceable(p)) continue;
    const v = labels[i]!;
    const np = provenanceFor(v);
    if (classes[i] !== v || p !== np) changed++;
    classes[i] = v;
    provenance[i] = np;
  }
  return changed;
}

/** The bytes of a merge, limited to the bounding rectangle of the pixels it changes. */
export interface MergePatch {
  /** Bounding rectangle of the changed pixels. */
  readonly rect: Rect;
  /** `rect.width * rect.height` each, row-major: the map's bytes in `rect` after the merge. */
  readonly classes: Uint8Array;
  readonly provenance: Uint8Array;
  /** Pixels whose class or provenance changes. */
  readonly changed: number;
}

/**
 * The merge of `labels` into `map` as a patch, without touching the map (null when nothing would
 * change): feed it to `applyPatch(map, patch.rect, patch.classes, patch.provenance)` for one undo
 * step. O(n) plus O(rect area).
 */
export function mergePatch(map: LabelMap, labels: Uint8Array): MergePatch | null {
  const { width: w, height: h, classes, provenance } = map;
  if (labels.length !== w * h || classes.length !== w * h || provenance.length !== w * h) {
    throw new RangeError(`labels and the map's planes must have ${w * h} bytes each`);
  }
  let x0 = w;
  let x1 = -1;
  let y0 = h;
  let y1 = -1;
  let changed = 0;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const i = row + x;
      const p = provenance[i]!;
      if (!isReplaceable(p)) continue;
      const v = labels[i]!;
      if (classes[i] === v && p === provenanceFor(v)) continue;
      changed++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  if (changed === 0) return null;
  const rect = { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
  const outClasses = new Uint8Array(rect.width * rect.height);
  const outProvenance = new Uint8Array(rect.width * rect.height);
  for (let y = 0; y < rect.height; y++) {
    const m = (rect.y + y) * w + rect.x;
    const o = y * rect.width;
    for (let x = 0; x < rect.width; x++) {
      const p = provenance[m + x]!;
      if (isReplaceable(p)) {
        const v = labels[m + x]!;
        outClasses[o + x] = v;
        outProvenance[o + x] = provenanceFor(v);
      } else {
        outClasses[o + x] = classes[m + x]!;
        outProvenance[o + x] = p;
      }
    }
  }
  return { rect, classes: outClasses, provenance: outProvenance, changed };
}
