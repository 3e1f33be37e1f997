/**
 * Export: label masks (indexed PNG with the class palette, plus color previews), a dataset folder that
 * common training code reads (images/, masks/ with class indices 0..C-1 and 255 = unlabeled,
 * classes.json, split lists), and a trained model in the TensorFlow.js layers format.
 */
import { basename, extname, join } from 'node:path';
import sharp from 'sharp';
import { AppError } from '../../core/ipc/errors';
import { Provenance, UNLABELED } from '../../core/labelmap/types';
import { hexToRgb } from '../../core/palette';
import { listClasses } from '../../db/classes';
import { getOriginal, listImages } from '../../db/images';
import { loadLabelMap } from '../../db/labelmaps';
import type { ProjectDb } from '../../db/open';
import { encodeIndexedMask } from './masks';
import { computeClassWeights } from './class-weights';
import { findCheckpoint } from './predict';
import { listDir, makeDirs, sweepTempFiles, writeFileAtomic, writeFilesAtomic } from './out-files';

export const EXPORT_KINDS = ['masks', 'dataset', 'model'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export interface ExportReport {
  kind: ExportKind;
  dir: string;
  files: number;
  skipped: string[];
}

const stem = (name: string) => basename(name, extname(name));

/** Which labels an export writes: all, or only those a person made (painted, imported masks). */
export type ExportLabels = 'all' | 'trusted';

/** The class plane with propagated and predicted pixels unlabeled when only trusted labels go out. */
function exportedClasses(map: { classes: Uint8Array; provenance: Uint8Array }, labels: ExportLabels): Uint8Array {
  if (labels === 'all') return map.classes;
  const out = map.classes.slice();
  for (let i = 0; i < out.length; i++) {
    const p = map.provenance[i];
    if (p === Provenance.Propagated || p === Provenance.Predicted) out[i] = UNLABELED;
  }
  return out;
}

/** Stops an export between two images when `signal` was aborted (the files written so far stay). */
function stopIfCancelled(signal: AbortSignal | undefined, report: ExportReport): void {
  if (signal?.aborted) {
    throw new AppError(
      'CANCELLED',
      `Export cancelled: ${report.files} ${report.files === 1 ? 'file was' : 'files were'} written to ${report.dir} before it stopped.`,
    );
  }
}

/**
 * Export names, unique within one export even when two images share a file name (a/img.png, b/img.png):
 * the second becomes img_2, then img_3; case-insensitively, as on macOS and Windows file systems.
 */
function uniqueStems(): (name: string) => string {
  const used = new Set<string>();
  return (fileName) => {
    const base = stem(fileName);
    let name = base;
    for (let k = 2; used.has(name.toLowerCase()); k++) name = `${base}_${k}`;
    used.add(name.toLowerCase());
    return name;
  };
}

/** A folder files are written into, without the temporary files of an export that was killed. */
async function outputFolder(dir: string): Promise<void> {
  await makeDirs(dir);
  await sweepTempFiles(dir);
}

/**
 * Makes `dir` (and missing parents) and refuses a folder that already holds files unless `overwrite`:
 * an export never replaces the user's files without a word.
 */
async function prepareTarget(dir: string, overwrite: boolean): Promise<void> {
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

/** RGBA preview: class colors, unlabeled pixels transparent. */
async function colorPreview(
  width: number,
  height: number,
  values: Uint8Array,
  colors: ReadonlyMap<number, string>,
): Promise<Buffer> {
  const lut = new Uint8Array(256 * 4);
  for (const [v, hex] of colors) lut.set([...hexToRgb(hex), 255], v * 4);
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== UNLABELED) rgba.set(lut.subarray(v * 4, v * 4 + 4), i * 4);
  }
  return sharp(rgba, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

export async function exportMasks(
  db: ProjectDb,
  dir: string,
  { overwrite = false, labels = 'all', signal, imageIds }: ExportOptions = {},
): Promise<ExportReport> {
  const colors = new Map(listClasses(db).map((c) => [c.value, c.color]));
  await prepareTarget(dir, overwrite);
  await outputFolder(join(dir, 'masks'));
  await outputFolder(join(dir, 'previews'));
  const report: ExportReport = { kind: 'masks', dir, files: 0, skipped: [] };
  const unique = uniqueStems();
  for (const img of exportedImages(db, imageIds)) {
    stopIfCancelled(signal, report);
    const map = loadLabelMap(db, img.id);
    if (!map) {
      report.skipped.push(img.name);
      continue;
    }
    const name = unique(img.name);
    const classes = exportedClasses(map, labels);
    await writeFileAtomic(join(dir, 'masks', `${name}.png`), encodeIndexedMask(map.width, map.height, classes, colors));
    await writeFileAtomic(
      join(dir, 'previews', `${name}.png`),
      await colorPreview(map.width, map.height, classes, colors),
    );
    report.files += 2;
  }
  return report;
}

export async function exportDataset(
  db: ProjectDb,
  dir: string,
  { overwrite = false, labels = 'all', signal, imageIds }: ExportOptions = {},
): Promise<ExportReport> {
  const classes = listClasses(db);
  if (!classes.length) throw new AppError('INVALID_INPUT', 'The project has no classes to export');
  const toIndex = new Uint8Array(256).fill(UNLABELED);
  classes.forEach((c, i) => (toIndex[c.value] = i));
  const indexColors = new Map(classes.map((c, i) => [i, c.color]));
  // Weights need two classes with labels; a dataset without them still exports, without weights.
  let weights: { effective: number; computed: number }[] | null = null;
  try {
    weights = computeClassWeights(db, ['painted', 'propagated', 'predicted', 'imported']);
  } catch {
    weights = null;
  }
  await prepareTarget(dir, overwrite);
  for (const sub of ['images', 'masks']) await outputFolder(join(dir, sub));
  const report: ExportReport = { kind: 'dataset', dir, files: 0, skipped: [] };
  const splits: Record<string, string[]> = { train: [], val: [], unassigned: [] };
  const unique = uniqueStems();
  for (const img of exportedImages(db, imageIds)) {
    stopIfCancelled(signal, report);
    const original = getOriginal(db, img.id);
    if (!original) {
      // Removed from the project while the export ran.
      report.skipped.push(img.name);
      continue;
    }
    const name = unique(img.name);
    const imageFile = `${name}${extname(img.name).toLowerCase() || '.png'}`;
    await writeFileAtomic(join(dir, 'images', imageFile), original);
    report.files++;
    const map = loadLabelMap(db, img.id);
    const values = new Uint8Array(img.width * img.height).fill(UNLABELED);
    if (map) {
      const classes = exportedClasses(map, labels);
      for (let i = 0; i < values.length; i++) values[i] = toIndex[classes[i]!]!;
    }
    await writeFileAtomic(
      join(dir, 'masks', `${name}.png`),
      encodeIndexedMask(img.width, img.height, values, indexColors),
    );
    report.files++;
    splits[img.split]!.push(name);
  }
  const classesJson = {
    format: 'maskwright-dataset-1',
    mask_encoding: '8-bit indexed PNG; value = class index (0..C-1); 255 = unlabeled (ignore)',
    ignore_index: UNLABELED,
    classes: classes.map((c, i) => ({
      index: i,
      name: c.name,
      color: hexToRgb(c.color),
      weight: weights?.[i]?.effective ?? null,
      weight_computed: weights?.[i]?.computed ?? null,
    })),
    splits,
  };
  await writeFileAtomic(join(dir, 'classes.json'), JSON.stringify(classesJson, null, 2));
  for (const [split, names] of Object.entries(splits))
    await writeFileAtomic(join(dir, `${split}.txt`), names.map((n) => `${n}\n`).join(''));
  report.files += 4;
  return report;
}

/**
 * The model as TF.js layers format: model.json (topology + weights manifest + metadata) and weights.bin.
 * Loads with plain `tf.loadLayersModel` (e.g. from a URL or `file://` with tfjs-node).
 */
export async function exportModel(
  db: ProjectDb,
  dir: string,
  checkpointId?: number,
  overwrite = false,
): Promise<ExportReport> {
  const c = findCheckpoint(db, checkpointId);
  const meta = c.metadata;
  const metadata = {
    maskwright: {
      checkpoint: c.id,
      run: c.runId,
      epoch: c.epoch + 1, // counted from 1, as the app and the CLI show it
      classes: meta.classNames.map((name, i) => ({
        index: i,
        name,
        color: meta.classColors[i],
        value: meta.classValues[i],
      })),
      inputSize: { height: meta.inputSize[0], width: meta.inputSize[1] },
      normalization: meta.normalization,
      output: 'logits [1, H, W, C]; softmax over the last axis gives class probabilities; argmax gives the class index',
    },
  };
  await prepareTarget(dir, overwrite);
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'Maskwright',
    convertedBy: null,
    modelTopology: c.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: meta.weightSpecs }],
    userDefinedMetadata: metadata,
  };
  // model.json without its weights.bin (a full disk between the two) would load as a broken model.
  await writeFilesAtomic([
    { path: join(dir, 'weights.bin'), data: c.weights },
    { path: join(dir, 'model.json'), data: JSON.stringify(modelJson) },
    { path: join(dir, 'metadata.json'), data: JSON.stringify(metadata.maskwright, null, 2) },
  ]);
  return { kind: 'model', dir, files: 3, skipped: [] };
}

export interface ExportOptions {
  checkpointId?: number | undefined;
  /** Write into a folder that already holds files (same-named files are replaced). */
  overwrite?: boolean | undefined;
  /** Masks and dataset: every label, or only painted and imported ones. */
  labels?: ExportLabels | undefined;
  /** Aborted: stop before the next image (export.cancel). */
  signal?: AbortSignal | undefined;
  /** Masks and dataset of these images only (the grid's selection). */
  imageIds?: readonly number[] | undefined;
}

/** The project's images, or only those in `imageIds` (an export of the grid's selection). */
function exportedImages(db: ProjectDb, imageIds?: readonly number[]) {
  const all = listImages(db);
  if (!imageIds) return all;
  const chosen = new Set(imageIds);
  return all.filter((i) => chosen.has(i.id));
}

export function runExport(
  db: ProjectDb,
  kind: ExportKind,
  dir: string,
  options: ExportOptions = {},
): Promise<ExportReport> {
  if (kind === 'masks') return exportMasks(db, dir, options);
  if (kind === 'dataset') return exportDataset(db, dir, options);
  return exportModel(db, dir, options.checkpointId, options.overwrite ?? false);
}
