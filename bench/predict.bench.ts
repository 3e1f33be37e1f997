/**
 * Memory and time of predicting one large project image (`predictProjectImage`, the path the CLI and the
 * app take) at 24 MP (6000x4000) and 100 MP (10000x10000, the importer's limit), each in a fresh child
 * process: peak RSS above the process's RSS just before predicting (project open, model built), beside
 * the size of the output arrays (labels + confidence: 2 bytes per pixel). Reference measured in the same
 * run: the whole-image path this replaced (full-size float RGB tensor, bilinear resize in TensorFlow.js,
 * probabilities resized back to full size, argmax), at 24 MP (`--old-100` also at 100 MP; it needs
 * more than 8 GB there).
 *
 * Model: the default U-Net (base 16, depth 3), 12 classes, random weights, working size 256x192.
 *
 * `--cli` measures the whole command instead: `maskwright predict P --image 1` with `--out` (the mask
 * written as PNG) and with `--accept` (merged into the stored labels), peak RSS by /usr/bin/time, beside
 * `maskwright info P` on the same project in the same run (the command's own baseline: Node, SQLite,
 * TensorFlow.js loaded), in bytes per image pixel.
 *
 * Run: node scripts/run-ts.mjs bench/predict.bench.ts [--backend wasm|cpu] [--old-100] [--only 24] [--cli]
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { addClass } from '../db/classes';
import { getOriginal } from '../db/images';
import { createRun, finishRun, recordEpoch } from '../db/runs';
import type { WeightSpec } from '../core/training/checkpoint';
import { serializeModel } from '../trainer/run/checkpoint';
import { decodeRgb } from '../services/decode';
import { importImages } from '../services/import-images';
import type { CheckpointMeta } from '../core/training/checkpoint';
import { predictProjectImage } from '../worker/predict';
import { Project } from '../services/project';
import { initBackend, type BackendChoice } from '../trainer/backend';
import { buildUNet, INPUT_NORMALIZATION, normalizeImages } from '../trainer/model';

const CLASSES = 12;
const INPUT: [number, number] = [192, 256];
const SIZES = [
  { name: '24 MP', width: 6000, height: 4000 },
  { name: '100 MP', width: 10000, height: 10000 },
];
const argValue = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const MB = 1024 * 1024;

interface ChildResult {
  baselineMb: number;
  peakMb: number;
  seconds: number;
  classesSeen: number;
  error?: string;
}

/** The whole-image path that prediction used before tiling (kept here only as the reference). */
async function oldPredict(model: tf.LayersModel, bytes: Uint8Array): Promise<{ classes: Uint8Array }> {
  const rgb = await decodeRgb(bytes);
  const { width, height } = rgb;
  const [classes, confidence] = tf.tidy(() => {
    const img = tf.tensor4d(rgb.data as Uint8Array, [1, height, width, 3], 'float32');
    const x = normalizeImages(tf.image.resizeBilinear(img, INPUT, true));
    const probs = tf.image.resizeBilinear(
      tf.softmax(model.predict(x) as tf.Tensor4D, -1) as tf.Tensor4D,
      [height, width],
      true,
    );
    return [tf.argMax(probs, -1), tf.max(probs, -1)];
  });
  const out = { classes: Uint8Array.from(classes.dataSync()), confidence: Float32Array.from(confidence.dataSync()) };
  tf.dispose([classes, confidence]);
  return out;
}

async function child(projectPath: string, mode: 'new' | 'old', backend: BackendChoice): Promise<void> {
  await initBackend({ backend });
  tf.env().set('PROD', true);
  const project = Project.open(projectPath);
  const model = buildUNet({ numClasses: CLASSES, baseFilters: 16, depth: 3, dropout: 0 });
  const meta = {
    inputSize: INPUT,
    classValues: Array.from({ length: CLASSES }, (_, i) => i),
  } as unknown as CheckpointMeta;
  // Warm up the network once so that kernel set-up is not counted as the prediction's memory.
  tf.tidy(() => model.predict(tf.zeros([1, ...INPUT, 3])));
  (globalThis as { gc?: () => void }).gc?.();
  const baseline = process.memoryUsage().rss;
  const t0 = performance.now();
  const classes =
    mode === 'new'
      ? (await predictProjectImage(project.db, model, meta, 1)).values
      : (await oldPredict(model, getOriginal(project.db, 1)!)).classes;
  const seconds = (performance.now() - t0) / 1000;
  const seen = new Set<number>();
  for (let i = 0; i < classes.length; i += 997) seen.add(classes[i]!);
  const result: ChildResult = {
    baselineMb: baseline / MB,
    peakMb: (process.resourceUsage().maxRSS * 1024) / MB,
    seconds,
    classesSeen: seen.size,
  };
  console.log(JSON.stringify(result));
  project.close();
  process.exit(0);
}

/** A smooth synthetic photo-like image (compresses well, so the project file stays small). */
async function makeProject(dir: string, width: number, height: number): Promise<string> {
  const w = 160;
  const h = Math.round((160 * height) / width);
  const small = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      small[i] = 128 + 100 * Math.sin(x / 7) * Math.cos(y / 11);
      small[i + 1] = (x * 255) / w;
      small[i + 2] = (y * 255) / h;
    }
  const png = await sharp(small, { raw: { width: w, height: h, channels: 3 } })
    .resize(width, height, { kernel: 'linear' })
    .png({ compressionLevel: 1 })
    .toBuffer();
  const path = join(dir, `${width}x${height}.maskwright`);
  const project = Project.create(path);
  const r = await importImages(project.db, [{ name: 'big.png', read: async () => png }]);
  project.close();
  if (r.errors.length) throw new Error(r.errors[0]!.message);
  return path;
}

/** Stores the benchmark's model (random weights) as a checkpoint of the project, with its 12 classes. */
async function addCheckpoint(path: string, backend: BackendChoice): Promise<void> {
  await initBackend({ backend });
  const model = buildUNet({ numClasses: CLASSES, baseFilters: 16, depth: 3, dropout: 0 });
  const s = await serializeModel(model);
  const project = Project.open(path);
  const classes = Array.from({ length: CLASSES }, (_, i) => addClass(project.db, `c${i}`, undefined, i));
  const run = createRun(project.db, { epochs: 1 });
  recordEpoch(
    project.db,
    { runId: run, epoch: 0, trainLoss: 1, valLoss: null, metrics: {} },
    {
      modelTopology: s.modelTopology,
      weights: s.weightData,
      metadata: {
        weightSpecs: s.weightSpecs as WeightSpec[],
        classValues: classes.map((c) => c.value),
        classNames: classes.map((c) => c.name),
        classColors: classes.map((c) => c.color),
        inputSize: INPUT,
        normalization: INPUT_NORMALIZATION,
      },
    },
  );
  finishRun(project.db, run, 'completed', null);
  project.close();
  model.dispose();
}

/** Peak RSS (MB) and exit status of `maskwright ARGS`, by /usr/bin/time. */
function cliPeak(args: string[]): { mb: number; code: number | null; stderr: string } {
  // Run from the repository root (npm run bench:predict, or node scripts/run-ts.mjs there).
  const bin = join(process.cwd(), 'bin', 'maskwright.cjs');
  const r = spawnSync('/usr/bin/time', ['-f', 'maxrss_kb=%M', process.execPath, bin, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * MB,
  });
  const kb = Number(/maxrss_kb=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { mb: kb / 1024, code: r.status, stderr: r.stderr.replace(/maxrss_kb=\d+\n?/, '').trim() };
}

async function cliBench(dir: string, backend: BackendChoice, only: string | undefined): Promise<void> {
  console.log(
    `maskwright predict --image 1 (U-Net base 16 depth 3, ${CLASSES} classes, working size ${INPUT[1]}x${INPUT[0]}, backend ${backend}): ` +
      'peak RSS by /usr/bin/time; reference: maskwright info on the same project',
  );
  for (const s of SIZES) {
    if (only && !s.name.startsWith(only)) continue;
    const path = await makeProject(dir, s.width, s.height);
    await addCheckpoint(path, backend);
    const pixels = s.width * s.height;
    const info = cliPeak(['info', path]);
    const perPixel = (mb: number) => ((mb * MB) / pixels).toFixed(2);
    if (info.code !== 0) throw new Error(`maskwright info failed: ${info.stderr.slice(0, 200)}`);
    console.log(`${s.name.padEnd(7)} info (reference)       peak ${info.mb.toFixed(0)} MB`);
    for (const [label, args] of [
      ['predict --out', ['--out', join(dir, 'out')]],
      ['predict --accept', ['--accept']],
    ] as const) {
      const r = cliPeak(['predict', path, '--image', '1', '--backend', backend, ...args]);
      console.log(
        r.code !== 0
          ? `${s.name.padEnd(7)} ${label.padEnd(22)} failed (exit ${r.code}): ${r.stderr.slice(0, 160)}`
          : `${s.name.padEnd(7)} ${label.padEnd(22)} peak ${r.mb.toFixed(0)} MB = ${perPixel(r.mb)} bytes per pixel; ` +
              `${(r.mb - info.mb).toFixed(0)} MB above info = ${perPixel(r.mb - info.mb)} bytes per pixel`,
      );
    }
    rmSync(path, { force: true });
  }
}

function runChild(projectPath: string, mode: 'new' | 'old', backend: string): ChildResult {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', process.argv[1]!, '--child', projectPath, mode, '--backend', backend],
    {
      encoding: 'utf8',
      maxBuffer: 64 * MB,
    },
  );
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    const why = (
      r.stderr
        .trim()
        .split('\n')
        .find((l) => /error|memory|out of/i.test(l)) ?? `exit ${r.status ?? r.signal}`
    ).slice(0, 160);
    return { baselineMb: 0, peakMb: 0, seconds: 0, classesSeen: 0, error: why };
  }
  return JSON.parse(line) as ChildResult;
}

async function main(): Promise<void> {
  const backend = (argValue('backend') ?? 'wasm') as BackendChoice;
  const ci = process.argv.indexOf('--child');
  if (ci >= 0) return child(process.argv[ci + 1]!, process.argv[ci + 2] as 'new' | 'old', backend);
  const only = argValue('only');
  const dir = mkdtempSync(join(tmpdir(), 'mw-bench-predict-'));
  if (process.argv.includes('--cli')) {
    try {
      return await cliBench(dir, backend, only);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  try {
    console.log(
      `predict one image: U-Net base 16 depth 3, ${CLASSES} classes, working size ${INPUT[1]}x${INPUT[0]}, backend ${backend}; ` +
        'memory = peak RSS - RSS before predicting (fresh process each)',
    );
    for (const s of SIZES) {
      if (only && !s.name.startsWith(only)) continue;
      const path = await makeProject(dir, s.width, s.height);
      const outMb = (2 * s.width * s.height) / MB;
      const show = (label: string, r: ChildResult) =>
        console.log(
          r.error
            ? `${s.name.padEnd(7)} ${label.padEnd(18)} failed: ${r.error}`
            : `${s.name.padEnd(7)} ${label.padEnd(18)} ${(r.peakMb - r.baselineMb).toFixed(0).padStart(6)} MB above baseline ` +
                `(${((r.peakMb - r.baselineMb) / outMb).toFixed(2)}x the ${outMb.toFixed(0)} MB output), ` +
                `peak RSS ${r.peakMb.toFixed(0)} MB, ${r.seconds.toFixed(1)} s, ${r.classesSeen} classes in the map`,
        );
      const mine = runChild(path, 'new', backend);
      show('tiled (now)', mine);
      if (s.width * s.height <= 24e6 || process.argv.includes('--old-100')) {
        const old = runChild(path, 'old', backend);
        show('whole image (old)', old);
        if (!old.error && !mine.error)
          console.log(
            `${s.name.padEnd(7)} ratio old/now: ${((old.peakMb - old.baselineMb) / (mine.peakMb - mine.baselineMb)).toFixed(1)}x memory, ` +
              `${(old.seconds / mine.seconds).toFixed(1)}x time`,
          );
      }
      rmSync(path, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
