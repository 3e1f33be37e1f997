/**
 * The validation images of a run. When the user put no image in the validation split, about a fifth
 * of the labeled unassigned images are held out automatically, so mIoU is never measured only on the
 * images the model trained on. The choice is stable per image: it depends on the image's content hash
 * alone (an image held out stays held out as images are added), and images the user put in Training
 * are never held out. With fewer than three labeled images nothing is held out (the caller warns).
 */

export interface SplitCandidate {
  id: number;
  split: 'train' | 'val' | 'unassigned';
  /** Hex content hash (sha256 of the image file). */
  sha256: string;
  /** Whether the image has labels the run trains on. */
  labeled: boolean;
}

/** Share of labeled unassigned images held out. */
const AUTO_VALIDATION_SHARE = 0.2;

/** A number in [0, 1) from the hash's first 32 bits: uniform for a cryptographic hash. */
export const hashFraction = (sha256: string): number => parseInt(sha256.slice(0, 8), 16) / 2 ** 32;

/** Ids of the images held out for validation automatically (empty when the user assigned any). */
export function autoValidation(images: readonly SplitCandidate[], share = AUTO_VALIDATION_SHARE): Set<number> {
  const held = new Set<number>();
  if (images.some((i) => i.split === 'val' && i.labeled)) return held;
  const pool = images.filter((i) => i.labeled && i.split === 'unassigned');
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
