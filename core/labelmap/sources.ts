import { Provenance } from './types';

/** Share of pixels labeled by Fill unlabeled or an accepted prediction (provenance propagated or predicted). */
export function machineShare(provenance: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < provenance.length; i++) {
    const p = provenance[i];
    if (p === Provenance.Propagated || p === Provenance.Predicted) n++;
  }
  return provenance.length ? n / provenance.length : 0;
}

/**
 * Per class value (0..254), a bit mask of the provenance codes its pixels carry (bit p: some pixel of
 * that value has provenance p); what the split and validation rules ask of an image, in 256 bytes. O(pixels).
 */
export function provenanceByClass(classes: Uint8Array, provenance: Uint8Array): Uint8Array {
  const bits = new Uint8Array(256);
  for (let i = 0; i < classes.length; i++) bits[classes[i]!]! |= 1 << provenance[i]!;
  bits[255] = 0; // unlabeled pixels carry no label
  return bits;
}

/** Whether any class in `known` has a pixel whose provenance is in `provenances`, from provenanceByClass. */
export function hasLabels(bits: Uint8Array, known: Iterable<number>, provenances: ReadonlySet<number>): boolean {
  let mask = 0;
  for (const p of provenances) mask |= 1 << p;
  for (const v of known) if (bits[v]! & mask) return true;
  return false;
}
