/**
 * The editor's preview controller (Fill unlabeled and Predict) headless, with a fake host, fake sources
 * and a surface that records what it would draw: what it previews and writes is the core accept rule
 * (checked against acceptInto / planAccept on random maps), accept is one undo entry, and every way out
 * (cancel, discard, an edit, a failure, a stale result) leaves the map as it was and says what it should.
 */
import { describe, expect, it, vi } from 'vitest';
import { acceptInto, fillProposal, planAccept, predictionProposal, Provenance } from '../../../core/labelmap';
import type { AcceptPlan, EditEntry, LabelMap, Proposal } from '../../../core/labelmap';
import { PreviewController, PreviewRefused } from '../../../renderer/src/editor/preview.svelte';
import type {
  EarlyView,
  PreviewKind,
  PreviewSource,
  PreviewSurface,
  SourceResult,
  VisibleGrid,
} from '../../../renderer/src/editor/preview.svelte';
import { ImageSession } from '../../../renderer/src/editor/session';
import { rng } from '../../core/labelmap/helpers';

const W = 9;
const H = 7;
const U = 255;

/** Every provenance (0..4) at random, class UNLABELED exactly where the provenance is None. */
function randomMap(seed: number): LabelMap {
  const rand = rng(seed);
  const provenance = Uint8Array.from({ length: W * H }, () => Math.floor(rand() * 5));
  const classes = Uint8Array.from(provenance, (p) => (p === 0 ? U : Math.floor(rand() * 3)));
  return { width: W, height: H, classes, provenance };
}

const cloneMap = (m: LabelMap): LabelMap => ({ ...m, classes: m.classes.slice(), provenance: m.provenance.slice() });

function randomFill(seed: number): Proposal {
  const rand = rng(seed);
  const labels = Uint8Array.from({ length: W * H }, () => (rand() < 0.1 ? U : Math.floor(rand() * 3)));
  return fillProposal(
    labels,
    Float32Array.from(labels, () => rand()),
  );
}

function randomPrediction(seed: number): Proposal {
  const rand = rng(seed);
  const labels = Uint8Array.from({ length: W * H }, () => Math.floor(rand() * 3));
  return predictionProposal(
    labels,
    Uint8Array.from(labels, () => Math.floor(rand() * 256)),
  );
}

/** A source whose job the test settles by hand. */
function fakeSource(kind: PreviewKind, keepsFailure = kind === 'predict') {
  const jobs: {
    resolve(r: SourceResult): void;
    reject(e: unknown): void;
    cancel: ReturnType<typeof vi.fn>;
    early: EarlyView | undefined;
  }[] = [];
  const source: PreviewSource = {
    kind,
    text: {
      panel: kind,
      noun: kind === 'fill' ? 'Fill' : 'Prediction',
      running: '',
      title: '',
      changes: '',
      countLabel: '',
      again: kind === 'fill' ? 'Press G to fill again.' : 'Press M to show it again.',
      accepted: (n) => `accepted ${n}`,
    },
    reportsProgress: kind === 'fill',
    keepsFailure,
    start(session, _photo, _progress, early) {
      if (session.map.provenance.every((p) => p !== Provenance.None && p !== Provenance.Propagated)) {
        return 'nothing to do';
      }
      const cancel = vi.fn();
      const result = new Promise<SourceResult>((resolve, reject) => jobs.push({ resolve, reject, cancel, early }));
      return { result, cancel };
    },
    failure: (err) => `failed: ${String(err)}`,
  };
  return { source, jobs };
}

function setup(map: LabelMap, visible: VisibleGrid | null = null) {
  const session = new ImageSession(1, map, 0);
  const said: string[] = [];
  const entries: EditEntry[] = [];
  const shown: (HTMLCanvasElement | null)[] = [];
  const placed: ({ x: number; y: number; step: number } | undefined)[] = [];
  const plans: AcceptPlan[] = [];
  let current: ImageSession | null = session;
  const fill = fakeSource('fill');
  const predict = fakeSource('predict');
  const surface: PreviewSurface = {
    create: () => ({}) as HTMLCanvasElement,
    draw: (_canvas, _map, plan) => void plans.push(plan),
  };
  const preview = new PreviewController(
    {
      current: () => (current ? { session: current, photo: { width: W, height: H } as ImageBitmap } : null),
      style: () => ({ palette: new Uint32Array(256), hidden: [] }),
      showPreview: (canvas, at) => {
        shown.push(canvas);
        placed.push(at);
      },
      visible: () => visible,
      previewChanged: () => {},
      commit: (s, entry) => {
        s.history.push(entry);
        s.touch();
        entries.push(entry);
      },
      say: (text) => void said.push(text),
    },
    { fill: fill.source, predict: predict.source },
    surface,
  );
  return {
    preview,
    session,
    said,
    entries,
    shown,
    placed,
    plans,
    fill: fill.jobs,
    predict: predict.jobs,
    leave: () => (current = null),
  };
}

/** Lets the controller's promise callbacks run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

/** The proposal's labels and confidence at the grid's sampled pixels, read out by hand. */
function sampledProposal(p: Proposal, g: VisibleGrid): Proposal {
  const labels: number[] = [];
  const conf: number[] = [];
  for (let y = g.y; y < g.y + g.height; y += g.step)
    for (let x = g.x; x < g.x + g.width; x += g.step) {
      labels.push(p.labels[y * W + x]!);
      conf.push(p.confidence!.values[y * W + x]!);
    }
  return fillProposal(Uint8Array.from(labels), Float32Array.from(conf));
}

describe('PreviewController, the part on screen first', () => {
  const grid: VisibleGrid = { x: 1, y: 2, width: 7, height: 5, step: 2 };

  it('draws the visible grid as the whole plan has it there, then the whole result', async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const map = randomMap(seed);
      const proposal = randomFill(seed + 50);
      const t = setup(map, grid);
      t.preview.start('fill');
      const job = t.fill[0]!;
      expect(job.early?.grid).toEqual(grid);
      job.early!.show({ grid, proposal: sampledProposal(proposal, grid), floor: 0 });
      expect(t.preview.phase).toBe('running'); // no accept before the whole result
      expect(t.placed.at(-1)).toEqual({ x: 1, y: 2, step: 2 });
      const whole = planAccept(map, proposal, 0.5);
      const want: number[] = [];
      for (let y = grid.y; y < grid.y + grid.height; y += grid.step)
        for (let x = grid.x; x < grid.x + grid.width; x += grid.step) want.push(whole.labels[y * W + x]!);
      expect(Array.from(t.plans.at(-1)!.labels), `seed ${seed}`).toEqual(want);
      job.resolve({ proposal, floor: 0 });
      await settle();
      expect(t.preview.phase).toBe('preview');
      expect(t.placed.at(-1)).toBeUndefined(); // the whole image, image-sized
      expect(t.plans.at(-1)!.labels).toEqual(whole.labels);
    }
  });

  it('ignores the part on screen after an edit, and asks for none when the host has no grid', () => {
    const t = setup(randomMap(2), grid);
    t.preview.start('fill');
    t.session.touch(); // a stroke meanwhile
    t.fill[0]!.early!.show({ grid, proposal: sampledProposal(randomFill(3), grid), floor: 0 });
    expect(t.shown).toEqual([]);
    const plain = setup(randomMap(2));
    plain.preview.start('fill');
    expect(plain.fill[0]!.early).toBeUndefined();
  });
});

describe('PreviewController', () => {
  it('previews and accepts exactly the core rule, re-planned at each threshold, as one undo entry', async () => {
    for (let seed = 1; seed <= 30; seed++) {
      const kind: PreviewKind = seed % 2 ? 'fill' : 'predict';
      const map = randomMap(seed);
      const before = cloneMap(map);
      const proposal = kind === 'fill' ? randomFill(seed + 100) : randomPrediction(seed + 100);
      const t = setup(map);
      t.preview.start(kind);
      expect([t.preview.phase, t.preview.source?.kind]).toEqual(['running', kind]);
      (kind === 'fill' ? t.fill : t.predict)[0]!.resolve({ proposal, floor: 0 });
      await settle();
      expect(t.preview.phase).toBe('preview');
      expect(t.shown.at(-1)).not.toBeNull();
      expect(map).toEqual(before); // nothing written before accept

      for (const threshold of [0.5, 0, 0.37, 1]) {
        if (threshold !== 0.5) t.preview.setThreshold(threshold);
        const want = planAccept(before, proposal, threshold);
        expect({ seed, threshold, ...t.preview.counts }).toEqual({
          seed,
          threshold,
          changed: want.changed,
          unlabeled: want.unlabeled,
        });
        expect(t.plans.at(-1)!.labels).toEqual(want.labels);
      }

      t.preview.setThreshold(0.37);
      t.preview.accept();
      const expected = cloneMap(before);
      const changed = acceptInto(expected, proposal, 0.37);
      expect(map, `seed ${seed}`).toEqual(expected);
      expect([t.preview.phase, t.shown.at(-1)]).toEqual(['idle', null]);
      if (changed === 0) {
        expect(t.entries).toEqual([]);
        expect(t.said.at(-1)).toBe(`The ${kind === 'fill' ? 'fill' : 'prediction'} changes nothing.`);
        continue;
      }
      expect(t.said.at(-1)).toBe(`accepted ${changed}`);
      expect(t.entries.length).toBe(1);
      t.session.history.undo();
      expect(map, `seed ${seed}: undone`).toEqual(before);
    }
  });

  it('keeps a minimum confidence per source', async () => {
    const t = setup(randomMap(3));
    t.preview.start('fill');
    t.fill[0]!.resolve({ proposal: randomFill(4), floor: 0 });
    await settle();
    t.preview.setThreshold(0.2);
    t.preview.start('predict');
    expect(t.preview.threshold).toBe(0.5);
    t.predict[0]!.resolve({ proposal: randomPrediction(5), floor: 0 });
    await settle();
    t.preview.setThreshold(0.9);
    t.preview.start('fill');
    expect(t.preview.threshold).toBe(0.2);
  });

  it('a new start cancels the running job, whose late result is ignored', async () => {
    const map = randomMap(6);
    const before = cloneMap(map);
    const t = setup(map);
    t.preview.start('fill');
    t.preview.start('predict');
    expect(t.fill[0]!.cancel).toHaveBeenCalledOnce();
    t.fill[0]!.resolve({ proposal: randomFill(7), floor: 0 });
    await settle();
    expect([t.preview.phase, t.preview.source?.kind]).toEqual(['running', 'predict']);
    t.preview.cancel();
    expect(t.predict[0]!.cancel).toHaveBeenCalledOnce();
    expect([t.preview.phase, t.said]).toEqual(['idle', ['Prediction cancelled.']]);
    expect(map).toEqual(before);
  });

  it('drops a result whose labels changed while it ran, or since it was shown', async () => {
    const map = randomMap(8);
    const before = cloneMap(map);
    const t = setup(map);
    t.preview.start('fill');
    t.session.touch();
    t.fill[0]!.resolve({ proposal: randomFill(9), floor: 0 });
    await settle();
    expect([t.preview.phase, t.said.at(-1)]).toEqual(['idle', 'Fill discarded: the labels changed while it ran.']);

    t.preview.start('fill');
    t.fill[1]!.resolve({ proposal: randomFill(9), floor: 0 });
    await settle();
    expect(t.preview.phase).toBe('preview');
    t.session.touch();
    t.preview.accept();
    expect([t.preview.phase, t.said.at(-1)]).toEqual([
      'idle',
      'Fill discarded: the labels changed since it was shown.',
    ]);
    expect(map).toEqual(before);
    expect(t.shown.at(-1)).toBeNull();
  });

  it('an edit drops a job or a preview with the source’s line, a failure shown silently', async () => {
    const t = setup(randomMap(10));
    t.preview.start('fill');
    t.preview.abandon(true);
    expect(t.fill[0]!.cancel).toHaveBeenCalledOnce();
    expect(t.said).toEqual(['Fill discarded: the labels changed. Press G to fill again.']);

    t.preview.start('predict');
    t.predict[0]!.resolve({ proposal: randomPrediction(11), floor: 0 });
    await settle();
    t.preview.abandon(true);
    expect(t.said.at(-1)).toBe('Prediction discarded: the labels changed. Press M to show it again.');

    t.preview.start('predict');
    t.predict[1]!.reject(new Error('no model'));
    await settle();
    expect([t.preview.phase, t.preview.failure]).toEqual(['failed', 'failed: Error: no model']);
    t.preview.abandon(true);
    expect(t.preview.phase).toBe('idle');
    expect(t.said.length).toBe(2);

    // Moving to another image: dropped without a word.
    t.preview.start('fill');
    t.preview.abandon();
    expect([t.preview.phase, t.said.length]).toEqual(['idle', 2]);
  });

  it('a failure stays in the panel until dismissed, or is said, as the source wants; a refusal is said', async () => {
    const t = setup(randomMap(12));
    t.preview.start('predict');
    t.predict[0]!.reject(new Error('boom'));
    await settle();
    expect(t.preview.phase).toBe('failed');
    t.preview.discard();
    expect([t.preview.phase, t.preview.failure, t.said]).toEqual(['idle', null, []]);

    t.preview.start('fill');
    t.fill[0]!.reject(new Error('worker died'));
    await settle();
    expect([t.preview.phase, t.said]).toEqual(['idle', ['failed: Error: worker died']]);

    t.preview.start('predict');
    t.predict[1]!.reject(new PreviewRefused('Cannot show the prediction: it is 2x2.'));
    await settle();
    expect([t.preview.phase, t.said.at(-1)]).toEqual(['idle', 'Cannot show the prediction: it is 2x2.']);
  });

  it('says why a source cannot start, and starts nothing without an open image', () => {
    const painted = {
      width: W,
      height: H,
      classes: new Uint8Array(W * H),
      provenance: new Uint8Array(W * H).fill(1),
    };
    const t = setup(painted);
    t.preview.start('fill');
    expect([t.preview.phase, t.said, t.fill.length]).toEqual(['idle', ['nothing to do'], 0]);
    t.leave();
    t.preview.start('predict');
    expect([t.preview.phase, t.said.length, t.predict.length]).toEqual(['idle', 1, 0]);
  });
});
