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
