/**
 * Trains on CamVid (../shared/datasets/camvid) through the real pipeline — project file, training
 * process, checkpoints — for a fixed time budget, and reports validation mIoU and mean class accuracy.
 *
 *   node scripts/run-ts.mjs bench/train/camvid.bench.ts [--minutes 5] [--labeled N] [--reconstruction W]
 *     [--size 160x120] [--batch 8]
 *
 * --labeled N keeps masks for the first N training images only (the rest are imported without labels),
 * to measure the reconstruction head's effect with few labels: run it with and without --reconstruction.
 * It bundles the training worker (dist/worker/index.cjs) from the current sources before it starts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setSplit } from '../../db/images';
import { listEpochs } from '../../db/runs';
import { applyClassFile, readClassFile } from '../../main/services/class-file';
import { fileSource, importImages } from '../../main/services/import-images';
import { importMasks } from '../../main/services/import-masks';
import { Project } from '../../main/services/project';
import { nodeFork, startTraining, workerPath } from '../../main/services/training';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    labeled: { type: 'string' },
    reconstruction: { type: 'string', default: '0' },
    size: { type: 'string', default: '160x120' },
    batch: { type: 'string', default: '8' },
  },
});
const camvid = resolve(process.env.MASKWRIGHT_SHARED ?? join(process.cwd(), '..', 'shared'), 'datasets', 'camvid');
const [width, height] = values.size!.split('x').map(Number) as [number, number];

async function pngs(dir: string): Promise<string[]> {
  return (await readdir(dir))
    .filter((n) => n.endsWith('.png'))
    .sort()
    .map((n) => join(dir, n));
}

async function main(): Promise<void> {
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
    const train = await pngs(join(camvid, 'train'));
    const labeledCount = values.labeled ? Number(values.labeled) : train.length;
    const t0 = performance.now();
    const tr = await importImages(project.db, train.map(fileSource));
    setSplit(
      project.db,
      tr.imported.map((i) => i.id),
      'train',
    );
    const trainMasks = (await pngs(join(camvid, 'trainannot'))).slice(0, labeledCount);
    await importMasks(project.db, trainMasks, { voidValue: 11 });
    const va = await importImages(project.db, (await pngs(join(camvid, 'val'))).map(fileSource));
    setSplit(
      project.db,
      va.imported.map((i) => i.id),
      'val',
    );
    await importMasks(project.db, await pngs(join(camvid, 'valannot')), { voidValue: 11 });
    console.log(
      `CamVid: ${tr.imported.length} train images (${Math.min(labeledCount, train.length)} labeled), ${va.imported.length} val; import ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const settings = {
      minutes: Number(values.minutes),
      epochs: 10_000,
      width,
      height,
      batchSize: Number(values.batch),
      reconstructionWeight: Number(values.reconstruction),
      sources: ['imported' as const],
    };
    console.log(`training ${JSON.stringify(settings)}`);
    const distDir = join(process.cwd(), 'dist');
    const handle = startTraining(project.db, path, settings, nodeFork, workerPath(distDir), (m) => {
      if (m.type === 'started')
        console.log(
          `backend ${m.backend}; working size ${m.size.join('x')}; class weights ${m.classWeights.map((w) => w.toFixed(2)).join(' ')}`,
        );
      if (m.type === 'epoch') {
        const x = m.result.metrics;
        console.log(
          `epoch ${m.result.epoch + 1}: loss ${m.result.trainLoss.toFixed(3)} val loss ${m.result.valLoss?.toFixed(3)} pixel acc ${(100 * x.pixelAccuracy).toFixed(1)} mean class acc ${(100 * x.meanClassAccuracy).toFixed(1)} mIoU ${(100 * x.meanIoU).toFixed(1)} (${m.result.seconds.toFixed(0)} s)`,
        );
      }
    });
    const done = await handle.done;
    const epochs = listEpochs(project.db, handle.runId);
    const last = epochs[epochs.length - 1]?.metrics as
      { meanIoU: number; meanClassAccuracy: number; pixelAccuracy: number; iou: (number | null)[] } | undefined;
    console.log(`run ${done.status}: ${done.message}`);
    if (last) {
      console.log(
        `RESULT minutes=${values.minutes} labeled=${labeledCount} reconstruction=${values.reconstruction}: val mIoU ${(100 * last.meanIoU).toFixed(1)}, mean class acc ${(100 * last.meanClassAccuracy).toFixed(1)}, pixel acc ${(100 * last.pixelAccuracy).toFixed(1)} after ${epochs.length} epoch(s)`,
      );
      console.log(`per-class IoU ${last.iou.map((v) => (v === null ? '-' : (100 * v).toFixed(1))).join(' ')}`);
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
