/**
 * The one pass of a label export: each image's label map is read once (through db/labelmaps.ts),
 * reduced to the labels the export writes, and handed with the image to the format's writer.
 */
import { basename, dirname, extname, join } from 'node:path';
import { AppError } from '../../core/ipc/errors';
import { Provenance, UNLABELED } from '../../core/labelmap/types';
import { hexToRgb } from '../../core/palette';
import { listClasses } from '../../db/classes';
import { getImage, getOriginal, listImages } from '../../db/images';
import { loadLabelMap } from '../../db/labelmaps';
import type { ProjectDb } from '../../db/open';
import { listDir, makeDirs, sweepTempFiles, writeFileAtomic } from '../out-files';
import { exportSplits, type ExportRole } from './split';
import type { ExportClass, ExportContext, FormatFactory } from './types';

/** Which labels an export writes: all, or only those a person made (painted, imported masks). */
export type ExportLabels = 'all' | 'trusted';

export interface ExportReport {
  kind: string;
  dir: string;
  files: number;
  skipped: string[];
}

export interface PassOptions {
  overwrite?: boolean | undefined;
  labels?: ExportLabels | undefined;
  signal?: AbortSignal | undefined;
  imageIds?: readonly number[] | undefined;
  polygons?: boolean | undefined;
  /** Images without a label map are left out (named in `skipped`) instead of exported unlabeled. */
  skipUnlabeled?: boolean | undefined;
  /** The format maps classes to indices: a project without classes is refused before any file. */
  needsClasses?: boolean | undefined;
  /** The format writes the split (computing it reads every label map once more: export/split.ts). */
  needsSplit?: boolean | undefined;
}

/** The class plane with propagated and predicted pixels unlabeled when only trusted labels go out. */
function exportedValues(map: { classes: Uint8Array; provenance: Uint8Array }, labels: ExportLabels): Uint8Array {
  if (labels === 'all') return map.classes;
  const out = map.classes.slice();
  for (let i = 0; i < out.length; i++) {
    const p = map.provenance[i];
    if (p === Provenance.Propagated || p === Provenance.Predicted) out[i] = UNLABELED;
  }
  return out;
}

/**
 * Export names, unique within one export even when two images share a file name (a/img.png, b/img.png):
 * the second becomes img_2, then img_3; case-insensitively, as on macOS and Windows file systems.
 */
function uniqueStems(): (name: string) => string {
  const used = new Set<string>();
  return (fileName) => {
    const base = basename(fileName, extname(fileName));
    let name = base;
    for (let k = 2; used.has(name.toLowerCase()); k++) name = `${base}_${k}`;
    used.add(name.toLowerCase());
    return name;
  };
}

/**
 * Makes `dir` (and missing parents) and refuses a folder that already holds files unless `overwrite`:
 * an export never replaces the user's files without a word.
 */
export async function prepareTarget(dir: string, overwrite: boolean): Promise<void> {
  await makeDirs(dir);
  const present = (await listDir(dir)).filter((n) => !/^\..+\.\d+\.\d+\.tmp$/.test(n));
  if (present.length && !overwrite) {
    throw new AppError(
      'NOT_EMPTY',
      `${dir} is not empty (${present.length} item(s)); export into an empty folder or allow overwriting`,
    );
  }
  await sweepTempFiles(dir);
}

function exportClasses(db: ProjectDb): ExportClass[] {
  return listClasses(db).map((c, index) => ({
    index,
    value: c.value,
    name: c.name,
    color: c.color,
    rgb: hexToRgb(c.color),
  }));
}

/** Runs `format` over the project's images (or `imageIds`) into `dir`. */
export async function runPass(
  db: ProjectDb,
  kind: string,
  dir: string,
  format: FormatFactory,
  options: PassOptions = {},
): Promise<ExportReport> {
  const classes = exportClasses(db);
  if (!classes.length && options.needsClasses !== false)
    throw new AppError('INVALID_INPUT', 'The project has no classes to export');
  const toIndex = new Uint8Array(256).fill(UNLABELED);
  for (const c of classes) toIndex[c.value] = c.index;
  const all = listImages(db);
  const splits = options.needsSplit === false ? new Map<number, ExportRole>() : exportSplits(db, all);
  const chosen = options.imageIds && new Set(options.imageIds);
  const images = chosen ? all.filter((i) => chosen.has(i.id)) : all;

  await prepareTarget(dir, options.overwrite ?? false);
  const report: ExportReport = { kind, dir, files: 0, skipped: [] };
  const folders = new Set<string>();
  const ctx: ExportContext = {
    db,
    dir,
    classes,
    polygons: options.polygons ?? false,
    async write(path, data) {
      const full = join(dir, ...path.split('/'));
      const folder = dirname(full);
      if (!folders.has(folder)) {
        await makeDirs(folder);
        await sweepTempFiles(folder); // temporary files of an export that was killed
        folders.add(folder);
      }
      await writeFileAtomic(full, data);
      report.files++;
    },
  };
  const writer = format(ctx);
  const unique = uniqueStems();
  for (const img of images) {
    if (options.signal?.aborted) {
      throw new AppError(
        'CANCELLED',
        `Export cancelled: ${report.files} ${report.files === 1 ? 'file was' : 'files were'} written to ${dir} before it stopped.`,
      );
    }
    const map = loadLabelMap(db, img.id);
    // Skipped: unlabeled where the format wants labels, or removed from the project while the export ran.
    if ((!map && options.skipUnlabeled) || !getImage(db, img.id)) {
      report.skipped.push(img.name);
      continue;
    }
    const values = map ? exportedValues(map, options.labels ?? 'all') : null;
    const indices = new Uint8Array(img.width * img.height).fill(UNLABELED);
    if (values) for (let i = 0; i < indices.length; i++) indices[i] = toIndex[values[i]!]!;
    await writer.image({
      id: img.id,
      name: unique(img.name),
      fileName: img.name,
      format: img.format,
      width: img.width,
      height: img.height,
      split: splits.get(img.id) === 'val' ? 'val' : 'train',
      role: splits.get(img.id) ?? 'train',
      userSplit: img.split,
      values,
      indices,
      original: () => getOriginal(db, img.id)!,
    });
  }
  await writer.finish();
  return report;
}
