/**
 * `maskwright import-model`: the weights a PyTorch training job wrote (`export --what pytorch-job`, then
 * train.py) as the checkpoint of a run marked trained elsewhere, with the job's per-epoch metrics. The
 * topology is Maskwright's own U-Net built with the job's width, depth and stem; every weight the job
 * wrote must match it by name and shape, and the classes must be the project's, or nothing is recorded.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppError } from '../core/ipc/errors';
import type { WeightSpec } from '../core/training/checkpoint';
import { listClasses } from '../db/classes';
import { recordImportedRun } from '../db/runs';
import { buildUNet, INPUT_NORMALIZATION } from '../trainer/model';
import { serializeModel } from '../trainer/run/checkpoint';
import { withProject, type Command } from './command';
import { out, UsageError } from './output';

interface JobModel {
  format: string;
  model: { baseFilters: number; depth: number; stem: number; dropout: number };
  classes: { index: number; name: string; color: string; value: number }[];
  inputSize: [number, number];
  normalization: string;
  classWeights: number[];
  settings: Record<string, unknown>;
  trainedWith: string;
  steps: number;
  weightSpecs: { name: string; shape: number[]; dtype: string }[];
}

interface JobEpoch {
  epoch: number;
  trainLoss: number | null;
  valLoss: number | null;
  metrics: Record<string, unknown>;
}

async function readJson<T>(path: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new AppError(
      'NOT_FOUND',
      `Cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new AppError('INVALID_INPUT', `${path} is not JSON`);
  }
}

/** The job's weights laid out in `specs`' order (the TF.js model's), checked by name and shape. */
function packWeights(
  job: JobModel,
  bytes: Uint8Array,
  specs: readonly { name: string; shape: number[] }[],
): Uint8Array {
  const byName = new Map<string, { shape: number[]; data: Uint8Array }>();
  let offset = 0;
  for (const s of job.weightSpecs) {
    const n = s.shape.reduce((a, b) => a * b, 1) * 4;
    if (s.dtype !== 'float32' || offset + n > bytes.byteLength)
      throw new AppError('INVALID_INPUT', `weights.bin does not hold ${s.name} as model.json describes it`);
    byName.set(s.name, { shape: s.shape, data: bytes.subarray(offset, offset + n) });
    offset += n;
  }
  const outBytes = new Uint8Array(offset);
  let at = 0;
  for (const s of specs) {
    const w = byName.get(s.name);
    if (!w) throw new AppError('INVALID_INPUT', `The job's weights lack ${s.name}`);
    if (w.shape.join('x') !== s.shape.join('x'))
      throw new AppError(
        'INVALID_INPUT',
        `${s.name} is ${w.shape.join('x')} in the job, ${s.shape.join('x')} in the model`,
      );
    outBytes.set(w.data, at);
    at += w.data.byteLength;
  }
  if (at !== offset) throw new AppError('INVALID_INPUT', "The job's weights hold tensors the model does not have");
  return outBytes;
}

export const importModelCmd: Command = {
  name: 'import-model',
  usage: 'import-model PROJECT FOLDER',
  summary: "bring back what a PyTorch training job (export --what pytorch-job) trained, as a run 'trained elsewhere'",
  help: [
    '',
    "FOLDER is train.py's output: model.json, weights.bin and epochs.json. The run gets the job's epochs and",
    'metrics, and its last epoch as a checkpoint that Predict, Label next and export use like any other.',
    '',
  ].join('\n'),
  options: {},
  async run([path, folder, ...extra]) {
    if (!path || !folder || extra.length) throw new UsageError('give a project path and the folder train.py wrote');
    const dir = resolve(folder);
    const job = await readJson<JobModel>(join(dir, 'model.json'));
    if (job.format !== 'maskwright-pytorch-weights-1')
      throw new AppError('INVALID_INPUT', `${join(dir, 'model.json')} is not the output of a Maskwright PyTorch job`);
    const epochs = await readJson<JobEpoch[]>(join(dir, 'epochs.json'));
    const bytes = new Uint8Array(
      await readFile(join(dir, 'weights.bin')).catch(() => {
        throw new AppError('NOT_FOUND', `Cannot read ${join(dir, 'weights.bin')}`);
      }),
    );
    return withProject(
      path,
      async (project) => {
        const db = project.db;
        const classes = listClasses(db);
        const ours = classes.map((c) => `${c.value}:${c.name}`).join(', ');
        const theirs = job.classes.map((c) => `${c.value}:${c.name}`).join(', ');
        if (ours !== theirs)
          throw new AppError('INVALID_INPUT', `The job's classes (${theirs}) are not the project's (${ours})`);
        const model = buildUNet({
          numClasses: job.classes.length,
          baseFilters: job.model.baseFilters,
          depth: job.model.depth,
          stem: job.model.stem,
          dropout: job.model.dropout,
        });
        const s = await serializeModel(model);
        model.dispose();
        const weights = packWeights(job, bytes, s.weightSpecs);
        const last = epochs.at(-1)?.epoch ?? 0;
        const { runId, checkpointId } = recordImportedRun(
          db,
          {
            settings: { ...job.settings, trainedElsewhere: { with: job.trainedWith, steps: job.steps, folder: dir } },
            backend: `trained elsewhere: ${job.trainedWith}`,
            message: `Trained elsewhere (${job.trainedWith}), ${job.steps} step(s); imported from ${dir}`,
          },
          epochs.map((e) => ({
            epoch: e.epoch,
            trainLoss: e.trainLoss,
            valLoss: e.valLoss,
            metrics: e.metrics as Parameters<typeof recordImportedRun>[2][number]['metrics'],
          })),
          {
            modelTopology: s.modelTopology,
            weights,
            metadata: {
              weightSpecs: s.weightSpecs as WeightSpec[],
              classValues: job.classes.map((c) => c.value),
              classNames: job.classes.map((c) => c.name),
              classColors: job.classes.map((c) => c.color),
              inputSize: job.inputSize,
              normalization: job.normalization || INPUT_NORMALIZATION,
              classWeights: job.classWeights,
              epoch: last,
            },
          },
        );
        out(
          `Imported run ${runId} (trained elsewhere: ${job.trainedWith}): ${epochs.length} epoch(s), checkpoint ${checkpointId}`,
        );
        return 0;
      },
      'import a model',
    );
  },
};
