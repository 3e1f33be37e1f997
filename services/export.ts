/**
 * Export: label masks (indexed PNG with the class palette, plus color previews), a dataset folder in
 * Maskwright's layout or another tool's (export/formats/: VOC, Cityscapes, COCO, YOLO-seg, per-class
 * masks), and a trained model in the TensorFlow.js layers format.
 *
 * `runExport` dispatches on the kind (`--what`) through EXPORTERS: a new kind is one entry there and in
 * EXPORT_KINDS (and the contract's enum). Label exports run export/pass.ts, which reads each label map
 * once and hands it to a format writer (export/formats/).
 */
import { join } from 'node:path';
import type { DatasetFormat } from '../core/ipc/contract';
import type { ProjectDb } from '../db/open';
import { findCheckpoint } from './predict';
import { modelDescription } from './model-description';
import { AppError } from '../core/ipc/errors';
import { makeDirs, sweepTempFiles, writeFileAtomic, writeFilesAtomic } from './out-files';
import { onnxExportFiles } from './onnx/export';
import { pytorchJobFiles } from './pytorch-job/job';
import { DATASET_WRITERS } from './export/formats';
import { masksFormat } from './export/formats/masks';
import { prepareTarget, runPass, type ExportLabels, type ExportReport } from './export/pass';

export type { ExportReport };

export const EXPORT_KINDS = ['masks', 'dataset', 'model', 'onnx', 'pytorch-job'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export function exportMasks(db: ProjectDb, dir: string, options: ExportOptions = {}): Promise<ExportReport> {
  return runPass(db, 'masks', dir, masksFormat, {
    ...options,
    skipUnlabeled: true,
    needsClasses: false,
    needsSplit: false,
  });
}

export function exportDataset(db: ProjectDb, dir: string, options: ExportOptions = {}): Promise<ExportReport> {
  return runPass(db, 'dataset', dir, DATASET_WRITERS[options.format ?? 'maskwright'], options);
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
      ...modelDescription(c),
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

/** Files a model format's writer made (name -> bytes), written into `dir` after its check. */
async function writeModelFiles(
  kind: ExportKind,
  dir: string,
  files: ReadonlyMap<string, Uint8Array>,
  overwrite: boolean,
): Promise<ExportReport> {
  await prepareTarget(dir, overwrite);
  // All or none: a model file without its metadata (a full disk between the two) would mislead.
  await writeFilesAtomic([...files].map(([name, data]) => ({ path: join(dir, name), data })));
  return { kind, dir, files: files.size, skipped: [] };
}

/** The model as ONNX (./onnx/): model.onnx and metadata.json. */
function exportOnnx(db: ProjectDb, dir: string, checkpointId?: number, overwrite = false) {
  const c = findCheckpoint(db, checkpointId);
  let files: Map<string, Uint8Array>;
  try {
    files = onnxExportFiles(c);
  } catch (e) {
    throw new AppError('INVALID_INPUT', `Checkpoint ${c.id} cannot be written as ONNX: ${(e as Error).message}`);
  }
  return writeModelFiles('onnx', dir, files, overwrite);
}

/**
 * A PyTorch training job (./pytorch-job/): train.py, job.json, the working-size arrays, the starting
 * weights of `checkpointId` when given, and the dataset export in dataset/.
 */
async function exportPytorchJob(db: ProjectDb, dir: string, options: ExportOptions = {}) {
  const files = await pytorchJobFiles(db, { checkpointId: options.checkpointId });
  await prepareTarget(dir, options.overwrite ?? false);
  await makeDirs(join(dir, 'arrays'));
  await sweepTempFiles(join(dir, 'arrays'));
  for (const [name, bytes] of files) await writeFileAtomic(join(dir, name), bytes);
  const dataset = await exportDataset(db, join(dir, 'dataset'), { ...options, overwrite: true });
  return { ...dataset, kind: 'pytorch-job' as const, dir, files: dataset.files + files.size };
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
  /** Dataset: the layout (default Maskwright's own). */
  format?: DatasetFormat | undefined;
  /** Dataset in COCO: polygons instead of RLE. */
  polygons?: boolean | undefined;
}

type Exporter = (db: ProjectDb, dir: string, options: ExportOptions) => Promise<ExportReport>;

/** What each kind (`--what`) runs; a new kind is one entry here and in EXPORT_KINDS. */
const EXPORTERS: Readonly<Record<ExportKind, Exporter>> = {
  masks: exportMasks,
  dataset: exportDataset,
  model: (db, dir, options) => exportModel(db, dir, options.checkpointId, options.overwrite ?? false),
  onnx: (db, dir, options) => exportOnnx(db, dir, options.checkpointId, options.overwrite ?? false),
  'pytorch-job': exportPytorchJob,
};

export function runExport(
  db: ProjectDb,
  kind: ExportKind,
  dir: string,
  options: ExportOptions = {},
): Promise<ExportReport> {
  return EXPORTERS[kind](db, dir, options);
}
