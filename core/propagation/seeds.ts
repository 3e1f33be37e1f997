/**
 * The seeds of a propagation, shared by the CLI/main process (services/propagate.ts) and the
 * editor's "Fill unlabeled" (renderer/src/editor/preview.svelte.ts): every label a person made or
 * accepted (provenance Painted, Imported, Predicted) is a seed; earlier propagation (provenance
 * Propagated) is not, it is recomputed. How the result is written back is core/labelmap/accept.ts.
 *
 * Pure TypeScript on plain arrays; row-major planes of `width * height` bytes.
 */
import { Provenance, UNLABELED } from '../labelmap/types';

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
