/** A small generated project for training tests, and the training worker bundle they fork. */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { addClass } from '../../db/classes';
import { setSplit } from '../../db/images';
import { saveLabelMap } from '../../db/labelmaps';
import { importImages } from '../../services/import-images';
import { Project } from '../../services/project';

export const SIZE = 32;

/** Training-loop settings for the tiny test models (`trainLoop`; add epochs or minutes). */
export const tinyLoopSettings = {
  batchSize: 2,
  learningRate: 0.01,
  reduction: 'weightedMean' as const,
  reconstructionWeight: 0,
  flips: true,
  seed: 7,
};

/** Bundles dist/worker/index.cjs (the process training and prediction fork) from the current sources. */
export function buildTrainingWorker(): void {
  const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), 'node'], { cwd: root });
}

/** Left half dark (class "dark"), right half bright ("bright"), with per-image noise. */
export async function makeProject(dir: string, name: string): Promise<string> {
  const path = join(dir, name);
  const project = Project.create(path);
  const dark = addClass(project.db, 'dark');
  const bright = addClass(project.db, 'bright');
  for (let k = 0; k < 3; k++) {
    const rgb = Buffer.alloc(SIZE * SIZE * 3);
    const classes = new Uint8Array(SIZE * SIZE);
    for (let i = 0; i < SIZE * SIZE; i++) {
      const left = i % SIZE < SIZE / 2;
      rgb.fill(left ? 40 + ((i * 7 + k) % 20) : 200 + ((i * 13 + k) % 30), 3 * i, 3 * i + 3);
      classes[i] = left ? dark.value : bright.value;
    }
    const bytes = await sharp(rgb, { raw: { width: SIZE, height: SIZE, channels: 3 } })
      .png()
      .toBuffer();
    const r = await importImages(project.db, [{ name: `img${k}.png`, read: async () => bytes }]);
    const id = r.imported[0]!.id;
    saveLabelMap(project.db, id, {
      width: SIZE,
      height: SIZE,
      classes,
      provenance: new Uint8Array(SIZE * SIZE).fill(1),
    });
    setSplit(project.db, [id], k === 2 ? 'val' : 'train');
  }
  project.close();
  return path;
}

/** The smallest model that trains in a few seconds on the cpu backend (add `epochs`). */
export const TINY_TRAINING = {
  width: SIZE,
  height: SIZE,
  baseFilters: 4,
  depth: 2,
  batchSize: 2,
  backend: 'cpu' as const,
};
