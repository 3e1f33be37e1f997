import { afterEach, describe, expect, it } from 'vitest';
import { saveLabelMap } from '../../db/labelmaps';
import { labelSources } from '../../services/label-sources';
import { fakeImage, tempProject } from '../helpers/project';

let t: ReturnType<typeof tempProject> | undefined;
afterEach(() => t?.close());

describe('labelSources', () => {
  it('gives the share of propagated and predicted pixels per labeled image, and follows saves', () => {
    t = tempProject();
    const db = t.project.db;
    const a = fakeImage(t.project, 4, 1);
    const b = fakeImage(t.project, 2, 1);
    fakeImage(t.project, 2, 1); // no labels: not listed
    // a: painted, propagated, predicted, unlabeled -> 2 of 4 by machine; b: imported, painted -> 0.
    saveLabelMap(db, a, {
      width: 4,
      height: 1,
      classes: Uint8Array.from([1, 1, 2, 255]),
      provenance: Uint8Array.from([1, 2, 3, 0]),
    });
    saveLabelMap(db, b, { width: 2, height: 1, classes: Uint8Array.from([1, 2]), provenance: Uint8Array.from([4, 1]) });
    expect(labelSources(db)).toEqual([
      { imageId: a, machine: 0.5 },
      { imageId: b, machine: 0 },
    ]);
    // A new revision is counted again (not served from the cache).
    saveLabelMap(db, a, {
      width: 4,
      height: 1,
      classes: Uint8Array.from([1, 1, 2, 2]),
      provenance: Uint8Array.from([2, 2, 3, 3]),
    });
    expect(labelSources(db)[0]).toEqual({ imageId: a, machine: 1 });
  });
});
