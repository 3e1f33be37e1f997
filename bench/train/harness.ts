/**
 * Timing one U-Net training step, shared by `step.bench.ts` (this machine) and `bench/gpu/` (the GPU
 * machine): TensorFlow.js on a chosen backend, and the PyTorch reference (`step_torch.py`: the same
 * architecture, input, batch, loss and optimizer) under any Python that has torch, on the CPU or CUDA.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { initBackend, type BackendChoice, type BackendReport } from '../../trainer/backend';
import { buildUNet } from '../../trainer/model';
import { readQueuedLosses, trainStep, trainStepQueued, type QueuedLoss } from '../../trainer/train-step';

export interface StepConfig {
  batch: number;
  size: number;
  base: number;
  depth: number;
  classes: number;
  threads: number;
  steps: number;
  warmup: number;
}

export interface StepTiming {
  /** Median ms of a step that reads its loss (as PyTorch's `loss.item()` does). */
  ms: number;
  /** Mean ms per step when the loss is read every `queue` steps (the training loop on a GPU); null if not timed. */
  queuedMs: number | null;
  detail: string;
  report: BackendReport;
}

export function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The bench's fixed batch: random images, labels with the top quarter unlabeled, graded class weights. */
function benchBatch(cfg: StepConfig, batch: number, size: number) {
  const images = tf.randomUniform([batch, size, size, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
  const labelData = new Int32Array(batch * size * size);
  for (let i = 0; i < labelData.length; i++) {
    const row = Math.floor(i / size) % size;
    labelData[i] = row < size / 4 ? 255 : (i * 7919) % cfg.classes;
  }
  const labels = tf.tensor3d(labelData, [batch, size, size], 'int32');
  const weights = Array.from({ length: cfg.classes }, (_, c) => 0.5 + c / cfg.classes);
  return { images, labels, weights };
}

/**
 * Times `steps` training steps after `warmup` ones on `backend` (initialised here), reading the loss
 * every step; with `queue` > 1 also `steps` more read in groups of `queue` (as the training loop does on
 * webgpu). Batch and size default to the config's (the cpu estimate shrinks them).
 */
export async function timeTfjsSteps(
  backend: BackendChoice,
  cfg: StepConfig,
  opts: { batch?: number; size?: number; steps?: number; warmup?: number; queue?: number } = {},
): Promise<StepTiming> {
  const report = await initBackend({ backend, threads: cfg.threads });
  const batch = opts.batch ?? cfg.batch;
  const size = opts.size ?? cfg.size;
  const steps = opts.steps ?? cfg.steps;
  const warmup = opts.warmup ?? cfg.warmup;
  const model = buildUNet({ numClasses: cfg.classes, baseFilters: cfg.base, depth: cfg.depth });
  const optimizer = tf.train.adam(1e-3);
  const { images, labels, weights } = benchBatch(cfg, batch, size);
  const args = [model, optimizer, { images, labels }, weights, undefined, { checkLabels: false }] as const;
  try {
    for (let i = 0; i < warmup; i++) await trainStep(...args);
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      const r = await trainStep(...args);
      times.push(performance.now() - t0);
      if (!r.applied) throw new Error(`non-finite loss ${r.loss}`);
    }
    let queuedMs: number | null = null;
    if (opts.queue && opts.queue > 1) {
      const t0 = performance.now();
      let queued: QueuedLoss[] = [];
      for (let i = 0; i < steps; i++) {
        queued.push(trainStepQueued(...args));
        if (queued.length >= opts.queue || i === steps - 1) {
          const results = await readQueuedLosses(queued);
          queued = [];
          if (results.some((r) => !r.applied)) throw new Error('non-finite loss');
        }
      }
      queuedMs = (performance.now() - t0) / steps;
    }
    return { ms: median(times), queuedMs, detail: `${report.name} (${report.detail})`, report };
  } finally {
    tf.dispose([images, labels]);
    model.dispose();
    optimizer.dispose();
  }
}

export type TorchTiming = { ms: number; detail: string; version: string } | { skipped: string };

/**
 * Runs `script` (step_torch.py) under `python` with `cfg` on `device` ('cpu' or 'cuda'). Skipped (with
 * the reason) when that Python has no torch, or no CUDA device when one is asked for.
 */
export function torchSteps(
  python: string,
  script: string,
  cfg: StepConfig,
  device: 'cpu' | 'cuda' = 'cpu',
): TorchTiming {
  const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.error) return { skipped: `${python}: ${probe.error.message}` };
  if (probe.status !== 0) return { skipped: `${python} has no torch` };
  const r = spawnSync(python, [script, JSON.stringify({ ...cfg, device })], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
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
    device: string;
  };
  const where = device === 'cuda' ? out.device : `${out.threads} threads`;
  return { ms: out.ms_per_step, version: out.torch, detail: `PyTorch ${out.torch} (${python}), ${where}` };
}
