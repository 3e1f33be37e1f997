/**
 * The GPU benchmark, bundled by `bench/gpu/prepare.sh` into one CommonJS file that runs under a carried
 * Node binary on a machine without Node or network (`bench/gpu/run.sh`): ms per training step of the
 * project's U-Net (base 16, depth 3, 12 classes, Adam, the class-weighted loss) on webgpu (Dawn +
 * tfjs-backend-webgpu) against PyTorch on CUDA on the same GPU (`step_torch.py`: the same net, loss,
 * input and optimizer), at 256x256 batch 8 and 512x512 batch 4, printed as ratios (goal: within 3x).
 * The webgpu step is also timed with tfjs's own kernels in place of `trainer/webgpu-kernels.ts` (ratio
 * printed). Then the time to predict a 24 MP output from a working image tiled in 256x192 tiles.
 *
 * Run: node bench.cjs [--smoke] [--shapes 256x8,512x4] [--steps 10] [--python python3]
 *      [--torch-device cuda|cpu] [--json FILE]
 * --smoke: tiny shapes and few steps, any adapter (a software one too) and PyTorch on the CPU unless
 * --torch-device says otherwise: proves the bundle end to end on a machine without a GPU.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { predictTiled } from '../../trainer/predict';
import { defaultThreads } from '../../trainer/backend';
import { buildUNet } from '../../trainer/model';
import { setWebGpuKernelsEnabled } from '../../trainer/webgpu-kernels';
import { timeTfjsSteps, torchSteps, type StepConfig } from '../train/harness';

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const smoke = argv.includes('--smoke');
const shapes = (opt('shapes') ?? (smoke ? '32x2,64x1' : '256x8,512x4')).split(',').map((s) => {
  const [size, batch] = s.split('x').map(Number);
  if (!size || !batch || size % 8) throw new Error(`bad shape ${s} (SIZExBATCH, size a multiple of 8)`);
  return { size, batch };
});
const steps = Number(opt('steps') ?? (smoke ? 2 : 10));
const warmup = smoke ? 1 : 3;
const python = opt('python') ?? 'python3';
const torchDevice = (opt('torch-device') ?? (smoke ? 'cpu' : 'cuda')) as 'cpu' | 'cuda';
const script = [join(__dirname, 'step_torch.py'), join(process.cwd(), 'bench', 'train', 'step_torch.py')].find(
  existsSync,
);

interface Row {
  size: number;
  batch: number;
  webgpuMs: number | null;
  webgpuQueuedMs: number | null;
  /** The same with tfjs's own kernels instead of trainer/webgpu-kernels.ts (reference for those). */
  stockMs: number | null;
  torchMs: number | null;
  torch: string;
  error?: string;
}

async function main(): Promise<void> {
  tf.env().set('PROD', true);
  const rows: Row[] = [];
  let adapter = '';
  for (const { size, batch } of shapes) {
    const cfg: StepConfig = { batch, size, base: 16, depth: 3, classes: 12, threads: defaultThreads(), steps, warmup };
    const row: Row = { size, batch, webgpuMs: null, webgpuQueuedMs: null, stockMs: null, torchMs: null, torch: '' };
    try {
      // A discarded first run: shader compilation and buffer pools would otherwise weigh on whichever
      // variant (project or tfjs kernels) is timed first.
      await timeTfjsSteps('webgpu', cfg, { steps: 1, warmup: 1 });
      const w = await timeTfjsSteps('webgpu', cfg, { queue: 8 });
      adapter = w.detail;
      if (w.report.adapter?.software && !smoke) throw new Error(`only a software adapter: ${w.detail}`);
      row.webgpuMs = w.ms;
      row.webgpuQueuedMs = w.queuedMs;
      setWebGpuKernelsEnabled(false);
      row.stockMs = (await timeTfjsSteps('webgpu', cfg)).ms;
      setWebGpuKernelsEnabled(true);
    } catch (e) {
      row.error = `webgpu: ${(e as Error).message.split('\n')[0]}`;
    }
    const t = script ? torchSteps(python, script, cfg, torchDevice) : { skipped: 'step_torch.py not found' };
    if ('ms' in t) {
      row.torchMs = t.ms;
      row.torch = t.detail;
    } else row.torch = `skipped: ${t.skipped}`;
    rows.push(row);
    const f = (v: number | null) => (v === null ? '      -' : v.toFixed(1).padStart(7));
    console.log(
      `${size}x${size} batch ${batch}: webgpu ${f(row.webgpuMs)} ms/step (queued ${f(row.webgpuQueuedMs)}), ` +
        `${row.torch.startsWith('skipped') ? 'PyTorch' : 'PyTorch ' + torchDevice} ${f(row.torchMs)} ms/step` +
        (row.webgpuMs !== null && row.torchMs !== null
          ? `  ratio webgpu/pytorch ${(row.webgpuMs / row.torchMs).toFixed(2)}x, queued ${(row.webgpuQueuedMs! / row.torchMs).toFixed(2)}x (goal <= 3)`
          : '') +
        (row.error ? `  [${row.error}]` : ''),
    );
    if (row.stockMs !== null && row.webgpuMs !== null)
      console.log(
        `  tfjs's own kernels: ${f(row.stockMs)} ms/step (ratio tfjs/project kernels ${(row.stockMs / row.webgpuMs).toFixed(2)}x)`,
      );
  }
  console.log(`webgpu: ${adapter || 'no adapter'}`);
  console.log(`pytorch: ${rows.find((r) => r.torchMs !== null)?.torch ?? rows[0]?.torch ?? ''}`);

  // Prediction: a 24 MP output (6000x4000) from a 1024x768 working image in 256x192 tiles.
  let predictSeconds: number | null = null;
  try {
    const [ow, oh, rw, rh] = smoke ? [600, 400, 128, 96] : [6000, 4000, 1024, 768];
    const model = buildUNet({ numClasses: 12, baseFilters: 16, depth: 3, dropout: 0 });
    const data = new Uint8Array(rw * rh * 3).map((_, i) => (i * 2654435761) >>> 24);
    const t0 = performance.now();
    const p = await predictTiled(model, { data, width: rw, height: rh }, ow, oh, { tile: [192, 256] });
    predictSeconds = (performance.now() - t0) / 1000;
    console.log(
      `predict ${ow}x${oh} from ${rw}x${rh} in 256x192 tiles on ${tf.getBackend()}: ${predictSeconds.toFixed(2)} s ` +
        `(${p.classes.length} labels)`,
    );
    model.dispose();
  } catch (e) {
    console.log(`predict failed: ${(e as Error).message.split('\n')[0]}`);
  }
  const json = opt('json');
  if (json) writeFileSync(json, JSON.stringify({ adapter, torchDevice, rows, predictSeconds }, null, 2));
  const failed = rows.some((r) => r.webgpuMs === null || r.torchMs === null) || predictSeconds === null;
  process.exit(failed ? 1 : 0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
