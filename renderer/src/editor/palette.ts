/** Colour tables for the label overlay, in the format `renderRect` takes (0xRRGGBBAA per label value). */
import type { ClassInfo } from '../../../core/ipc/contract';
import { PROVENANCE_PALETTE } from '../../../core/labelmap';
import { Provenance } from '../../../core/labelmap';

/** 256 entries indexed by label value; values without a class (and 255) stay transparent. */
export function classPalette(classes: readonly ClassInfo[]): Uint32Array {
  const table = new Uint32Array(256);
  for (const c of classes) table[c.value] = ((parseInt(c.color.slice(1), 16) << 8) | 0xff) >>> 0;
  return table;
}

const hex = (rgba: number) => `#${(rgba >>> 8).toString(16).padStart(6, '0')}`;

/** The provenance view's legend: what each colour means. */
export const PROVENANCE_LEGEND: { code: number; label: string; color: string }[] = [
  { code: Provenance.Painted, label: 'Painted', color: hex(PROVENANCE_PALETTE[Provenance.Painted]!) },
  { code: Provenance.Propagated, label: 'Propagated', color: hex(PROVENANCE_PALETTE[Provenance.Propagated]!) },
  { code: Provenance.Predicted, label: 'Predicted', color: hex(PROVENANCE_PALETTE[Provenance.Predicted]!) },
  { code: Provenance.Imported, label: 'Imported', color: hex(PROVENANCE_PALETTE[Provenance.Imported]!) },
];
