/**
 * Trains on CamVid (../shared/datasets/camvid: train 367, val 101) through the real pipeline — project
 * file, training process, checkpoints — with the one-click defaults unless told otherwise, and reports
 * from that one run:
 * - the val mIoU of every epoch, computed at the val images' own size (360x480: the class probabilities
 *   upsampled from the working size, as prediction does), and the best epoch's mIoU with its per-class IoU;
 * - the swing: the largest drop of val mIoU between consecutive epochs in the last half of the epochs;
 * - the CPU minutes of the training process (all its threads, user + system, as it reports them when it
 *   ends: this includes loading the data) and the wall minutes of the run.
 *
 *   node scripts/run-ts.mjs bench/train/camvid.bench.ts [--limit N] [--labeled N] [training flags]
 *
 * The training flags are `maskwright train`'s (core/training/setting-flags.ts: --epochs, --size, --batch,
 * --width-base, --stem, --augment, ...), over the one-click defaults with sources 'imported'.
 * --epochs / --minutes replace both of the defaults' limits (give both for both). --seed (default 1) seeds
 * the initial weights, the shuffling and the flips: a run repeats exactly with the same seed, so compare
 * recipes over several seeds. --limit N imports only the first N train and
 * N val images (a quick smoke run). --labeled N keeps masks for the first N training images only (the
 * rest are imported without labels), to measure the reconstruction head's effect with few labels: run it
 * with and without --reconstruction.
 * It bundles the training worker (dist/worker/index.cjs) from the current sources before it starts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { EpochResult } from '../../core/jobs/train';
import { settingFlagOptions, settingsFromFlags } from '../../core/training/setting-flags';
import { DEFAULT_TRAIN_SETTINGS, trainSettingsSchema, type TrainSettingsInput } from '../../core/training/settings';
import { listClasses } from '../../db/classes';
import { setSplit } from '../../db/images';
import { applyClassFile, readClassFile } from '../../services/class-file';
import { fileSource, importImages } from '../../services/import-images';
import { importMasks } from '../../services/import-masks';
import { Project } from '../../services/project';
import { startTraining } from '../../services/training';
import { nodeFork, workerPath } from '../../services/job-process';

const { values } = parseArgs({
  options: { ...settingFlagOptions(), limit: { type: 'string' }, labeled: { type: 'string' } },
});
const camvid = resolve(process.env.MASKWRIGHT_SHARED ?? join(process.cwd(), '..', 'shared'), 'datasets', 'camvid');
const limit = values.limit ? Number(values.limit) : Infinity;

async function pngs(dir: string): Promise<string[]> {
  return (await readdir(dir))
    .filter((n) => n.endsWith('.png'))
    .sort()
    .map((n) => join(dir, n));
}

/** The run's settings: the one-click defaults with the imported labels, then the options. */
function runSettings(): TrainSettingsInput {
  const s = settingsFromFlags(values, { ...DEFAULT_TRAIN_SETTINGS, sources: ['imported'] });
  const parsed = trainSettingsSchema.safeParse(s);
  if (!parsed.success)
    throw new Error(`bad options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return s;
}

/** Largest drop of `m` between consecutive epochs within the last half of the epochs; null with fewer than 2 there. */
function swing(m: readonly number[]): number | null {
  const from = Math.floor(m.length / 2);
  if (m.length - from < 2) return null;
  let drop = 0;
  for (let i = from + 1; i < m.length; i++) drop = Math.max(drop, m[i - 1]! - m[i]!);
  return drop;
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : (100 * v).toFixed(1));

async function main(): Promise<void> {
  const settings = runSettings();
  // The training process runs dist/worker/index.cjs: bundle it from the current sources first.
  const build = spawnSync(process.execPath, [join(process.cwd(), 'scripts', 'build.mjs'), 'node'], {
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('building the training worker failed');
  const dir = mkdtempSync(join(tmpdir(), 'mw-camvid-'));
  try {
    const path = join(dir, 'camvid.maskwright');
    const project = Project.create(path);
    applyClassFile(project.db, await readClassFile(join(camvid, 'classes.json')));
    const masksOf = async (images: string[], folder: string) => {
      const names = new Set(images.map((p) => basename(p)));
      return (await pngs(join(camvid, folder))).filter((p) => names.has(basename(p)));
    };
    const train = (await pngs(join(camvid, 'train'))).slice(0, limit);
    const labeledCount = Math.min(values.labeled ? Number(values.labeled) : train.length, train.length);
    const t0 = performance.now();
    const tr = await importImages(project.db, train.map(fileSource));
    setSplit(
      project.db,
      tr.imported.map((i) => i.id),
      'train',
    );
    await importMasks(project.db, await masksOf(train.slice(0, labeledCount), 'trainannot'), { voidValue: 11 });
    const val = (await pngs(join(camvid, 'val'))).slice(0, limit);
    const va = await importImages(project.db, val.map(fileSource));
    setSplit(
      project.db,
      va.imported.map((i) => i.id),
      'val',
    );
    await importMasks(project.db, await masksOf(val, 'valannot'), { voidValue: 11 });
    console.log(
      `CamVid: ${tr.imported.length} train images (${labeledCount} labeled), ${va.imported.length} val; import ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    console.log(`training ${JSON.stringify(settings)}`);
    const epochs: EpochResult[] = [];
    const distDir = join(process.cwd(), 'dist');
    const started = performance.now();
    const handle = startTraining(project.db, path, settings, nodeFork, workerPath(distDir), (m) => {
      if (m.type === 'started')
        console.log(
          `backend ${m.backend}; working size ${m.size.join('x')}; class weights ${m.classWeights.map((w) => w.toFixed(2)).join(' ')}`,
        );
      if (m.type === 'epoch') {
        epochs.push(m.result);
        const x = m.result.metrics;
        console.log(
          `epoch ${m.result.epoch + 1}: loss ${m.result.trainLoss.toFixed(3)} val loss ${m.result.valLoss?.toFixed(3)} pixel acc ${pct(x.pixelAccuracy)} mean class acc ${pct(x.meanClassAccuracy)} mIoU ${pct(x.meanIoU)} (at the working size ${pct(x.workingSizeMeanIoU)}) (${m.result.seconds.toFixed(0)} s)`,
        );
      }
    });
    const done = await handle.done;
    const wallMinutes = (performance.now() - started) / 60_000;
    console.log(`run ${done.status}: ${done.message}`);
    const mious = epochs.map((e) => e.metrics.meanIoU);
    const best = epochs.reduce<EpochResult | null>(
      (a, e) => (a === null || e.metrics.meanIoU > a.metrics.meanIoU ? e : a),
      null,
    );
    const names = listClasses(project.db).map((c) => c.name);
    const s = swing(mious);
    const cpu = done.cpuSeconds !== undefined ? (done.cpuSeconds / 60).toFixed(1) : '-';
    console.log(`per-epoch val mIoU (at the val images' own size): ${mious.map(pct).join(' ')}`);
    console.log(
      `per-epoch val mIoU at the working size (labels resized): ${epochs.map((e) => pct(e.metrics.workingSizeMeanIoU)).join(' ')}`,
    );
    if (best) {
      console.log(
        `per-class IoU of the best epoch: ${best.metrics.iou.map((v, i) => `${names[i]} ${pct(v)}`).join(', ')}`,
      );
      console.log(
        `RESULT best epoch ${best.epoch + 1}/${epochs.length}: val mIoU ${pct(best.metrics.meanIoU)} (last ${pct(mious.at(-1))}), ` +
          `swing ${s === null ? '-' : (100 * s).toFixed(1)}, CPU ${cpu} min, wall ${wallMinutes.toFixed(1)} min`,
      );
    }
    project.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
