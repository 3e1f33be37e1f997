import { describe, expect, it } from 'vitest';
import { classAt, createLabelMap, paintProvenance, Provenance, UNLABELED } from '../../../core/labelmap/types';
import { unionRect, intersectRect } from '../../../core/labelmap/rect';

describe('label map basics', () => {
  it('createLabelMap is all unlabeled with provenance none', () => {
    const m = createLabelMap(7, 5);
    expect([m.classes.length, m.provenance.length]).toEqual([35, 35]);
    expect(m.classes.every((c) => c === 255) && m.provenance.every((p) => p === 0)).toBe(true);
    expect(() => createLabelMap(0, 5)).toThrow(RangeError);
    expect(() => createLabelMap(2.5, 5)).toThrow(RangeError);
  });

  it('codes match the stored format', () => {
    expect(UNLABELED).toBe(255);
    expect(Provenance).toEqual({ None: 0, Painted: 1, Propagated: 2, Predicted: 3, Imported: 4 });
    expect([paintProvenance(0), paintProvenance(254), paintProvenance(255)]).toEqual([1, 1, 0]);
    expect(() => paintProvenance(1.5)).toThrow(RangeError);
  });

  it('classAt picks the pixel containing a point, null outside', () => {
    const m = createLabelMap(4, 3);
    m.classes[2 * 4 + 3] = 9;
    expect(classAt(m, 3.99, 2.01)).toBe(9);
    expect(classAt(m, 0, 0)).toBe(255);
    expect([classAt(m, 4, 0), classAt(m, -0.01, 1), classAt(m, 1, 3)]).toEqual([null, null, null]);
  });

  it('rect union and intersection', () => {
    const a = { x: 0, y: 0, width: 4, height: 4 };
    const b = { x: 2, y: 3, width: 5, height: 2 };
    expect(unionRect(a, b)).toEqual({ x: 0, y: 0, width: 7, height: 5 });
    expect(unionRect(null, b)).toEqual(b);
    expect(intersectRect(a, b)).toEqual({ x: 2, y: 3, width: 2, height: 1 });
    expect(intersectRect(a, { x: 4, y: 0, width: 1, height: 1 })).toBeNull();
  });
});
