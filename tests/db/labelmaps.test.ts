import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  classUsage,
  imagesWithClass,
  labelStats,
  loadLabelMap,
  mergeIntoLabelMap,
  remapClass,
  saveLabelMap,
} from '../../db/labelmaps';
import { fakeImage, tempProject } from '../helpers/project';

/** A map with a few regions and an unlabeled band, plus provenance codes 0..4. */
function sampleMap(w: number, h: number) {
  const classes = new Uint8Array(w * h);
  const provenance = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      classes[i] = y < 2 ? 255 : x < w / 2 ? 3 : 7;
      provenance[i] = classes[i] === 255 ? 0 : 1 + ((x + y) % 4);
    }
  }
  return { width: w, height: h, classes, provenance };
}

describe('label maps', () => {
  let t: ReturnType<typeof tempProject>;
  beforeEach(() => (t = tempProject()));
  afterEach(() => t.close());

  it('round-trip both planes exactly', () => {
    const id = fakeImage(t.project, 10, 6);
    const map = sampleMap(10, 6);
    expect(saveLabelMap(t.project.db, id, map)).toBe(1);
    const back = loadLabelMap(t.project.db, id)!;
    expect(back.classes).toEqual(map.classes);
    expect(back.provenance).toEqual(map.provenance);
    expect(saveLabelMap(t.project.db, id, map)).toBe(2); // revision counts saves
  });

  it('count labeled pixels per class (checked by hand: 10x6, two top rows unlabeled)', () => {
    const { classes } = sampleMap(10, 6);
    // rows 2..5 (4 rows), x < 5 -> class 3 (5 px per row), else class 7
    expect(labelStats(classes)).toEqual({ labeledPixels: 40, classCounts: { 3: 20, 7: 20 } });
  });

  it('answer usage queries from stored counts', () => {
    const a = fakeImage(t.project, 10, 6);
    const b = fakeImage(t.project, 10, 6);
    saveLabelMap(t.project.db, a, sampleMap(10, 6));
    const other = sampleMap(10, 6);
    other.classes.fill(7);
    saveLabelMap(t.project.db, b, other);
    expect(imagesWithClass(t.project.db, 3)).toEqual([a]);
    expect(classUsage(t.project.db, 7)).toEqual({ pixels: 20 + 60, images: 2 });
    expect(classUsage(t.project.db, 9)).toEqual({ pixels: 0, images: 0 });
  });

  it('refuse planes of the wrong size and unknown images', () => {
    const id = fakeImage(t.project, 10, 6);
    expect(() => saveLabelMap(t.project.db, id, sampleMap(6, 10))).toThrow(/image is 10x6/);
    const bad = sampleMap(10, 6);
    expect(() => saveLabelMap(t.project.db, id, { ...bad, provenance: new Uint8Array(3) })).toThrow(/60 bytes/);
    expect(() => saveLabelMap(t.project.db, 999, bad)).toThrow(/No image/);
  });

  it('remap a class, clearing provenance when it becomes unlabeled', () => {
    const id = fakeImage(t.project, 10, 6);
    const map = sampleMap(10, 6);
    saveLabelMap(t.project.db, id, map);
    expect(remapClass(t.project.db, 3, 255)).toBe(20);
    const back = loadLabelMap(t.project.db, id)!;
    for (let i = 0; i < map.classes.length; i++) {
      const wasThree = map.classes[i] === 3;
      expect(back.classes[i]).toBe(wasThree ? 255 : map.classes[i]);
      expect(back.provenance[i]).toBe(wasThree ? 0 : map.provenance[i]);
    }
  });

  it('store a structured 6000x4000 map compactly', () => {
    const id = fakeImage(t.project, 6000, 4000);
    const map = sampleMap(6000, 4000);
    saveLabelMap(t.project.db, id, map);
    const row = t.project.db
      .prepare(
        `SELECT (SELECT sum(length(data)) FROM label_tiles) + (SELECT sum(length(classes) + length(provenance)) FROM label_maps) AS n`,
      )
      .get() as { n: number };
    expect(row.n).toBeGreaterThan(0);
    expect(row.n).toBeLessThan((2 * 6000 * 4000) / 20);
    const back = loadLabelMap(t.project.db, id)!;
    // Compare without building a diff of 24 MB arrays.
    expect(Buffer.compare(back.classes, map.classes)).toBe(0);
    expect(Buffer.compare(back.provenance, map.provenance)).toBe(0);
  });

  it('merge into the map as stored at commit time, and refuse a merge that changes a painted pixel', () => {
    const id = fakeImage(t.project, 4, 1);
    // No map yet: the merge starts from an unlabeled one.
    const first = mergeIntoLabelMap(t.project.db, id, (m) => {
      m.classes[0] = 5;
      m.provenance[0] = 2;
      return 1;
    });
    expect(first).toEqual({ changed: 1, revision: 1 });
    saveLabelMap(t.project.db, id, {
      width: 4,
      height: 1,
      classes: Uint8Array.from([5, 1, 255, 255]),
      provenance: Uint8Array.from([2, 1, 0, 0]),
    });
    // Nothing changed: nothing saved, the revision stays.
    expect(mergeIntoLabelMap(t.project.db, id, () => 0)).toEqual({ changed: 0, revision: null });
    expect(() =>
      mergeIntoLabelMap(t.project.db, id, (m) => {
        m.classes[2] = 3;
        m.provenance[2] = 2;
        m.classes[1] = 3; // painted: not the writer's to change
        return 2;
      }),
    ).toThrow(/painted pixel 1/);
    const after = loadLabelMap(t.project.db, id)!;
    expect([...after.classes]).toEqual([5, 1, 255, 255]);
    expect(after.revision).toBe(2);
  });
});
