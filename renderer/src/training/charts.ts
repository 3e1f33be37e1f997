/** The series the training charts draw, from live or stored epochs. */
import type { ClassInfo } from '../../../core/ipc/contract';
import type { EpochPoint } from './training.svelte';

export interface Series {
  name: string;
  color: string;
  values: (number | null)[];
  /** x of each value; defaults to the index. */
  x?: number[];
  dashed?: boolean;
}

export const TRAIN_COLOR = '#4c9ffe';
const VAL_COLOR = '#e0a43a';
const MIOU_COLOR = '#3fb37f';

export function epochLossSeries(epochs: EpochPoint[]): Series[] {
  const x = epochs.map((e) => e.epoch + 1);
  const series: Series[] = [{ name: 'train loss', color: TRAIN_COLOR, values: epochs.map((e) => e.trainLoss), x }];
  if (epochs.some((e) => e.valLoss !== null))
    series.push({ name: 'val loss', color: VAL_COLOR, values: epochs.map((e) => e.valLoss), x, dashed: true });
  return series;
}

export function miouSeries(epochs: EpochPoint[]): Series[] {
  return [{ name: 'mIoU', color: MIOU_COLOR, values: epochs.map((e) => e.meanIoU), x: epochs.map((e) => e.epoch + 1) }];
}

/** One line per class, in the class's color; index i is the i-th class in sidebar order. */
export function classIouSeries(epochs: EpochPoint[], classes: ClassInfo[]): Series[] {
  const x = epochs.map((e) => e.epoch + 1);
  const count = Math.max(0, ...epochs.map((e) => e.iou.length));
  return Array.from({ length: count }, (_, i) => ({
    name: classes[i]?.name ?? `class ${i + 1}`,
    color: classes[i]?.color ?? '#888888',
    values: epochs.map((e) => e.iou[i] ?? null),
    x,
  }));
}

/** A "nice" number near `x` (1, 2 or 5 times a power of ten): rounded, or the next one up (Heckbert). */
function niceNumber(x: number, round: boolean): number {
  const exp = Math.floor(Math.log10(x));
  const f = x / 10 ** exp;
  const nice = round ? (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) : f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nice * 10 ** exp;
}

export interface Axis {
  min: number;
  max: number;
  /** Tick values from min to max, `step` apart. */
  ticks: number[];
  /** Decimals that show every tick exactly. */
  decimals: number;
}

/**
 * A y axis around the data [lo, hi]: about `count` ticks on nice steps (Heckbert's "nice numbers for
 * graph labels"), within `clamp` (mIoU and IoU: 0..1), so low values are not drawn flat on a fixed range.
 */
export function niceAxis(lo: number, hi: number, clamp?: readonly [number, number], count = 4): Axis {
  if (hi - lo < 1e-9) {
    const pad = Math.abs(lo) * 0.1 || 0.05;
    [lo, hi] = [lo - pad, hi + pad];
  }
  const step = niceNumber(niceNumber(hi - lo, false) / (count - 1), true);
  const decimals = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
  // Multiples of the step, without the float noise of 3 * 0.05.
  const at = (k: number) => Number((k * step).toFixed(decimals + 2));
  let [first, last] = [Math.floor(lo / step + 1e-9), Math.ceil(hi / step - 1e-9)];
  if (clamp)
    [first, last] = [
      Math.max(first, Math.ceil(clamp[0] / step - 1e-9)),
      Math.min(last, Math.floor(clamp[1] / step + 1e-9)),
    ];
  const ticks = Array.from({ length: last - first + 1 }, (_, i) => at(first + i));
  return { min: at(first), max: at(last), ticks, decimals };
}

/** What uPlot draws: one ascending x array and, per series, its value at each x (null where it has none). */
export function alignSeries(series: Series[]): [number[], ...(number | null)[][]] {
  const xsOf = (s: Series) => s.x ?? s.values.map((_, i) => i);
  // The usual case: every series on the same x (the epochs), copied once out of Svelte's proxies.
  const first = series[0] ? xsOf(series[0]) : [];
  const same = (xs: number[]) => xs === first || (xs.length === first.length && xs.every((x, i) => x === first[i]));
  if (series.every((s) => same(xsOf(s)))) return [first.slice(), ...series.map((s) => s.values.map(finite))];
  const x = [...new Set(series.flatMap(xsOf))].sort((a, b) => a - b);
  const at = new Map(x.map((v, i) => [v, i]));
  return [
    x,
    ...series.map((s) => {
      const ys = new Array<number | null>(x.length).fill(null);
      xsOf(s).forEach((v, i) => (ys[at.get(v)!] = finite(s.values[i] ?? null)));
      return ys;
    }),
  ];
}

const finite = (v: number | null): number | null => (v !== null && Number.isFinite(v) ? v : null);

/** Smallest and largest finite value over all series, null when there is none. */
export function valueRange(ys: (number | null)[][]): [number, number] | null {
  let [lo, hi] = [Infinity, -Infinity];
  for (const s of ys)
    for (const v of s)
      if (v !== null) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
  return lo <= hi ? [lo, hi] : null;
}

/** Each series' last value and range in words: what a screen reader says for the canvas. */
export function chartSummary(series: Series[], data: [number[], ...(number | null)[][]], xLabel: string): string {
  const x = data[0];
  if (x.length === 0) return 'No data yet';
  const parts = series.map((s, i) => {
    const ys = data[i + 1]!;
    let last = ys.length - 1;
    while (last >= 0 && ys[last] === null) last--;
    const range = valueRange([ys]);
    if (last < 0 || !range) return `${s.name}: no values`;
    return `${s.name} ${fmt(ys[last]!)} at ${xLabel} ${x[last]}, between ${fmt(range[0])} and ${fmt(range[1])}`;
  });
  return `${xLabel} ${x[0]} to ${x[x.length - 1]}; ${parts.join('; ')}`;
}

/** A value as the read-out shows it: three significant digits. */
export const fmt = (v: number): string => (Math.abs(v) >= 1000 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());
