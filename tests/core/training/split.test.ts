import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  autoValidation,
  hashFraction,
  planValidation,
  validationNote,
  validationProvenances,
  type PlanImage,
  type SplitCandidate,
} from '../../../core/training/split';
import { Provenance } from '../../../core/labelmap/types';
import { trustedProvenances } from '../../../core/training/settings';

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

describe('validation on labels a person made', () => {
  const planImage = (id: number, person: boolean, split: PlanImage['split'] = 'unassigned'): PlanImage => ({
    id,
    split,
    sha256: sha(`image ${id}`),
    trained: true,
    person,
  });
  const ids = (s: ReadonlySet<number>) => [...s].sort((a, b) => a - b);
  /** Hash fraction below 0.2 by brute force: the images the plain rule holds out. */
  const below = (images: PlanImage[]) => images.filter((i) => hashFraction(i.sha256) < 0.2).map((i) => i.id);

  it('keeps painted and imported labels of the trained ones, and every trained label of a Reviewed image', () => {
    const trained = trustedProvenances(['painted', 'propagated', 'imported']);
    expect([...validationProvenances(trained, false, 'person')].sort()).toEqual([
      Provenance.Painted,
      Provenance.Imported,
    ]);
    expect([...validationProvenances(trained, true, 'person')].sort()).toEqual([
      Provenance.Painted,
      Provenance.Propagated,
      Provenance.Imported,
    ]);
    expect([...validationProvenances(trained, false, 'trained')].sort()).toEqual([...trained].sort());
    // Imported masks not trusted for training: not for validation either.
    expect([...validationProvenances(trustedProvenances(['painted', 'propagated']), false, 'person')]).toEqual([
      Provenance.Painted,
    ]);
  });

  it('holds out only images with labels a person made, by the same hash rule', () => {
    const images = Array.from({ length: 200 }, (_, i) => planImage(i + 1, i % 2 === 0));
    const plan = planValidation(images, 'person');
    // Hand rule: odd ids (person) whose hash fraction is below 0.2.
    const expected = below(images.filter((i) => i.person));
    expect(expected.length).toBeGreaterThan(5);
    expect(ids(plan.val)).toEqual(expected);
    expect(ids(plan.heldOut)).toEqual(expected);
    expect(plan.train.size).toBe(200 - expected.length);
    expect([plan.labels, plan.basis, validationNote(plan)]).toEqual(['person', 'default', null]);
    // Chosen: every trained label validates, and the plain rule picks among all images.
    const chosen = planValidation(images, 'trained');
    expect(ids(chosen.val)).toEqual(below(images));
    expect([chosen.labels, chosen.basis]).toEqual(['trained', 'chosen']);
    expect(validationNote(chosen)).toMatch(/as chosen/);
  });

  it('falls back to every trained label, and says so, when no validation image has labels a person made', () => {
    const machineOnly = Array.from({ length: 20 }, (_, i) => planImage(i + 1, false));
    const plan = planValidation(machineOnly, 'person');
    expect(ids(plan.val)).toEqual(ids(autoValidation(machineOnly.map((i) => ({ ...i, labeled: true })))));
    expect(plan.val.size).toBeGreaterThan(0);
    expect([plan.labels, plan.basis]).toEqual(['trained', 'fallback']);
    expect(validationNote(plan)).toMatch(/No validation image has labels a person made/);
    // The user's Validation images: person labels on any of them keep the default; none: the fallback.
    const user = [planImage(1, true, 'val'), planImage(2, false, 'val'), planImage(3, true), planImage(4, true)];
    const p = planValidation(user, 'person');
    expect([ids(p.val), ids(p.heldOut), ids(p.train), p.labels, p.basis]).toEqual([
      [1, 2],
      [],
      [3, 4],
      'person',
      'default',
    ]);
    const q = planValidation([planImage(1, false, 'val'), planImage(3, true), planImage(4, true)], 'person');
    expect([ids(q.val), q.labels, q.basis]).toEqual([[1], 'trained', 'fallback']);
  });
});
