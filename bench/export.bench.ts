/**
 * Every export format on a labeled set (default: CamVid's val split, ../shared/datasets/camvid, 101
 * images at 360x480): wall time per format and the size it writes, beside references measured in the
 * same run: the time of reading every label map once (the floor of any export: the pass does that and
 * nothing else) and the size of the input masks.
 * Run: npm run bench:export [-- --images DIR --masks DIR --classes FILE [--void N] [--json]]
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { DatasetFormat } from '../core/ipc/contract';
import { listImages } from '../db/images';
import { loadLabelMap } from '../db/labelmaps';
import { applyClassFile, readClassFile } from '../services/class-file';
import { exportDataset, exportMasks } from '../services/export';
import { expandPaths, fileSource, importImages } from '../services/import-images';
import { importMasks } from '../services/import-masks';
import { Project } from '../services/project';

const { values } = parseArgs({
  options: {
    images: { type: 'string' },
    masks: { type: 'string' },
    classes: { type: 'string' },
    void: { type: 'string' },
    json: { type: 'boolean' },
  },
});
const camvid = resolve(process.env.MASKWRIGHT_SHARED ?? join(process.cwd(), '..', 'shared'), 'datasets', 'camvid');
const imagesDir = resolve(values.images ?? join(camvid, 'val'));
const masksDir = resolve(values.masks ?? join(camvid, 'valannot'));
const classesFile = values.classes ?? (values.images ? undefined : join(camvid, 'classes.json'));
const voidValue = values.void !== undefined ? Number(values.void) : values.images ? undefined : 11;

const CASES: { name: string; run: (p: Project, dir: string) => Promise<unknown> }[] = [
  { name: 'masks', run: (p, d) => exportMasks(p.db, d) },
  ...(['maskwright', 'voc', 'cityscapes', 'coco', 'yolo-seg', 'class-masks'] as DatasetFormat[]).map((f) => ({
    name: f,
    run: (p: Project, d: string) => exportDataset(p.db, d, { format: f }),
  })),
  { name: 'coco --polygons', run: (p, d) => exportDataset(p.db, d, { format: 'coco', polygons: true }) },
];

function folderBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) total += statSync(join(e.parentPath, e.name)).size;
  return total;
}

async function main() {
  const tmp = mkdtempSync(join(tmpdir(), 'mw-export-bench-'));
  try {
    const project = Project.create(join(tmp, 'bench.maskwright'));
    if (classesFile) applyClassFile(project.db, await readClassFile(resolve(classesFile)));
    const { files } = await expandPaths([imagesDir]);
    await importImages(project.db, files.map(fileSource));
    const m = await importMasks(project.db, [masksDir], { voidValue, createClasses: true });
    if (m.errors.length) throw new Error(`masks: ${m.errors[0]!.name}: ${m.errors[0]!.message}`);
    const images = listImages(project.db);
    const t0 = performance.now();
    for (const img of images) loadLabelMap(project.db, img.id);
    const readMs = performance.now() - t0;
    const maskBytes = folderBytes(masksDir);
    const rows = [];
    for (const c of CASES) {
      const dir = join(tmp, c.name.replace(/\W+/g, '-'));
      const start = performance.now();
      await c.run(project, dir);
      const ms = performance.now() - start;
      const bytes = folderBytes(dir);
      rows.push({
        format: c.name,
        ms,
        msPerImage: ms / images.length,
        vsRead: ms / readMs,
        bytes,
        vsMasks: bytes / maskBytes,
      });
      rmSync(dir, { recursive: true, force: true });
    }
    project.close();
    const result = { images: images.length, readMs, maskBytes, applied: m.applied.length, rows };
    if (values.json) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    console.log(`${images.length} images (${m.applied.length} with masks) from ${imagesDir}`);
    console.log(
      `reference: reading every label map ${readMs.toFixed(0)} ms; input masks ${(maskBytes / 1e6).toFixed(2)} MB`,
    );
    console.log('format            ms    ms/img   x read     MB   x masks');
    for (const r of rows) {
      console.log(
        `${r.format.padEnd(16)} ${r.ms.toFixed(0).padStart(5)} ${r.msPerImage.toFixed(1).padStart(8)} ${r.vsRead.toFixed(1).padStart(8)} ${(r.bytes / 1e6).toFixed(2).padStart(6)} ${r.vsMasks.toFixed(2).padStart(9)}`,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exitCode = 1;
});
