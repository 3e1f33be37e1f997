/**
 * Milliseconds per training step of the U-Net (`trainer/model.ts`) on the best backend here, on
 * webgpu (whatever adapter there is: a software one, lavapipe, is marked as such and means nothing for
 * speed), on the cpu backend, and in every PyTorch found (`step_torch.py`: same architecture, input
 * size, batch, loss, optimizer and thread count), printed with their ratios from one run.
 * Median of --steps timed steps after 3 warm-up steps (webgpu: --webgpu-steps after 1; its queued
 * line reads the loss every 8 steps, as the training loop does on a GPU).
 *
 * Run: node scripts/run-ts.mjs bench/train/step.bench.ts [--size 128] [--batch 4] [--base 16] [--depth 3]
 *      [--steps 9] [--threads N] [--skip-cpu] [--cpu-full] [--skip-webgpu] [--webgpu-steps 2]
 *      [--python PATH]...
 * The cpu backend needs minutes per step at the default size (465 s measured here): by default it is
 * timed on batch 1 at a quarter of the size and scaled by batch * 16 (its cost is linear in pixels: 5.8 s
 * at 32x32 and 23.4 s at 64x64 for batch 1), which the output says; --cpu-full times it at full size.
 * PyTorch: Debian's python3-torch (`/usr/bin/python3`; `apt-get install -y python3-torch`) and each
 * `--python PATH` (a current PyTorch in a virtual environment, say); one without torch is reported.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultThreads } from '../../trainer/backend';
import { timeTfjsSteps, torchSteps, type StepConfig } from './harness';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const cfg: StepConfig = {
  batch: arg('batch', 4),
  size: arg('size', 128),
  base: arg('base', 16),
  depth: arg('depth', 3),
  classes: 12,
  threads: arg('threads', defaultThreads()),
  steps: arg('steps', 9),
  warmup: 3,
};

const pythons = [
  '/usr/bin/python3',
  ...process.argv.flatMap((a, i) => (a === '--python' ? [process.argv[i + 1]!] : [])),
];
const script = [join(__dirname, 'step_torch.py'), join(process.cwd(), 'bench', 'train', 'step_torch.py')].find(
  existsSync,
)!;
const line = (name: string, ms: number, detail: string) =>
  console.log(`${name.padEnd(17)}${ms.toFixed(1).padStart(9)} ms/step  ${detail}`);

async function main(): Promise<void> {
  tf.env().set('PROD', true);
  console.log(
    `U-Net training step: batch ${cfg.batch}, ${cfg.size}x${cfg.size}x3, base ${cfg.base}, depth ${cfg.depth}, ` +
      `${cfg.classes} classes, Adam, weighted CE (sumPerImageMeanOverBatch), ${cfg.threads} threads`,
  );
  const best = await timeTfjsSteps('auto', cfg);
  line('best backend', best.ms, best.detail);
  const refs: { name: string; ms: number }[] = [];
  for (const py of pythons) {
    const t = torchSteps(py, script, cfg);
    if ('ms' in t) {
      line(`pytorch ${t.version.split('+')[0]}`, t.ms, t.detail);
      refs.push({ name: `pytorch ${t.version}`, ms: t.ms });
    } else console.log(`pytorch          skipped: ${t.skipped}`);
  }
  if (!refs.length) console.log('                 (no PyTorch: apt-get install -y python3-torch, or --python PATH)');
  let gpu: { ms: number; queuedMs: number | null } | null = null;
  if (!process.argv.includes('--skip-webgpu') && best.report.name !== 'webgpu') {
    try {
      const n = arg('webgpu-steps', 2);
      const w = await timeTfjsSteps('webgpu', cfg, { steps: n, warmup: 1, queue: 8 });
      const software = w.report.adapter?.software ? ' [SOFTWARE ADAPTER: its speed means nothing]' : '';
      line('webgpu', w.ms, `${w.detail}${software}`);
      if (w.queuedMs !== null) line('webgpu queued', w.queuedMs, `loss read once per ${Math.min(8, n)} steps`);
      gpu = w;
    } catch (e) {
      console.log(`webgpu           skipped: ${(e as Error).message.split('\n')[0]}`);
    }
  } else if (best.report.name === 'webgpu') gpu = best;
  let cpu: { ms: number; detail: string } | null = null;
  if (!process.argv.includes('--skip-cpu')) {
    const full = process.argv.includes('--cpu-full');
    const scale = full ? 1 : cfg.batch * 16;
    const small = full
      ? await timeTfjsSteps('cpu', cfg, { steps: 1, warmup: 1 })
      : await timeTfjsSteps('cpu', cfg, { steps: 1, warmup: 1, batch: 1, size: cfg.size / 4 });
    cpu = { ms: small.ms * scale, detail: small.detail };
    const how = full ? '' : ` (estimated: batch 1 at ${cfg.size / 4}x${cfg.size / 4}, times ${scale})`;
    line('cpu backend', cpu.ms, `${cpu.detail}${how}`);
  }
  for (const r of refs) {
    console.log(`ratio best/${r.name}: ${(best.ms / r.ms).toFixed(2)}x (goal <= 2)`);
    if (gpu && gpu !== best) console.log(`ratio webgpu/${r.name}: ${(gpu.ms / r.ms).toFixed(2)}x`);
    if (cpu) console.log(`ratio cpu/${r.name}: ${(cpu.ms / r.ms).toFixed(1)}x`);
  }
  if (cpu) console.log(`ratio cpu/best: ${(cpu.ms / best.ms).toFixed(1)}x`);
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
