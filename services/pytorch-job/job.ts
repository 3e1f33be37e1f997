/**
 * `--what pytorch-job`: a folder that trains the project's U-Net with PyTorch (DistributedDataParallel
 * under torchrun) on machines bigger than this one, and whose output `maskwright import-model` brings
 * back. What the training process would use is decided here, once, as worker/jobs/train.ts decides it: the
 * run's settings (the newest run's, else the defaults, with the GPU class's defaults for what is unset),
 * the working size, the split (the user's validation images, else the automatic hold-out), the samples at
 * the working size as Maskwright's decoder resizes them (arrays/*.npy, so both trainers read the same
 * pixels), and the class weights (median frequency of the training images at the working size, with the
 * project's overrides). The dataset folder (images and label PNGs) is beside them for people and other
 * tools; train.py reads only the arrays.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../core/ipc/errors';
import {
  backendClass,
  resolveTrainSettings,
  trainSettingsSchema,
  runWorkingSize,
  DEFAULT_TRAIN_SETTINGS,
} from '../../core/training/settings';
import { classHistogram, medianFrequencyWeights, mergeClassWeights } from '../../core/training/weights';
import { listClasses } from '../../db/classes';
import { listImages } from '../../db/images';
import type { ProjectDb } from '../../db/open';
import { getCheckpoint, listRuns } from '../../db/runs';
import { loadSamples, type TrainingSample } from '../dataset';
import { splitPlan } from '../split';
import { npy } from './npy';
import { JOB_README } from './readme';
import { TRAIN_PY } from './train-py';

/** trainer/model.ts's INPUT_NORMALIZATION (main/ cannot import trainer/); the tests compare the two. */
export const JOB_NORMALIZATION = 'x / 127.5 - 1 (RGB in [0, 255] -> [-1, 1])';

/** The settings the job trains with: the newest run's, else the one-click defaults, for a GPU machine. */
function jobSettings(db: ProjectDb) {
  const newest = listRuns(db).at(-1);
  const parsed = newest ? trainSettingsSchema.safeParse(newest.settings) : null;
  const user = parsed?.success ? parsed.data : trainSettingsSchema.parse(DEFAULT_TRAIN_SETTINGS);
  return resolveTrainSettings(user, backendClass({ name: 'tensorflow-gpu', detail: '' }));
}

const encode = (text: string) => new TextEncoder().encode(text);

/** The job's files (name -> bytes), without the dataset folder (written by the dataset export). */
export async function pytorchJobFiles(
  db: ProjectDb,
  { checkpointId }: { checkpointId?: number | undefined } = {},
): Promise<Map<string, Uint8Array>> {
  const settings = jobSettings(db);
  const images = listImages(db);
  const size = runWorkingSize(settings, images);
  // The split and the labels that validate, as a training run computes them (services/split.ts).
  const plan = splitPlan(db, settings.sources, settings.validateOn);
  const heldOut = plan.heldOut;
  const { samples, mapping } = await loadSamples(db, {
    ...size,
    sources: settings.sources,
    splits: ['train', 'val', 'unassigned'],
    provenancesFor: plan.provenancesFor,
  });
  const isVal = (s: TrainingSample) => s.split === 'val' || plan.val.has(s.id);
  const train = samples.filter((s) => !isVal(s) && s.labels);
  const val = samples.filter((s) => isVal(s) && s.labels);
  if (!train.length) throw new AppError('INVALID_INPUT', 'No training image has labels the run trains on');
  const C = mapping.values.length;
  const computed = medianFrequencyWeights(
    train.map((s) => classHistogram(s.labels!, C)),
    C,
  );
  const classWeights = Array.from(
    mergeClassWeights(
      computed.weights,
      listClasses(db).map((c) => c.weightOverride),
    ),
  );
  const { width: W, height: H } = size;
  const stack = (list: TrainingSample[], what: 'rgb' | 'labels') => {
    const per = W * H * (what === 'rgb' ? 3 : 1);
    const out = new Uint8Array(list.length * per);
    list.forEach((s, i) => out.set(s[what]!, i * per));
    return out;
  };
  const job = {
    format: 'maskwright-pytorch-job-1',
    id: randomUUID(),
    classes: mapping.names.map((name, i) => ({ index: i, name, color: mapping.colors[i], value: mapping.values[i] })),
    classWeights,
    computedClassWeights: Array.from(computed.weights),
    model: {
      baseFilters: settings.baseFilters,
      depth: settings.depth,
      stem: settings.stem,
      dropout: settings.dropout,
      batchNorm: true,
    },
    inputSize: [H, W],
    normalization: JOB_NORMALIZATION,
    settings,
    split: {
      train: train.map((s) => s.name),
      val: val.map((s) => s.name),
      heldOutAutomatically: val.filter((s) => heldOut.has(s.id)).map((s) => s.name),
    },
    initialWeights: null as null | { checkpoint: number; run: number; epoch: number },
  };
  const files = new Map<string, Uint8Array>([
    ['train.py', encode(TRAIN_PY)],
    ['README.md', encode(JOB_README)],
    ['arrays/train_images.npy', npy(stack(train, 'rgb'), 'u1', [train.length, H, W, 3])],
    ['arrays/train_labels.npy', npy(stack(train, 'labels'), 'u1', [train.length, H, W])],
    [
      'arrays/train_weights.npy',
      npy(new Uint8Array(Float32Array.from(train, (s) => s.sampleWeight).buffer), 'f4', [train.length]),
    ],
    ['arrays/val_images.npy', npy(stack(val, 'rgb'), 'u1', [val.length, H, W, 3])],
    ['arrays/val_labels.npy', npy(stack(val, 'labels'), 'u1', [val.length, H, W])],
  ]);
  if (checkpointId !== undefined) {
    const c = getCheckpoint(db, checkpointId);
    if (JSON.stringify(c.metadata.classValues) !== JSON.stringify(mapping.values))
      throw new AppError('INVALID_INPUT', `Checkpoint ${c.id} predicts other classes than the project has now`);
    job.initialWeights = { checkpoint: c.id, run: c.runId, epoch: c.epoch + 1 };
    files.set('init_weights.json', encode(JSON.stringify({ weightSpecs: c.metadata.weightSpecs })));
    files.set('init_weights.bin', c.weights);
  }
  files.set('job.json', encode(JSON.stringify(job, null, 2)));
  return files;
}
