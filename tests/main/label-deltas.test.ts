/**
 * Label saves as deltas (`labels.saveChanges`): a delta save must store exactly what a whole-map save of
 * the same edits stores, tile rows included, on images whose sizes leave clipped edge tiles.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../core/ipc/errors';
import { StrokeSession } from '../../core/labelmap/brush';
import { ChangedRegion, readDelta } from '../../core/labelmap/delta';
import { floodFill } from '../../core/labelmap/fill';
import { LabelHistory } from '../../core/labelmap/history';
import { applyPatch } from '../../core/labelmap/patch';
import { fillPolygon } from '../../core/labelmap/polygon';
import type { EditEntry } from '../../core/labelmap/patch';
import { Provenance, type LabelMap } from '../../core/labelmap/types';
import { addClass } from '../../db/classes';
import { labelStats, loadLabelMap, mergeIntoLabelMap } from '../../db/labelmaps';
import { loadLabels, saveLabelChanges, saveLabels } from '../../services/labels';
import { blobMap, cloneMap, diffIndices, rng } from '../core/labelmap/helpers';
import { fakeImage, tempProject } from '../helpers/project';

type T = ReturnType<typeof tempProject>;

/** What the project file holds for an image: the map row's statistics and every tile row. */
function stored(t: T, imageId: number) {
  const db = t.project.db;
  return {
    row: db
      .prepare('SELECT width, height, encoding, labeled_pixels, class_counts FROM label_maps WHERE image_id = ?')
      .get(imageId),
    tiles: db.prepare('SELECT tile, data FROM label_tiles WHERE image_id = ? ORDER BY tile').all(imageId),
  };
}

/** A random edit of one of five kinds on `map`; returns its entry. */
function randomEdit(map: LabelMap, rand: () => number): EditEntry | null {
  const { width: w, height: h } = map;
  const value = rand() < 0.2 ? 255 : Math.floor(rand() * 4);
  const kind = Math.floor(rand() * 5);
  if (kind <= 1) {
    const s = new StrokeSession(map, { diameter: 1 + rand() * 40, value });
    for (let k = 0; k < 12; k++) s.addPoint(rand() * w, rand() * h);
    return s.commit();
  }
  if (kind === 2) return floodFill(map, rand() * w, rand() * h, { value });
  if (kind === 3)
    return fillPolygon(map, [rand() * w, rand() * h, rand() * w, rand() * h, rand() * w, rand() * h], { value });
  const pw = Math.min(30, w);
  const ph = Math.min(30, h);
  const rect = { x: Math.floor(rand() * (w - pw + 1)), y: Math.floor(rand() * (h - ph + 1)), width: pw, height: ph };
  const classes = new Uint8Array(pw * ph).map(() => Math.floor(rand() * 3));
  return applyPatch(map, rect, classes, new Uint8Array(pw * ph).fill(Provenance.Propagated));
}

describe('label saves as deltas', () => {
  let t: T;
  beforeEach(() => {
    t = tempProject();
    for (const name of ['a', 'b', 'c', 'd']) addClass(t.project.db, name);
  });
  afterEach(() => t.close());

  it('store exactly what whole-map saves store, over random edits, undos and redos (odd sizes, edge tiles)', () => {
    const rand = rng(2026);
    for (const [w, h] of [
      [517, 300],
      [256, 256],
      [300, 257],
      [1, 700],
    ] as const) {
      const viaDelta = fakeImage(t.project, w, h);
      const viaFull = fakeImage(t.project, w, h);
      const map = blobMap(w, h, w + h, 4);
      let deltaRev = saveLabels(t.project.db, { imageId: viaDelta, ...map }).revision;
      saveLabels(t.project.db, { imageId: viaFull, ...map });
      const history = new LabelHistory(map);
      const changes = new ChangedRegion(w, h);
      for (let step = 0; step < 20; step++) {
        // one to three edits (or undos, redos) per save, as the autosave coalesces them
        for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) {
          const r = rand();
          if (r < 0.2) changes.markEntry(history.undo());
          else if (r < 0.3) changes.markEntry(history.redo());
          else {
            const entry = randomEdit(map, rand);
            history.push(entry);
            changes.markEntry(entry);
          }
        }
        const out = saveLabelChanges(t.project.db, {
          imageId: viaDelta,
          ...readDelta(map, changes.take()),
          baseRevision: deltaRev,
        });
        deltaRev = out.revision;
        const full = saveLabels(t.project.db, { imageId: viaFull, ...map });
        expect(out.labeledFraction).toBe(full.labeledFraction);
        expect(stored(t, viaDelta)).toEqual(stored(t, viaFull));
        const back = loadLabelMap(t.project.db, viaDelta)!;
        expect(diffIndices(back, map)).toEqual([]);
        expect(back.revision).toBe(deltaRev);
      }
      expect(JSON.parse((stored(t, viaDelta).row as { class_counts: string }).class_counts)).toEqual(
        JSON.parse(JSON.stringify(labelStats(map.classes).classCounts)),
      );
    }
  });

  it('write across tile corners and into the clipped edge tiles of an odd-sized image', () => {
    const w = 300;
    const h = 257; // tiles: 256 + 44 columns, 256 + 1 rows
    const id = fakeImage(t.project, w, h);
    const expected = new Uint8Array(w * h).fill(255);
    // a 60x3 rectangle over the corner of all four tiles, and the bottom-right pixel alone
    const rects = [230, 254, 60, 3, 299, 256, 1, 1];
    const classes = new Uint8Array(181).map((_, i) => i % 3);
    const provenance = new Uint8Array(181).fill(Provenance.Painted);
    for (let y = 0; y < 3; y++) for (let x = 0; x < 60; x++) expected[(254 + y) * w + 230 + x] = (y * 60 + x) % 3;
    expected[w * h - 1] = 180 % 3;
    saveLabelChanges(t.project.db, { imageId: id, rects, classes, provenance, baseRevision: 0 });
    const back = loadLabelMap(t.project.db, id)!;
    expect(Buffer.compare(back.classes, expected)).toBe(0);
    expect(back.provenance.filter((p) => p === Provenance.Painted).length).toBe(181);
    // the four tiles around the corner hold labels (the bottom right one is 44x1)
    expect(stored(t, id).tiles.map((r) => (r as { tile: number }).tile)).toEqual([0, 1, 2, 3]);
    // erasing it all again leaves no tile rows
    const none = { classes: new Uint8Array(181).fill(255), provenance: new Uint8Array(181) };
    saveLabelChanges(t.project.db, { imageId: id, rects, ...none, baseRevision: 1 });
    expect(stored(t, id).tiles).toEqual([]);
    expect(loadLabels(t.project.db, id).classes.every((c) => c === 255)).toBe(true);
  });

  it('refuse a stale revision, bad rectangles and bad pixels, and change nothing', () => {
    const id = fakeImage(t.project, 40, 30);
    const one = { rects: [5, 5, 1, 1], classes: Uint8Array.of(1), provenance: Uint8Array.of(Provenance.Painted) };
    expect(saveLabelChanges(t.project.db, { imageId: id, ...one, baseRevision: 0 }).revision).toBe(1);
    const before = stored(t, id);
    const refused = (input: Parameters<typeof saveLabelChanges>[1], code: string, message: RegExp) => {
      let err: unknown;
      try {
        saveLabelChanges(t.project.db, input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe(code);
      expect((err as AppError).message).toMatch(message);
      expect(stored(t, id)).toEqual(before);
      expect(loadLabelMap(t.project.db, id)!.revision).toBe(1);
    };
    refused({ imageId: id, ...one, baseRevision: 0 }, 'CONFLICT', /changed elsewhere \(revision 1, expected 0\)/);
    refused({ imageId: id, ...one, rects: [40, 0, 1, 1], baseRevision: 1 }, 'INVALID_INPUT', /not inside 40x30/);
    refused({ imageId: id, ...one, rects: [0, 0, 2, 1], baseRevision: 1 }, 'INVALID_INPUT', /2 bytes/);
    refused({ imageId: id, ...one, classes: Uint8Array.of(9), baseRevision: 1 }, 'INVALID_INPUT', /not a class/);
    refused({ imageId: id, ...one, provenance: Uint8Array.of(0), baseRevision: 1 }, 'INVALID_INPUT', /provenance 0/);
    refused({ imageId: 999, ...one, baseRevision: 1 }, 'NOT_FOUND', /No image/);
  });

  it('an undo saved as a delta restores the stored map; background writers see the painted pixels', () => {
    const w = 400;
    const h = 300;
    const id = fakeImage(t.project, w, h);
    const map = loadLabels(t.project.db, id);
    const start = cloneMap(map);
    const history = new LabelHistory(map);
    const changes = new ChangedRegion(w, h);
    let revision = map.revision;
    const save = () =>
      (revision = saveLabelChanges(t.project.db, {
        imageId: id,
        ...readDelta(map, changes.take()),
        baseRevision: revision,
      }).revision);
    const s = new StrokeSession(map, { diameter: 21, value: 2 });
    for (let k = 0; k <= 10; k++) s.addPoint(20 + k * 36, 30 + k * 24);
    const entry = s.commit()!;
    history.push(entry);
    changes.markEntry(entry);
    save();
    const painted = cloneMap(map);
    expect(diffIndices(loadLabelMap(t.project.db, id)!, painted)).toEqual([]);
    changes.markEntry(history.undo());
    save();
    expect(diffIndices(loadLabelMap(t.project.db, id)!, start)).toEqual([]);
    changes.markEntry(history.redo());
    save();
    expect(diffIndices(loadLabelMap(t.project.db, id)!, painted)).toEqual([]);
    // a fill of every unlabeled pixel merges around the stroke, and rewrites the tiles it changed
    const merged = mergeIntoLabelMap(t.project.db, id, (m) => {
      let n = 0;
      for (let i = 0; i < m.classes.length; i++) {
        if (m.classes[i] === 255) {
          m.classes[i] = 0;
          m.provenance[i] = Provenance.Propagated;
          n++;
        }
      }
      return n;
    });
    expect(merged.revision).toBe(revision + 1);
    const after = loadLabelMap(t.project.db, id)!;
    for (let i = 0; i < w * h; i++) {
      const want = painted.classes[i] === 255 ? [0, Provenance.Propagated] : [2, Provenance.Painted];
      if (after.classes[i] !== want[0] || after.provenance[i] !== want[1]) throw new Error(`pixel ${i} differs`);
    }
    // and the editor's next delta lands on the merged map (stale revision first: refused)
    expect(() =>
      saveLabelChanges(t.project.db, {
        imageId: id,
        ...readDelta(map, [{ x: 0, y: 0, width: 1, height: 1 }]),
        baseRevision: revision,
      }),
    ).toThrow(/changed elsewhere/);
  });
});
