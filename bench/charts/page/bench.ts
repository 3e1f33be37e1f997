// In the page: the same 10,000 step losses drawn by our SVG LineChart and by a bare uPlot chart, then
// live appends one step at a time. Each figure is the time until the next frame has been produced.
import { flushSync, mount } from 'svelte';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import LineChart from '../../../renderer/src/training/LineChart.svelte';
import SvgLineChart from './SvgLineChart.svelte';
import { liveRun, rawRun } from './live.svelte';

/** A training loss: decaying with noise, deterministic. */
function losses(n: number): number[] {
  let s = 7;
  const rand = () => (s = (s * 16807) % 2147483647) / 2147483647;
  return Array.from({ length: n }, (_, i) => 2 * Math.exp(-i / 2000) + 0.05 + 0.1 * rand());
}

/** Resolves after the next frame has been rendered (rAF runs before paint, the task after it). */
const nextFrame = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));

async function time(update: () => void): Promise<number> {
  const t0 = performance.now();
  update();
  await nextFrame();
  return performance.now() - t0;
}

/** A chart component with LineChart's props, fed as LiveRun.svelte feeds it. */
async function component(
  chart: typeof LineChart | typeof SvgLineChart,
  n: number,
  appends: number,
  raw = false,
): Promise<{ first: number; append: number[] }> {
  const data = losses(n + appends);
  const run = raw ? rawRun() : liveRun();
  const target = document.getElementById('ours')!;
  const first = await time(() => {
    run.stepLoss = data.slice(0, n);
    mount(chart, {
      target,
      props: {
        title: 'Loss per step',
        xLabel: 'step',
        height: 130,
        get series() {
          return run.series;
        },
      },
    });
    flushSync();
  });
  const append: number[] = [];
  for (let i = 0; i < appends; i++)
    append.push(
      await time(() => {
        if (raw) run.stepLoss = [...run.stepLoss, data[n + i]!];
        else run.stepLoss.push(data[n + i]!);
        flushSync();
      }),
    );
  return { first, append };
}

async function uplot(n: number, appends: number): Promise<{ first: number; append: number[] }> {
  const data = losses(n + appends);
  const xs: number[] = [];
  const ys: number[] = [];
  let chart: uPlot | null = null;
  const target = document.getElementById('uplot')!;
  const first = await time(() => {
    for (let i = 0; i < n; i++) [xs[i], ys[i]] = [i + 1, data[i]!];
    chart = new uPlot(
      {
        width: 456,
        height: 130,
        title: 'Loss per step',
        scales: { x: { time: false } },
        series: [{ label: 'step' }, { label: 'train loss', stroke: '#4c9ffe', width: 1.8 }],
      },
      [xs, ys],
      target,
    );
  });
  const append: number[] = [];
  for (let i = 0; i < appends; i++)
    append.push(
      await time(() => {
        xs.push(n + i + 1);
        ys.push(data[n + i]!);
        chart!.setData([xs, ys]);
      }),
    );
  return { first, append };
}

declare global {
  interface Window {
    bench: Record<string, (n: number, appends: number) => Promise<{ first: number; append: number[] }>>;
  }
}
window.bench = {
  // The app before issue 24 item 6: the SVG chart over the deep $state array.
  before: (n, a) => component(SvgLineChart, n, a),
  svg: (n, a) => component(SvgLineChart, n, a, true),
  // The app now: LineChart on uPlot over the raw array that each flush replaces (training.svelte.ts).
  now: (n, a) => component(LineChart, n, a, true),
  uplot,
};
