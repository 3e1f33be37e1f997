/**
 * The accept rule shared by the editor's preview (Fill unlabeled and Predict), `maskwright propagate`
 * and `maskwright predict --accept`: hand-made maps (provenance codes: 0 none, 1 painted,
 * 2 propagated, 3 predicted, 4 imported), then random maps and proposals against a per-pixel model
 * written here from the documented rule.
 */
import { describe, expect, it } from 'vitest';
import {
  acceptInto,
  acceptPatch,
  applyPatch,
  fillProposal,
  LabelHistory,
  planAccept,
  predictionProposal,
  Provenance,
  writableBy,
} from '../../../core/labelmap';
import type { LabelMap, Proposal, ProposalProvenance } from '../../../core/labelmap';
import { seedsOf } from '../../../core/propagation';
import { cloneMap, rng } from './helpers';

const U = 255;
const u8 = (...v: number[]) => Uint8Array.from(v);

function map(width: number, height: number, classes: number[], provenance: number[]): LabelMap {
  return { width, height, classes: Uint8Array.from(classes), provenance: Uint8Array.from(provenance) };
}

/** A fill whose labels are final (as `maskwright propagate` has them: thresholded by the engine). */
const fill = (labels: Uint8Array): Proposal => ({ provenance: Provenance.Propagated, labels });

describe('writableBy', () => {
  it('a fill writes unlabeled and propagated pixels, a prediction unlabeled ones only', () => {
    const codes = [0, 1, 2, 3, 4];
    expect(codes.map((p) => writableBy(Provenance.Propagated)[p])).toEqual([1, 0, 1, 0, 0]);
    expect(codes.map((p) => writableBy(Provenance.Predicted)[p])).toEqual([1, 0, 0, 0, 0]);
  });
});

describe('planAccept: the offered labels', () => {
  it('leaves out labels less sure than the minimum (strictly), keeps the rest, in a new array', () => {
    const m = map(4, 1, [U, U, U, U], [0, 0, 0, 0]);
    const labels = u8(1, 2, 3, 4);
    const p = fillProposal(labels, Float32Array.of(1, 0.5, 0.49, 0.9));
    expect([...planAccept(m, p, 0.5).labels]).toEqual([1, 2, U, 4]);
    expect([...planAccept(m, p, 0).labels]).toEqual([1, 2, 3, 4]);
    expect([...planAccept(m, p, 1).labels]).toEqual([1, U, U, U]);
    expect(planAccept(m, p, 0).labels).not.toBe(labels);
    expect(() => planAccept(m, fillProposal(labels, Float32Array.of(1)), 0)).toThrow(RangeError);
    expect(() => planAccept(m, fill(u8(1)), 0)).toThrow(RangeError);
  });

  it('reads a prediction byte b as probability b/255: kept when b/255 reaches the minimum', () => {
    const m = map(5, 1, [U, U, U, U, U], [0, 0, 0, 0, 0]);
    // 0.2 * 255 = 51 exactly; 0.51 * 255 = 130.05, so 130 (0.5098) is below 0.51 and 131 reaches it.
    const p = predictionProposal(u8(1, 1, 1, 1, 1), u8(50, 51, 130, 131, 255));
    expect([...planAccept(m, p, 0.2).labels]).toEqual([U, 1, 1, 1, 1]);
    expect([...planAccept(m, p, 0.51).labels]).toEqual([U, U, U, 1, 1]);
    expect([...planAccept(m, p, 1).labels]).toEqual([U, U, U, U, 1]);
  });

  it('counts what the accept changes and the writable pixels it leaves unlabeled', () => {
    // pixel:      0  1  2  3  4  5
    const m = map(6, 1, [U, 1, 2, 3, U, 2], [0, 1, 2, 3, 0, 2]);
    const labels = u8(5, 5, 2, 5, 5, 5);
    const conf = Float32Array.of(0.9, 0.9, 0.9, 0.9, 0.1, 0.1);
    // 0: new label; 1, 3: not writable; 2: same class and provenance; 4: stays unlabeled; 5: cleared
    expect(planAccept(m, fillProposal(labels, conf), 0.5)).toMatchObject({ changed: 2, unlabeled: 2 });
    // A prediction writes pixel 0 only; 4 stays unlabeled, 2 and 5 are not its to write.
    const bytes = Uint8Array.from(conf, (c) => Math.round(c * 255));
    expect(planAccept(m, predictionProposal(labels, bytes), 0.5)).toMatchObject({
      changed: 1,
      unlabeled: 1,
      rect: { x: 0, y: 0, width: 1, height: 1 },
    });
  });
});

describe('acceptInto', () => {
  it('a fill writes only unlabeled and propagated pixels, with provenance 2 (or 0 when unlabeled)', () => {
    // pixel:    0  1  2  3  4  5  6  7
    const m = map(8, 1, [U, 1, 2, 3, 4, 5, 6, U], [0, 1, 2, 3, 4, 2, 2, 0]);
    const changed = acceptInto(m, fill(u8(7, 7, 7, 7, 7, U, 6, U)), 0);
    expect([...m.classes]).toEqual([7, 1, 7, 3, 4, U, 6, U]);
    expect([...m.provenance]).toEqual([2, 1, 2, 3, 4, 0, 2, 0]);
    // 0 (new label), 2 (new class), 5 (propagated -> unlabeled); 6 and 7 stay as they were
    expect(changed).toBe(3);
  });

  it('a prediction writes only unlabeled pixels sure enough, with provenance 3', () => {
    // pixel:    0  1  2  3  4  5
    const m = map(6, 1, [U, 1, 2, 3, 4, U], [0, 1, 2, 3, 4, 0]);
    const changed = acceptInto(m, predictionProposal(u8(7, 7, 7, 7, 7, 7), u8(200, 255, 255, 255, 255, 100)), 0.5);
    expect([...m.classes]).toEqual([7, 1, 2, 3, 4, U]);
    expect([...m.provenance]).toEqual([3, 1, 2, 3, 4, 0]);
    expect(changed).toBe(1);
  });

  it('checks lengths', () => {
    expect(() => acceptInto(map(1, 1, [1], [1]), fill(u8(1, 2)), 0)).toThrow(RangeError);
  });
});

describe('acceptPatch', () => {
  it('is the bounding rectangle of the changes with the merged bytes, and leaves the map alone', () => {
    // 4 x 3; painted (1) pixels must survive any result
    const m = map(4, 3, [1, 1, U, U, 1, U, 2, U, U, U, U, U], [1, 1, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0]);
    const before = cloneMap(m);
    // result: (2,0) -> 2, (3,0) -> 1, (1,1) -> 2, (3,1) -> 2 change; (2,1) already holds 2 as propagated;
    // the bottom row stays unlabeled; painted (1,0) is kept although the result disagrees (2)
    const labels = u8(1, 2, 2, 1, 1, 2, 2, 2, U, U, U, U);
    const patch = acceptPatch(m, fill(labels), 0)!;
    expect(patch.rect).toEqual({ x: 1, y: 0, width: 3, height: 2 });
    expect([...patch.classes]).toEqual([1, 2, 1, 2, 2, 2]);
    expect([...patch.provenance]).toEqual([1, 2, 2, 2, 2, 2]);
    expect(patch.changed).toBe(4);
    expect(m).toEqual(before);
  });

  it('never changes painted, predicted or imported pixels even when the result disagrees', () => {
    const m = map(3, 2, [1, 3, 4, U, 7, U], [1, 3, 4, 0, 2, 0]);
    const patch = acceptPatch(m, fill(u8(9, 9, 9, 9, 9, 9)), 0)!;
    expect(patch.rect).toEqual({ x: 0, y: 1, width: 3, height: 1 });
    expect([...patch.classes]).toEqual([9, 9, 9]);
    expect([...patch.provenance]).toEqual([2, 2, 2]);
  });

  it('turns propagated pixels below the minimum confidence back into unlabeled ones', () => {
    const m = map(2, 2, [1, 5, 5, 5], [1, 2, 2, 2]);
    const patch = acceptPatch(m, fillProposal(u8(1, 5, 5, 6), Float32Array.of(1, 0.9, 0.3, 0.8)), 0.5)!;
    expect(patch.rect).toEqual({ x: 0, y: 1, width: 2, height: 1 });
    expect([...patch.classes]).toEqual([U, 6]);
    expect([...patch.provenance]).toEqual([0, 2]);
    expect(patch.changed).toBe(2);
  });

  it('is null when nothing would change', () => {
    const m = map(2, 1, [1, 5], [1, 2]);
    expect(acceptPatch(m, fill(u8(3, 5)), 0)).toBeNull();
    expect(acceptPatch(map(1, 1, [U], [0]), predictionProposal(u8(4), u8(10)), 0.5)).toBeNull();
    expect(() => acceptPatch(m, fill(u8(1)), 0)).toThrow(RangeError);
  });

  it('applied with applyPatch, equals acceptInto and undoes as one step', () => {
    const classes = [U, 1, U, 2, 2, U, 3, U, U, 4, U, U];
    const provenance = [0, 1, 0, 2, 2, 0, 3, 0, 0, 4, 0, 0];
    const labels = u8(1, 1, 1, 1, 2, 2, 3, 3, 3, 4, 4, U);
    const m = map(4, 3, classes, provenance);
    const expected = map(4, 3, classes, provenance);
    const changed = acceptInto(expected, fill(labels), 0);
    const history = new LabelHistory(m);
    const patch = acceptPatch(m, fill(labels), 0)!;
    expect(patch.changed).toBe(changed);
    history.push(applyPatch(m, patch.rect, patch.classes, patch.provenance));
    expect(m).toEqual(expected);
    expect(history.undoDepth).toBe(1);
    history.undo();
    expect([...m.classes]).toEqual(classes);
    expect([...m.provenance]).toEqual(provenance);
  });

  it('a second fill replaces the first one but keeps the strokes painted in between', () => {
    const m = map(3, 1, [1, U, U], [1, 0, 0]);
    const first = acceptPatch(m, fill(u8(1, 1, 1)), 0)!;
    applyPatch(m, first.rect, first.classes, first.provenance);
    expect([...m.classes, ...m.provenance]).toEqual([1, 1, 1, 1, 2, 2]);
    // paint class 2 over the last (propagated) pixel; the seeds are then 1, U, 2
    m.classes[2] = 2;
    m.provenance[2] = 1;
    expect([...seedsOf(m.classes, m.provenance)]).toEqual([1, U, 2]);
    const second = acceptPatch(m, fill(u8(1, 2, 2)), 0)!;
    applyPatch(m, second.rect, second.classes, second.provenance);
    expect([...m.classes, ...m.provenance]).toEqual([1, 2, 2, 1, 2, 1]);
  });

  it('a prediction accepted over a fill keeps the fill and writes the gaps', () => {
    const m = map(3, 1, [4, U, U], [2, 0, 0]);
    const patch = acceptPatch(m, predictionProposal(u8(1, 1, 1), u8(255, 255, 255)), 0.5)!;
    applyPatch(m, patch.rect, patch.classes, patch.provenance);
    expect([...m.classes, ...m.provenance]).toEqual([4, 1, 1, 2, 3, 3]);
  });
});

// ---- against a per-pixel model ----

/** A valid random map: provenance 0..4, class UNLABELED exactly where the provenance is None. */
function randomMap(rand: () => number, width: number, height: number, classes: number): LabelMap {
  const out = { width, height, classes: new Uint8Array(width * height), provenance: new Uint8Array(width * height) };
  for (let i = 0; i < width * height; i++) {
    const p = Math.floor(rand() * 5);
    out.provenance[i] = p;
    out.classes[i] = p === 0 ? U : Math.floor(rand() * classes);
  }
  return out;
}

interface Case {
  map: LabelMap;
  proposal: Proposal;
  min: number;
  /** The proposal's confidence per pixel as a probability (1 where it has none). */
  probability: (i: number) => number;
}

function randomCase(seed: number): Case {
  const rand = rng(seed);
  const width = 1 + Math.floor(rand() * 14);
  const height = 1 + Math.floor(rand() * 14);
  const n = width * height;
  const k = 1 + Math.floor(rand() * 4);
  const m = randomMap(rand, width, height, k);
  const labels = Uint8Array.from({ length: n }, () => (rand() < 0.15 ? U : Math.floor(rand() * k)));
  const mins = [0, 1, Math.round(rand() * 100) / 100, rand()];
  const min = mins[Math.floor(rand() * mins.length)]!;
  const kind = Math.floor(rand() * 3);
  if (kind === 0) {
    const bytes = Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
    return { map: m, proposal: predictionProposal(labels, bytes), min, probability: (i) => bytes[i]! / 255 };
  }
  if (kind === 1) {
    const conf = Float32Array.from({ length: n }, () => rand());
    return { map: m, proposal: fillProposal(labels, conf), min, probability: (i) => conf[i]! };
  }
  const provenance: ProposalProvenance = rand() < 0.5 ? Provenance.Propagated : Provenance.Predicted;
  return { map: m, proposal: { provenance, labels }, min, probability: () => 1 };
}

/** The rule as the module's comment states it, one pixel at a time. */
function model(c: Case): { after: LabelMap; unlabeled: number } {
  const after = cloneMap(c.map);
  const source = c.proposal.provenance;
  let unlabeled = 0;
  for (let i = 0; i < after.classes.length; i++) {
    const p = c.map.provenance[i]!;
    const writable = p === Provenance.None || (source === Provenance.Propagated && p === Provenance.Propagated);
    if (!writable) continue;
    const label = c.probability(i) >= c.min ? c.proposal.labels[i]! : U;
    after.classes[i] = label;
    after.provenance[i] = label === U ? Provenance.None : source;
    if (label === U) unlabeled++;
  }
  return { after, unlabeled };
}

describe('the accept rule on random maps and proposals, pixel by pixel', () => {
  it('matches the model, and its patch is the bounding box of the changed pixels', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const c = randomCase(seed);
      const { after, unlabeled } = model(c);
      const { width: w } = c.map;
      const diff: number[] = [];
      for (let i = 0; i < after.classes.length; i++) {
        if (after.classes[i] !== c.map.classes[i] || after.provenance[i] !== c.map.provenance[i]) diff.push(i);
      }
      const before = cloneMap(c.map);

      const plan = planAccept(c.map, c.proposal, c.min);
      expect({ seed, changed: plan.changed, unlabeled: plan.unlabeled }).toEqual({
        seed,
        changed: diff.length,
        unlabeled,
      });
      const patch = acceptPatch(c.map, c.proposal, c.min);
      expect(c.map, `seed ${seed}: the map untouched`).toEqual(before);
      if (!diff.length) {
        expect(patch, `seed ${seed}`).toBeNull();
        expect(plan.rect).toBeNull();
      } else {
        const xs = diff.map((i) => i % w);
        const ys = diff.map((i) => Math.floor(i / w));
        const x = Math.min(...xs);
        const y = Math.min(...ys);
        const rect = { x, y, width: Math.max(...xs) - x + 1, height: Math.max(...ys) - y + 1 };
        expect({ seed, rect: patch!.rect, changed: patch!.changed }).toEqual({ seed, rect, changed: diff.length });
        expect(plan.rect).toEqual(rect);
        const patched = cloneMap(c.map);
        const history = new LabelHistory(patched);
        history.push(applyPatch(patched, patch!.rect, patch!.classes, patch!.provenance));
        expect(patched, `seed ${seed}: patch applied`).toEqual(after);
        history.undo();
        expect(patched, `seed ${seed}: one undo step`).toEqual(before);
      }

      const inPlace = cloneMap(c.map);
      expect(acceptInto(inPlace, c.proposal, c.min)).toBe(diff.length);
      expect(inPlace, `seed ${seed}: in place`).toEqual(after);
    }
  });

  it('never changes a painted, imported or predicted pixel, and only a fill changes a propagated one', () => {
    let kept = 0;
    for (let seed = 1000; seed < 1300; seed++) {
      const c = randomCase(seed);
      const m = cloneMap(c.map);
      acceptInto(m, c.proposal, c.min);
      for (let i = 0; i < m.classes.length; i++) {
        const p = c.map.provenance[i]!;
        const own = p === Provenance.Propagated && c.proposal.provenance === Provenance.Propagated;
        if (p === Provenance.None || own) continue;
        expect([seed, i, m.classes[i], m.provenance[i]]).toEqual([seed, i, c.map.classes[i], p]);
        kept++;
      }
    }
    expect(kept).toBeGreaterThan(1000);
  });
});
