import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addClass, reorderClasses } from '../../db/classes';
import { saveLabelMap } from '../../db/labelmaps';
import { setSplit } from '../../db/images';
import { loadSamples, trustedLabels } from '../../services/dataset';
import { splitPlan } from '../../services/split';
import { importImages } from '../../services/import-images';
import { makeImage } from '../helpers/fixtures';
import { tempProject } from '../helpers/project';

describe('training samples from a project', () => {
  let t: ReturnType<typeof tempProject>;
  beforeEach(() => (t = tempProject()));
  afterEach(() => t.close());

  it('keep only trusted sources and map label values to class indices in display order', () => {
    const lookup = new Uint8Array(256).fill(255);
    lookup[7] = 0;
    lookup[3] = 1;
    const classes = Uint8Array.from([3, 3, 7, 7, 255, 9]);
    const provenance = Uint8Array.from([1, 2, 3, 4, 0, 1]);
    // painted + imported trusted; value 9 is not a class -> unlabeled
    const r = trustedLabels(classes, provenance, new Set([1, 4]), lookup);
    expect([...r.labels]).toEqual([1, 255, 255, 0, 255, 255]);
    expect(r.count).toBe(2);
  });

  it('resize images and labels to the working size (labels by nearest neighbour)', async () => {
    const bytes = await makeImage(8, 4, 'png', 3);
    const report = await importImages(t.project.db, [{ name: 'a.png', read: async () => bytes }]);
    const id = report.imported[0]!.id;
    const sky = addClass(t.project.db, 'Sky', undefined, 3);
    const road = addClass(t.project.db, 'Road', undefined, 7);
    reorderClasses(t.project.db, [road.id, sky.id]); // Road is class index 0
    setSplit(t.project.db, [id], 'train');
    // 8x4 map of 2x2 blocks: block (bx, by) has value 3 if bx is even else 7; row 0 of blocks painted, row 1 propagated.
    const classes = new Uint8Array(32);
    const provenance = new Uint8Array(32);
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 8; x++) {
        classes[y * 8 + x] = Math.floor(x / 2) % 2 === 0 ? 3 : 7;
        provenance[y * 8 + x] = y < 2 ? 1 : 2;
      }
    }
    saveLabelMap(t.project.db, id, { width: 8, height: 4, classes, provenance });

    const { samples, mapping } = await loadSamples(t.project.db, {
      width: 4,
      height: 2,
      sources: ['painted'],
      splits: ['train'],
    });
    expect(mapping.values).toEqual([7, 3]);
    expect(samples).toHaveLength(1);
    const s = samples[0]!;
    expect(s.rgb.length).toBe(4 * 2 * 3);
    // Top row painted: sky(3)->1, road(7)->0 alternating; bottom row propagated -> untrusted.
    expect([...s.labels!]).toEqual([1, 0, 1, 0, 255, 255, 255, 255]);

    const none = await loadSamples(t.project.db, { width: 4, height: 2, sources: ['predicted'], splits: ['train'] });
    expect(none.samples).toEqual([]);
    const withUnlabeled = await loadSamples(t.project.db, {
      width: 4,
      height: 2,
      sources: ['predicted'],
      splits: ['train'],
      includeUnlabeled: true,
    });
    expect(withUnlabeled.samples[0]!.labels).toBeNull();
    expect(
      (await loadSamples(t.project.db, { width: 4, height: 2, sources: ['painted'], splits: ['val'] })).samples,
    ).toEqual([]);
  });

  it('keep training images at up to maxScale x the working size, and validation labels at their own size', async () => {
    const ids: number[] = [];
    for (const seed of [1, 2, 3]) {
      const bytes = await makeImage(16, 8, 'png', seed);
      ids.push((await importImages(t.project.db, [{ name: `${seed}.png`, read: async () => bytes }])).imported[0]!.id);
    }
    addClass(t.project.db, 'A', undefined, 1);
    addClass(t.project.db, 'B', undefined, 2);
    // 2x2 blocks alternating 1 and 2 (class indices 0 and 1): any nearest reduction by 2 keeps the pattern.
    const classes = Uint8Array.from(
      { length: 128 },
      (_, i) => 1 + ((Math.floor((i % 16) / 2) + Math.floor(i / 32)) % 2),
    );
    for (const id of ids.slice(0, 2))
      saveLabelMap(t.project.db, id, { width: 16, height: 8, classes, provenance: new Uint8Array(128).fill(1) });
    // Two labeled images: too few to hold one out, both train.
    expect([...splitPlan(t.project.db, ['painted'], 'person').train].sort()).toEqual(ids.slice(0, 2));
    expect(splitPlan(t.project.db, ['imported'], 'person').train.size).toBe(0);

    const { samples } = await loadSamples(t.project.db, {
      width: 4,
      height: 2,
      sources: ['painted'],
      splits: ['unassigned'],
      includeUnlabeled: true,
      maxScale: 2,
      fullSize: new Set([ids[1]!]),
      maxFullPixels: 32,
    });
    const [train, val, unlabeled] = ids.map((id) => samples.find((s) => s.id === id)!);
    // Training: min(2, 16/4, 8/2) = 2x the working size, labels by nearest neighbour.
    expect([train!.width, train!.height, train!.rgb.length]).toEqual([8, 4, 8 * 4 * 3]);
    expect([...train!.labels!]).toEqual(Array.from({ length: 32 }, (_, i) => ((i % 8) + Math.floor(i / 8)) % 2));
    expect(train!.full).toBeUndefined();
    // Validation: the working size for the network, the labels at the image's own size capped at 32 pixels
    // (16x8 = 128 -> half each side, 8x4).
    expect([val!.width, val!.height]).toEqual([4, 2]);
    expect([val!.full!.width, val!.full!.height]).toEqual([8, 4]);
    expect([...val!.full!.labels]).toEqual([...train!.labels!]);
    // Unlabeled images (reconstruction head) stay at the working size.
    expect([unlabeled!.width, unlabeled!.height, unlabeled!.labels]).toEqual([4, 2, null]);

    const own = await loadSamples(t.project.db, {
      width: 4,
      height: 2,
      sources: ['painted'],
      splits: ['unassigned'],
      fullSize: new Set([ids[1]!]),
    });
    const v = own.samples.find((s) => s.id === ids[1])!;
    expect([v.full!.width, v.full!.height]).toEqual([16, 8]);
    expect([...v.full!.labels]).toEqual([...classes].map((c) => c - 1));
  });
});
