import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addClass, updateClass } from '../../db/classes';
import { setSplit } from '../../db/images';
import { saveLabelMap } from '../../db/labelmaps';
import { computeClassWeights } from '../../services/class-weights';
import { fakeImage, tempProject } from '../helpers/project';

describe('class weights shown before training', () => {
  let t: ReturnType<typeof tempProject>;
  beforeEach(() => (t = tempProject()));
  afterEach(() => t.close());

  it('follow median frequency balancing over trusted training labels (hand-computed)', () => {
    const db = t.project.db;
    const A = addClass(db, 'A');
    const B = addClass(db, 'B');
    const C = addClass(db, 'C');
    const save = (id: number, classes: number[], provenance: number[]) =>
      saveLabelMap(db, id, {
        width: 4,
        height: 1,
        classes: Uint8Array.from(classes),
        provenance: Uint8Array.from(provenance),
      });
    const i1 = fakeImage(t.project, 4, 1);
    const i2 = fakeImage(t.project, 4, 1);
    const i3 = fakeImage(t.project, 4, 1);
    setSplit(db, [i1], 'train');
    setSplit(db, [i3], 'val');
    save(i1, [A.value, A.value, A.value, B.value], [1, 1, 1, 1]);
    save(i2, [B.value, B.value, C.value, 255], [1, 1, 2, 0]); // C only propagated
    save(i3, [C.value, C.value, C.value, C.value], [1, 1, 1, 1]); // validation: never counted

    // Painted only: freq A = 3/4, freq B = (1 + 2) / (4 + 2) = 1/2, C absent; median = 0.625.
    const painted = computeClassWeights(db, ['painted']);
    expect(painted.map((r) => r.pixels)).toEqual([3, 3, 0]);
    expect(painted[0]!.frequency).toBeCloseTo(0.75, 12);
    expect(painted[1]!.frequency).toBeCloseTo(0.5, 12);
    expect(painted[2]!.frequency).toBeNull();
    expect(painted[0]!.computed).toBeCloseTo(0.625 / 0.75, 12);
    expect(painted[1]!.computed).toBeCloseTo(0.625 / 0.5, 12);
    expect(painted[2]!.computed).toBe(0);

    // With propagated labels: freq A = 3/4, B = 3/7, C = 1/3; median = 3/7.
    const both = computeClassWeights(db, ['painted', 'propagated']);
    expect(both.map((r) => r.computed)).toEqual([
      expect.closeTo(3 / 7 / 0.75, 12),
      expect.closeTo(1, 12),
      expect.closeTo(3 / 7 / (1 / 3), 12),
    ]);

    // An override replaces the computed weight; 0 ignores the class.
    updateClass(db, B.id, { weightOverride: 0 });
    const overridden = computeClassWeights(db, ['painted', 'propagated']);
    expect(overridden[1]).toMatchObject({ override: 0, effective: 0 });
    expect(overridden[1]!.computed).toBeCloseTo(1, 12);
    expect(overridden[0]!.effective).toBeCloseTo(overridden[0]!.computed, 12);
  });
});
