/**
 * Makes the PyTorch job that `bench/gpu/run.sh` times on the GPU machine (which has PyTorch but no Node):
 * a generated project (32 images 256x256, 12 classes, smooth shapes so the folder stays small) exported
 * with `--what pytorch-job` at the GPU defaults' model (base 32, depth 3, stem 1, batch 8). Run by
 * `bench/gpu/prepare.sh`: node scripts/run-ts.mjs bench/gpu/make-job.ts OUT
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { addClass } from '../../db/classes';
import { setSplit } from '../../db/images';
import { saveLabelMap } from '../../db/labelmaps';
import { createRun } from '../../db/runs';
import { runExport } from '../../services/export';
import { importImages } from '../../services/import-images';
import { Project } from '../../services/project';

const SIZE = 256;
const IMAGES = 32;
const CLASSES = 12;

async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? '.gpu-bundle/job');
  const dir = mkdtempSync(join(tmpdir(), 'mw-gpu-job-'));
  try {
    const project = Project.create(join(dir, 'bench.maskwright'));
    const classes = Array.from({ length: CLASSES }, (_, c) => addClass(project.db, `class${c}`));
    for (let k = 0; k < IMAGES; k++) {
      // Horizontal bands of classes whose borders wave with k; the image is a smooth function of the class.
      const rgb = Buffer.alloc(SIZE * SIZE * 3);
      const values = new Uint8Array(SIZE * SIZE);
      for (let y = 0; y < SIZE; y++)
        for (let x = 0; x < SIZE; x++) {
          const c = Math.min(CLASSES - 1, Math.floor(((y + 12 * Math.sin((x + 9 * k) / 23)) / SIZE) * CLASSES + 0.5));
          const i = y * SIZE + x;
          values[i] = classes[Math.max(0, c)]!.value;
          rgb.fill((c * 21 + x / 8) & 255, 3 * i, 3 * i + 1);
          rgb.fill((255 - c * 19) & 255, 3 * i + 1, 3 * i + 2);
          rgb.fill((c * 37 + y / 8) & 255, 3 * i + 2, 3 * i + 3);
        }
      const bytes = await sharp(rgb, { raw: { width: SIZE, height: SIZE, channels: 3 } })
        .png()
        .toBuffer();
      const r = await importImages(project.db, [{ name: `img${k}.png`, read: async () => bytes }]);
      const id = r.imported[0]!.id;
      saveLabelMap(project.db, id, {
        width: SIZE,
        height: SIZE,
        classes: values,
        provenance: new Uint8Array(SIZE * SIZE).fill(1),
      });
      setSplit(project.db, [id], k % 8 === 7 ? 'val' : 'train');
    }
    createRun(project.db, {
      width: SIZE,
      height: SIZE,
      epochs: 1,
      batchSize: 8,
      baseFilters: 32,
      depth: 3,
      stem: 1,
      backend: 'auto',
    });
    const r = await runExport(project.db, 'pytorch-job', out, { overwrite: true });
    project.close();
    console.log(`PyTorch job in ${r.dir}: ${r.files} file(s)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
