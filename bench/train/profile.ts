/**
 * Where a U-Net training step spends its time on the wasm backend: every registered wasm kernel is
 * wrapped with a timer (wasm kernels run synchronously, so wall time per call is the kernel's time;
 * kernels called from inside another kernel count towards the outer one), and the totals per kernel
 * (with --shapes: per kernel and input shapes) are printed per step. `--stack NAME` prints where the
 * first calls of kernel NAME come from.
 *
 * Run: node scripts/run-ts.mjs bench/train/profile.ts [--size 128] [--batch 4] [--steps 3] [--shapes]
 *      [--stack Identity]
 */
import * as tf from '@tensorflow/tfjs';
import { defaultThreads, initBackend } from '../../trainer/backend';
import { buildUNet } from '../../trainer/model';
import { trainStep } from '../../trainer/train-step';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const batch = arg('batch', 4);
const size = arg('size', 128);
const steps = arg('steps', 3);
const byShape = process.argv.includes('--shapes');
const stackOf = process.argv.includes('--stack') ? process.argv[process.argv.indexOf('--stack') + 1] : undefined;

async function main(): Promise<void> {
  tf.env().set('PROD', true);
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
  const model = buildUNet({ numClasses: 12, baseFilters: 16, depth: 3 });
  const optimizer = tf.train.adam(1e-3);
  const images = tf.randomUniform([batch, size, size, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
  const labels = tf.tensor3d(
    Int32Array.from({ length: batch * size * size }, (_, i) => (i * 7919) % 12),
    [batch, size, size],
    'int32',
  );
  const weights = Array.from({ length: 12 }, (_, c) => 0.5 + c / 12);
  for (let i = 0; i < 2; i++) await trainStep(model, optimizer, { images, labels }, weights);
  measuring = true;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await trainStep(model, optimizer, { images, labels }, weights);
  const wall = (performance.now() - t0) / steps;
  const rows = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const inKernels = rows.reduce((s, [, v]) => s + v.ms, 0) / steps;
  console.log(`step ${wall.toFixed(1)} ms, in kernels ${inKernels.toFixed(1)} ms`);
  for (const [k, v] of rows.slice(0, byShape ? 60 : 40)) {
    console.log(`${(v.ms / steps).toFixed(2).padStart(9)} ms ${String(v.calls / steps).padStart(5)}x  ${k}`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
