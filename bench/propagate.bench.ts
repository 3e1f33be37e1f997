/**
 * Label-propagation benchmark on the shared CamVid scribbles (see /work/shared/bench/ANCHORS.md).
 *
 *   node scripts/run-ts.mjs bench/propagate.bench.ts [--limit N] [--every N] [--x4] [--json]
 *        [--beta B] [--prior W] [--tol T] [--maxiter N] [--levels 10] [--coarsest PIX] [--sigma S] [--bins N] [--work PIX]
 *        [--app POWER] [--appbins N] [--tiles N] [--gmix W] [--floor C]
 *
 * Runs the default random walker and the "nearest labeled pixel" floor in the same process, one thread;
 * PNG decoding is done before timing. Metrics: one confusion matrix over the set, classes 0-10, void (11)
 * ignored; "unscr" counts only pixels that were not scribbled.
 */
import { performance } from 'node:perf_hooks';
import { propagateWithTuning, type RandomWalkerTuning } from '../core/propagation';
import type { PropagationMethod } from '../core/propagation';
import { accumulateConfusion, emptyConfusion, segmentationMetrics, type ConfusionMatrix } from '../core/metrics';
import { loadCases, type BenchCase } from './propagation/data';

const NUM_CLASSES = 11;
const VOID = 11;
const CLASS_NAMES = [
  'sky',
  'building',
  'pole',
  'road',
  'pavement',
  'tree',
  'sign',
  'fence',
  'car',
  'pedestrian',
  'cyclist',
];

/** Anchors' figures from ANCHORS.md (same inputs): [PixAcc unscr, mAcc unscr, mIoU unscr, mIoU all, median s]. */
const ANCHORS_1X: [string, number, number, number, number, number][] = [
  ['skimage random_walker cg_mg beta 2000', 77.1, 73.5, 49.1, 50.4, 4.53],
  ['random_walker cg_j beta 2000 (every 4th)', 77.4, 72.1, 50.0, 51.3, 8.94],
  ['sklearn LabelSpreading on 2400 SLIC', 73.4, 68.0, 45.1, 46.4, 0.3],
  ['random_walker cg_mg beta 130', 71.1, 68.7, 42.0, 43.3, 2.31],
  ['nearest labeled pixel (anchor run)', 61.6, 63.0, 34.6, 35.7, 0.006],
];
const ANCHORS_4X: [string, number, number][] = [
  ['nearest labeled pixel', 34.5, 0.17],
  ['LabelSpreading on superpixels', 46.5, 5.7],
  ['random_walker cg_mg beta 130', 39.5, 34],
  ['random_walker cg_mg beta 2000 (9 images)', 42.5, 50],
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

interface RunResult {
  label: string;
  unscr: ConfusionMatrix;
  all: ConfusionMatrix;
  ms: number[];
  notConverged: number;
  iterations: number[];
}

function run(
  cases: BenchCase[],
  label: string,
  method: PropagationMethod,
  tuning: Partial<RandomWalkerTuning>,
): RunResult {
  const unscr = emptyConfusion(NUM_CLASSES);
  const all = emptyConfusion(NUM_CLASSES);
  const ms: number[] = [];
  const iterations: number[] = [];
  let notConverged = 0;
  for (const c of cases) {
    const t0 = performance.now();
    const res = propagateWithTuning(c.image, c.scribbles, { method }, tuning);
    ms.push(performance.now() - t0);
    iterations.push(res.iterations);
    if (!res.converged) notConverged++;
    const mask = new Uint8Array(c.scribbles.length);
    for (let i = 0; i < mask.length; i++) mask[i] = c.scribbles[i] === 255 ? 1 : 0;
    accumulateConfusion(unscr, res.labels, c.gt, VOID, mask);
    accumulateConfusion(all, res.labels, c.gt, VOID);
  }
  return { label, unscr, all, ms, notConverged, iterations };
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const pct = (v: number): string => (100 * v).toFixed(1);

function main(): void {
  const x4 = flag('x4');
  const limit = arg('limit') ? Number(arg('limit')) : Infinity;
  const every = arg('every') ? Number(arg('every')) : 1;
  const tuning: Partial<RandomWalkerTuning> = {};
  const num = (k: string): number | undefined => (arg(k) !== undefined ? Number(arg(k)) : undefined);
  const set = <K extends keyof RandomWalkerTuning>(key: K, v: RandomWalkerTuning[K] | undefined): void => {
    if (v !== undefined) (tuning as Record<string, unknown>)[key] = v;
  };
  set('beta', num('beta'));
  set('priorWeight', num('prior'));
  set('coarsestPixels', num('coarsest'));
  set('upsampleSigma', num('sigma'));
  set('priorBins', num('bins'));
  set('maxWorkingPixels', num('work'));
  set('tol', num('tol'));
  set('maxIter', num('maxiter'));
  set('appearancePower', num('app'));
  set('appearanceBins', num('appbins'));
  set('appearanceTiles', num('tiles'));
  set('appearanceGlobalMix', num('gmix'));
  set('appearanceFloor', num('floor'));
  if (arg('levels')) set('levelIters', arg('levels')!.split(',').map(Number));

  const t0 = performance.now();
  const cases = loadCases(x4, limit, every);
  const loadS = (performance.now() - t0) / 1000;
  const { width, height } = cases[0]!.image;
  console.log(
    `${cases.length} images at ${width}x${height}${x4 ? ' (x4 set)' : ''}, loaded in ${loadS.toFixed(1)} s; ` +
      `tuning ${JSON.stringify(tuning)}`,
  );
  // Warm-up (JIT) on one image, not timed.
  propagateWithTuning(cases[0]!.image, cases[0]!.scribbles, {}, tuning);

  const nearest = run(cases, 'nearest labeled pixel (this run)', 'nearest', {});
  const walker = run(cases, 'maskwright random walker (this run)', 'random-walker', tuning);
  const nearestMs = median(nearest.ms);

  const rows = [walker, nearest].map((r) => {
    const u = segmentationMetrics(r.unscr);
    const a = segmentationMetrics(r.all);
    return { r, u, a, med: median(r.ms) };
  });
  console.log('');
  console.log('| method | PixAcc unscr | mAcc unscr | mIoU unscr | mIoU all | median ms | max ms | x nearest |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const { r, u, a, med } of rows) {
    console.log(
      `| ${r.label} | ${pct(u.pixelAccuracy)} | ${pct(u.meanClassAccuracy)} | ${pct(u.meanIoU)} | ${pct(a.meanIoU)} | ` +
        `${med.toFixed(1)} | ${Math.max(...r.ms).toFixed(1)} | ${(med / nearestMs).toFixed(1)} |`,
    );
  }
  if (!x4) {
    for (const [name, pa, ma, mi, mia, s] of ANCHORS_1X) {
      console.log(`| anchor: ${name} | ${pa} | ${ma} | ${mi} | ${mia} | ${(s * 1000).toFixed(0)} | - | - |`);
    }
  } else {
    for (const [name, mi, s] of ANCHORS_4X) {
      console.log(`| anchor: ${name} | - | - | ${mi} | - | ${(s * 1000).toFixed(0)} | - | - |`);
    }
  }
  const w = rows[0]!;
  console.log('');
  console.log(
    `walker: median ${w.med.toFixed(1)} ms = ${(w.med / nearestMs).toFixed(1)}x nearest, ` +
      `${((w.med / 1000 / (x4 ? 50 : 4.53)) * 100).toFixed(1)} % of the anchor random walker (cg_mg beta 2000); ` +
      `not converged ${w.r.notConverged}/${cases.length}, median CG iterations ${median(w.r.iterations)}`,
  );
  console.log(
    'IoU per class (unscr): ' + w.u.iou.map((v, i) => `${CLASS_NAMES[i]} ${v === null ? '-' : pct(v)}`).join(', '),
  );
  if (flag('json')) {
    console.log(
      JSON.stringify({
        images: cases.length,
        x4,
        walker: { unscr: w.u, all: w.a, medianMs: w.med },
        nearest: { unscr: rows[1]!.u, all: rows[1]!.a, medianMs: rows[1]!.med },
      }),
    );
  }
}

main();
