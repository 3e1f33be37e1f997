/**
 * Milliseconds per training step (median of --steps timed steps after 3 warm-up steps, on both sides)
 * of the U-Net (`trainer/model.ts`) on the best backend here, on the cpu
 * backend, and in PyTorch on the CPU (`step_torch.py`: same architecture, input size, batch, loss,
 * optimizer and thread count), printed with their ratios from one run.
 *
 * Run: node scripts/run-ts.mjs bench/train/step.bench.ts [--size 128] [--batch 4] [--base 16] [--depth 3]
 *      [--steps 9] [--threads N] [--skip-cpu] [--cpu-full]
 * The cpu backend needs minutes per step at the default size (465 s measured here): by default it is
 * timed on batch 1 at a quarter of the size and scaled by batch * 16 (its cost is linear in pixels: 5.8 s
 * at 32x32 and 23.4 s at 64x64 for batch 1), which the output says; --cpu-full times it at full size.
 * PyTorch is Debian's python3-torch (`apt-get install -y python3-torch`); without it that line is skipped.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultThreads, initBackend } from '../../trainer/backend';
import type { BackendChoice } from '../../trainer/backend';
import { buildUNet } from '../../trainer/model';
import { trainStep } from '../../trainer/train-step';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const cfg = {
  batch: arg('batch', 4),
  size: arg('size', 128),
  base: arg('base', 16),
  depth: arg('depth', 3),
  classes: 12,
  threads: arg('threads', defaultThreads()),
  steps: arg('steps', 9),
  warmup: 3,
};

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function tfjsStep(
  backend: BackendChoice,
  steps: number,
  warmup: number,
  batch = cfg.batch,
  size = cfg.size,
): Promise<{ ms: number; detail: string }> {
  const report = await initBackend({ backend, threads: cfg.threads });
  const model = buildUNet({ numClasses: cfg.classes, baseFilters: cfg.base, depth: cfg.depth });
  const optimizer = tf.train.adam(1e-3);
  const { classes } = cfg;
  const images = tf.randomUniform([batch, size, size, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
  const labelData = new Int32Array(batch * size * size);
  for (let i = 0; i < labelData.length; i++) {
    const row = Math.floor(i / size) % size;
    labelData[i] = row < size / 4 ? 255 : (i * 7919) % classes;
  }
  const labels = tf.tensor3d(labelData, [batch, size, size], 'int32');
  const weights = Array.from({ length: classes }, (_, c) => 0.5 + c / classes);
  for (let i = 0; i < warmup; i++) await trainStep(model, optimizer, { images, labels }, weights);
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const r = await trainStep(model, optimizer, { images, labels }, weights);
    times.push(performance.now() - t0);
    if (!r.applied) throw new Error(`non-finite loss ${r.loss}`);
  }
  const ms = median(times);
  tf.dispose([images, labels]);
  model.dispose();
  optimizer.dispose();
  return { ms, detail: `${report.name} (${report.detail})` };
}

function torchStep(): { ms: number; detail: string } | { skipped: string } {
  const script = join(__dirname, 'step_torch.py');
  const bench = existsSync(script) ? script : join(process.cwd(), 'bench', 'train', 'step_torch.py');
  for (const py of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status !== 0) continue;
    const r = spawnSync(py, [bench, JSON.stringify(cfg)], {
      encoding: 'utf8',
      env: {
        ...process.env,
        OMP_NUM_THREADS: String(cfg.threads),
        // Spinning OpenMP workers collapse (10x slower) when another process shares the cores; passive
        // waiting costs nothing measurable on an idle machine.
        OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'PASSIVE',
      },
    });
    if (r.status !== 0) return { skipped: `PyTorch reference failed: ${r.stderr.trim().split('\n').pop()}` };
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      ms_per_step: number;
      torch: string;
      threads: number;
    };
    return { ms: out.ms_per_step, detail: `PyTorch ${out.torch} (${py}), ${out.threads} threads` };
  }
  return { skipped: 'PyTorch not found (apt-get install -y python3-torch): no reference' };
}

async function main(): Promise<void> {
  tf.env().set('PROD', true);
  console.log(
    `U-Net training step: batch ${cfg.batch}, ${cfg.size}x${cfg.size}x3, base ${cfg.base}, depth ${cfg.depth}, ` +
      `${cfg.classes} classes, Adam, weighted CE (sumPerImageMeanOverBatch), ${cfg.threads} threads`,
  );
  const best = await tfjsStep('auto', cfg.steps, cfg.warmup);
  console.log(`best backend  ${best.ms.toFixed(1).padStart(9)} ms/step  ${best.detail}`);
  const torch = torchStep();
  if ('ms' in torch) console.log(`pytorch       ${torch.ms.toFixed(1).padStart(9)} ms/step  ${torch.detail}`);
  else console.log(`pytorch       skipped: ${torch.skipped}`);
  let cpu: { ms: number; detail: string } | null = null;
  if (!process.argv.includes('--skip-cpu')) {
    const full = process.argv.includes('--cpu-full');
    const scale = full ? 1 : cfg.batch * 16;
    const small = full ? await tfjsStep('cpu', 1, 1) : await tfjsStep('cpu', 1, 1, 1, cfg.size / 4);
    cpu = { ms: small.ms * scale, detail: small.detail };
    const how = full ? '' : ` (estimated: batch 1 at ${cfg.size / 4}x${cfg.size / 4}, times ${scale})`;
    console.log(`cpu backend   ${cpu.ms.toFixed(1).padStart(9)} ms/step  ${cpu.detail}${how}`);
  }
  if ('ms' in torch) console.log(`ratio best/pytorch: ${(best.ms / torch.ms).toFixed(2)}x (goal <= 2)`);
  if (cpu && 'ms' in torch) console.log(`ratio cpu/pytorch:  ${(cpu.ms / torch.ms).toFixed(1)}x`);
  if (cpu) console.log(`ratio cpu/best:     ${(cpu.ms / best.ms).toFixed(1)}x`);
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
