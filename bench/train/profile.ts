/**
 * Where a U-Net training step spends its time, per kernel (with --shapes: per kernel and input shapes),
 * printed per step.
 *
 * wasm (default): every registered wasm kernel is wrapped with a timer (wasm kernels run synchronously,
 * so wall time per call is the kernel's time; kernels called from inside another kernel count towards
 * the outer one). `--stack NAME` prints where the first calls of kernel NAME come from.
 *
 * webgpu (`--backend webgpu`): `tf.profile` around the steps; tfjs-backend-webgpu then runs each GPU
 * program in a compute pass of its own with timestamp queries (Dawn's `timestamp-query` feature), so a
 * kernel's time is the GPU's time for its programs (also listed by program with --programs). Profiling
 * serialises the GPU, so the step is also timed without it: the difference between that wall time and
 * the kernels' sum is dispatch and JavaScript overhead. Without timestamp queries the kernel times read 0
 * and only the call counts mean something. The step is profiled twice in one run: with tfjs's own
 * kernels (the reference) and with the project's (`trainer/webgpu-kernels.ts`), and the ratios printed.
 *
 * Run: node scripts/run-ts.mjs bench/train/profile.ts [--backend wasm|webgpu] [--size 128] [--batch 4]
 *      [--steps 3] [--shapes] [--programs] [--stack Identity]
 */
import * as tf from '@tensorflow/tfjs';
import { defaultThreads, initBackend } from '../../trainer/backend';
import { buildUNet } from '../../trainer/model';
import { readQueuedLosses, trainStep, trainStepQueued } from '../../trainer/train-step';
import { setWebGpuKernelsEnabled } from '../../trainer/webgpu-kernels';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const batch = arg('batch', 4);
const size = arg('size', 128);
const steps = arg('steps', 3);
const byShape = process.argv.includes('--shapes');
const stackOf = process.argv.includes('--stack') ? process.argv[process.argv.indexOf('--stack') + 1] : undefined;
const backend = process.argv.includes('--backend') ? process.argv[process.argv.indexOf('--backend') + 1] : 'wasm';

function benchInputs() {
  const model = buildUNet({ numClasses: 12, baseFilters: 16, depth: 3 });
  const optimizer = tf.train.adam(1e-3);
  const images = tf.randomUniform([batch, size, size, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
  const labels = tf.tensor3d(
    Int32Array.from({ length: batch * size * size }, (_, i) => (i * 7919) % 12),
    [batch, size, size],
    'int32',
  );
  const weights = Array.from({ length: 12 }, (_, c) => 0.5 + c / 12);
  return [model, optimizer, { images, labels }, weights, undefined, { checkLabels: false }] as const;
}

function printRows(totals: Map<string, { ms: number; calls: number }>, limit: number): void {
  const rows = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms || b[1].calls - a[1].calls);
  for (const [k, v] of rows.slice(0, limit)) {
    console.log(`${(v.ms / steps).toFixed(2).padStart(9)} ms ${String(v.calls / steps).padStart(5)}x  ${k}`);
  }
}

/** Profiles the step on webgpu; `stock`: with tfjs's own kernels instead of the project's. */
async function profileWebGpu(
  stock: boolean,
): Promise<{ wall: number; kernels: Map<string, { ms: number; calls: number }> }> {
  const report = await initBackend({ backend: 'webgpu' });
  setWebGpuKernelsEnabled(!stock);
  console.log(
    stock ? "\n--- tfjs's own kernels (reference)" : "\n--- the project's webgpu kernels (trainer/webgpu-kernels.ts)",
  );
  const args = benchInputs();
  // Warm-up (shader compilation), then the step timed as the training loop runs it: losses read at the end.
  await readQueuedLosses([trainStepQueued(...args), trainStepQueued(...args)]);
  let t0 = performance.now();
  await readQueuedLosses(Array.from({ length: steps }, () => trainStepQueued(...args)));
  const wall = (performance.now() - t0) / steps;
  t0 = performance.now();
  const info = await tf.profile(async () => {
    await readQueuedLosses(Array.from({ length: steps }, () => trainStepQueued(...args)));
  });
  const profiled = (performance.now() - t0) / steps;
  const byKernel = new Map<string, { ms: number; calls: number }>();
  const byProgram = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const key = byShape ? `${k.name} ${k.inputShapes.map((s) => `[${s?.join(',') ?? ''}]`).join(' ')}` : k.name;
    const e = byKernel.get(key) ?? { ms: 0, calls: 0 };
    e.ms += k.kernelTimeMs as number;
    e.calls++;
    byKernel.set(key, e);
    // extraInfo: "Conv2DMMProgram: 0.41, TransposeSharedProgram: 0.02" (one entry per GPU program run)
    for (const part of String(k.extraInfo ?? '').split(', ')) {
      const m = /^(\w+): ([\d.e+-]+)$/.exec(part);
      if (!m) continue;
      const p = byProgram.get(m[1]!) ?? { ms: 0, calls: 0 };
      p.ms += Number(m[2]);
      p.calls++;
      byProgram.set(m[1]!, p);
    }
  }
  const inKernels = [...byKernel.values()].reduce((s, v) => s + v.ms, 0) / steps;
  console.log(`${report.detail}`);
  console.log(
    `step ${wall.toFixed(1)} ms (losses read once per ${steps} steps), ${profiled.toFixed(1)} ms while profiling; ` +
      `GPU time in kernels ${inKernels.toFixed(1)} ms (${((100 * inKernels) / wall).toFixed(0)}% of the step)` +
      (inKernels === 0 ? ' [no timestamp queries on this adapter: kernel times read 0]' : ''),
  );
  printRows(byKernel, byShape ? 60 : 40);
  if (process.argv.includes('--programs')) {
    console.log('by GPU program:');
    printRows(byProgram, 40);
  }
  tf.dispose([args[2].images, args[2].labels]);
  args[0].dispose();
  args[1].dispose();
  return { wall, kernels: byKernel };
}

async function compareWebGpu(): Promise<void> {
  const stock = await profileWebGpu(true);
  const mine = await profileWebGpu(false);
  const f = (r: typeof stock) => r.kernels.get('Conv2DBackpropFilter')?.ms ?? 0;
  console.log(
    `\nratio tfjs/project: step ${(stock.wall / mine.wall).toFixed(2)}x, ` +
      `Conv2DBackpropFilter GPU time ${(f(stock) / Math.max(f(mine), 1e-9)).toFixed(2)}x`,
  );
}

async function main(): Promise<void> {
  tf.env().set('PROD', true);
  if (backend === 'webgpu') return compareWebGpu();
  if (backend !== 'wasm') throw new Error(`--backend wasm or webgpu, not ${backend}`);
  await initBackend({ backend: 'wasm', threads: arg('threads', defaultThreads()) });
  const totals = new Map<string, { ms: number; calls: number }>();
  let depth = 0;
  let measuring = false;
  let stacks = 0;
  Error.stackTraceLimit = 40;
  for (const k of tf.getKernelsForBackend('wasm')) {
    const inner = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        const shapes = Object.values(args.inputs)
          .map((t) => `[${t?.shape.join(',') ?? ''}]`)
          .join(' ');
        if (measuring && depth === 0 && k.kernelName === stackOf && stacks++ < 20) {
          const frames = (new Error().stack ?? '').split('\n').filter((l) => !l.includes('tfjs-core/src/engine'));
          console.log(`${k.kernelName} ${shapes}\n  ${frames.slice(2, 14).join('\n  ')}`);
        }
        depth++;
        const t0 = performance.now();
        try {
          return inner(args);
        } finally {
          depth--;
          if (depth === 0 && measuring) {
            const key = byShape ? `${k.kernelName} ${shapes}` : k.kernelName;
            const e = totals.get(key) ?? { ms: 0, calls: 0 };
            e.ms += performance.now() - t0;
            e.calls++;
            totals.set(key, e);
          }
        }
      },
    });
  }
  const args = benchInputs();
  for (let i = 0; i < 2; i++) await trainStep(...args);
  measuring = true;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await trainStep(...args);
  const wall = (performance.now() - t0) / steps;
  const inKernels = [...totals.values()].reduce((s, v) => s + v.ms, 0) / steps;
  console.log(`step ${wall.toFixed(1)} ms, in kernels ${inKernels.toFixed(1)} ms`);
  printRows(totals, byShape ? 60 : 40);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
