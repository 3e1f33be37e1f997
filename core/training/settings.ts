/**
 * Settings of a training run, with the defaults behind the one-click "Train" and their bounds.
 * Validated wherever they enter (IPC, CLI, the training process).
 */
import { Provenance } from '../labelmap/types';
import { z } from 'zod';
import { DEFAULT_SCHEDULE, SCHEDULES } from './schedule';

export const PIXEL_SOURCES = ['painted', 'propagated', 'predicted', 'imported'] as const;
export type PixelSource = (typeof PIXEL_SOURCES)[number];

/** The provenance code (core/labelmap/types.ts) of the pixels each source stands for. */
const SOURCE_PROVENANCE: Readonly<Record<PixelSource, number>> = {
  painted: Provenance.Painted,
  propagated: Provenance.Propagated,
  predicted: Provenance.Predicted,
  imported: Provenance.Imported,
};

/** The provenance codes of the labels that train when these sources are checked. */
export function trustedProvenances(sources: readonly PixelSource[]): ReadonlySet<number> {
  return new Set(sources.map((s) => SOURCE_PROVENANCE[s]));
}

/**
 * Which labels validate a run (core/training/split.ts): 'person', labels a person made (painted, imported,
 * and every label of an image marked Reviewed); 'trained', every label the run trains on, Fill unlabeled's
 * and accepted predictions included (then the mIoU measures propagated labels too).
 */
export const VALIDATION_LABELS = ['person', 'trained'] as const;
export type ValidationLabels = (typeof VALIDATION_LABELS)[number];

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;

/**
 * Down-sampling of the model's stem: the U-Net runs at 1/stem of the working size, behind a learned
 * stem x stem stride-stem convolution, and a transposed one gives every working pixel its logits again
 * (trainer/model.ts). 1: no stem.
 */
export const STEMS = [1, 2, 4] as const;
export type Stem = (typeof STEMS)[number];

/** What a working size must be a multiple of, for a model of `depth` levels behind a stem. */
export function inputMultiple(depth: number, stem: number = 1): number {
  return stem * 2 ** depth;
}

/** A recorded run's settings as the model was built: runs recorded before the stem setting had none (1). */
export function asRecorded(settings: TrainSettings): TrainSettings & { stem: Stem } {
  return { ...settings, stem: settings.stem ?? 1 };
}

/**
 * Peak learning rate of a run that sets none. With the default schedule (DEFAULT_SCHEDULE) on CamVid at the
 * CPU defaults, 0.002 was no better than 0.001 over two seeds (README, Training defaults); the GPU row is
 * not measured.
 */
export const DEFAULT_LEARNING_RATE = 1e-3;
/** The range of a working size's width and height, in pixels (the settings schema and `--size`). */
export const WORKING_SIZE_LIMITS = { min: 16, max: 2048 } as const;

export const trainSettingsSchema = z
  .object({
    /**
     * Working size; both must be multiples of inputMultiple(depth, stem). Null: chosen from the images (the
     * long side of the backend's defaults, BACKEND_DEFAULTS).
     */
    width: z.number().int().min(WORKING_SIZE_LIMITS.min).max(WORKING_SIZE_LIMITS.max).nullable().default(null),
    height: z.number().int().min(WORKING_SIZE_LIMITS.min).max(WORKING_SIZE_LIMITS.max).nullable().default(null),
    epochs: z.number().int().min(1).max(10_000).optional(),
    minutes: z
      .number()
      .positive()
      .max(7 * 24 * 60)
      .optional(),
    /** Unset: the backend's default (BACKEND_DEFAULTS), resolved by the training process. */
    batchSize: z.number().int().min(1).max(256).optional(),
    /** Peak learning rate (after the warm-up, see core/training/schedule.ts). */
    learningRate: z.number().positive().max(1).default(DEFAULT_LEARNING_RATE),
    schedule: z.enum(SCHEDULES).default(DEFAULT_SCHEDULE),
    /** Decoupled (AdamW) weight decay of the convolution kernels, per unit of learning rate; 0 = off. */
    weightDecay: z.number().min(0).max(1).default(0),
    /** Filters of the first layer. Unset: the backend's default (BACKEND_DEFAULTS). */
    baseFilters: z.number().int().min(2).max(256).optional(),
    depth: z.number().int().min(1).max(6).default(3),
    /** See STEMS. Unset: the backend's default (BACKEND_DEFAULTS). */
    stem: z.literal(STEMS).optional(),
    dropout: z.number().min(0).max(0.9).default(0.1),
    /** Which label sources train: painted, propagated, accepted predictions, imported. */
    sources: z.array(z.enum(PIXEL_SOURCES)).min(1).default(['painted', 'propagated', 'imported']),
    /** Which labels validate the run (VALIDATION_LABELS); with no labels a person made, 'trained' is used and said. */
    validateOn: z.enum(VALIDATION_LABELS).default('person'),
    reduction: z.enum(['sumPerImageMeanOverBatch', 'weightedMean']).default('weightedMean'),
    /** Weight of the reconstruction (autoencoder) loss on all images, labeled or not; 0 = off. */
    reconstructionWeight: z.number().min(0).max(100).default(0),
    flips: z.boolean().default(true),
    /**
     * Random scale and crop, photometric jitter and class-balanced crops (trainer/run/augment.ts). Off by
     * default: on CamVid at the CPU defaults (9 epochs) it cost 10 points of val mIoU (README, Training
     * defaults) until its strength is tuned.
     */
    augment: z.boolean().default(false),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(1),
    backend: z.enum(BACKEND_CHOICES).default('auto'),
    /** Continue from this checkpoint's weights (same classes and architecture). */
    resumeFrom: z.number().int().positive().optional(),
  })
  .refine((s) => s.epochs !== undefined || s.minutes !== undefined, { message: 'set epochs or minutes' });

export type TrainSettingsInput = z.input<typeof trainSettingsSchema>;
export type TrainSettings = z.output<typeof trainSettingsSchema>;

/** The one-click defaults: at most 30 epochs or 10 minutes. */
export const DEFAULT_TRAIN_SETTINGS: TrainSettingsInput = { epochs: 30, minutes: 10 };

/**
 * Backends by what the one-click defaults can afford: 'gpu' is webgpu on a hardware adapter and
 * tensorflow on CUDA (tfjs-node-gpu); everything else (wasm, cpu, tensorflow on the CPU, webgpu on a
 * software adapter) computes on the CPU.
 */
export type BackendClass = 'cpu' | 'gpu';

export function backendClass(backend: { name: string; detail: string; software?: boolean | undefined }): BackendClass {
  if (backend.name === 'webgpu') return backend.software ? 'cpu' : 'gpu';
  if (backend.name === 'tensorflow-gpu') return 'gpu'; // core/training/backends.ts's name for CUDA
  if (backend.name === 'tensorflow') return backend.detail.includes('tfjs-node-gpu') ? 'gpu' : 'cpu';
  return 'cpu';
}

export interface BackendDefaults {
  /** Long side of the working size chosen from the images (when width and height are unset). */
  longSide: number;
  baseFilters: number;
  batchSize: number;
  stem: Stem;
}

/**
 * The one-click defaults per backend class, for the settings the user left unset. The figures behind
 * them are in the README, section "Training defaults"; change both together.
 */
export const BACKEND_DEFAULTS: Readonly<Record<BackendClass, Readonly<BackendDefaults>>> = {
  cpu: { longSide: 256, baseFilters: 16, batchSize: 4, stem: 2 },
  gpu: { longSide: 512, baseFilters: 32, batchSize: 8, stem: 1 },
};

/** Settings with every backend-dependent default filled in: what a run actually uses. */
export type ResolvedTrainSettings = TrainSettings & BackendDefaults;

/**
 * Fills the settings the user left unset from the backend's row of BACKEND_DEFAULTS; what the user set
 * always wins. `architecture`: the model settings of the checkpoint a resumed run continues from (its
 * weights only load into the same shapes), used before the table.
 */
export function resolveTrainSettings(
  settings: TrainSettings,
  cls: BackendClass,
  architecture?: { baseFilters?: number | undefined; stem?: Stem | undefined },
): ResolvedTrainSettings {
  const d = BACKEND_DEFAULTS[cls];
  return {
    ...settings,
    longSide: d.longSide,
    batchSize: settings.batchSize ?? d.batchSize,
    baseFilters: settings.baseFilters ?? architecture?.baseFilters ?? d.baseFilters,
    stem: settings.stem ?? architecture?.stem ?? d.stem,
  };
}

/**
 * Working size for images of `width` x `height`: the long side scaled to `longSide` (never up), both
 * rounded to multiples of inputMultiple(depth, stem) (at least one step).
 */
export function workingSize(
  width: number,
  height: number,
  depth: number,
  longSide = 256,
  stem = 1,
): { width: number; height: number } {
  const step = inputMultiple(depth, stem);
  const scale = Math.min(1, longSide / Math.max(width, height));
  const round = (v: number) => Math.max(step, Math.round((v * scale) / step) * step);
  return { width: round(width), height: round(height) };
}
