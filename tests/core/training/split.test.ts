import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { autoValidation, hashFraction, type SplitCandidate } from '../../../core/training/split';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const image = (id: number, split: SplitCandidate['split'] = 'unassigned', labeled = true): SplitCandidate => ({
  id,
  split,
  sha256: sha(`image ${id}`),
  labeled,
});

describe('autoValidation', () => {
  it('holds out about a fifth of labeled unassigned images, chosen by content hash', () => {
    const images = Array.from({ length: 1000 }, (_, i) => image(i + 1));
    const held = autoValidation(images);
    // Brute force: exactly the images whose hash fraction is below 0.2.
    const expected = images.filter((i) => parseInt(i.sha256.slice(0, 8), 16) / 4294967296 < 0.2).map((i) => i.id);
    expect([...held].sort((a, b) => a - b)).toEqual(expected);
    expect(held.size / 1000).toBeGreaterThan(0.16);
    expect(held.size / 1000).toBeLessThan(0.24);
  });

  it('is stable per image: adding images never changes whether an earlier one is held out', () => {
    const few = Array.from({ length: 40 }, (_, i) => image(i + 1));
    const more = [...few, ...Array.from({ length: 60 }, (_, i) => image(i + 41))];
    const a = autoValidation(few);
    const b = autoValidation(more);
    for (const i of few) expect(b.has(i.id)).toBe(a.has(i.id));
  });

  it('holds out nothing when the user assigned validation images, and never images set to Training', () => {
    expect(autoValidation([image(1, 'val'), image(2), image(3), image(4)]).size).toBe(0);
    const trainOnly = Array.from({ length: 50 }, (_, i) => image(i + 1, 'train'));
    expect(autoValidation(trainOnly).size).toBe(0);
    // Unlabeled images are not counted.
    expect(autoValidation([image(1), image(2), image(3, 'unassigned', false)]).size).toBe(0);
  });

  it('holds out one image of a few when no hash falls below the share, and keeps training non-empty', () => {
    const three = [image(1), image(2), image(3)];
    const held = autoValidation(three);
    expect(held.size).toBe(1);
    const lowest = three.reduce((a, b) => (hashFraction(b.sha256) < hashFraction(a.sha256) ? b : a));
    expect(held.has(lowest.id)).toBe(true);
    expect(autoValidation(three, 1).size).toBe(2);
  });
});
