/**
 * Every training setting, declared once: its schema (type, range, default), the one-click default per
 * backend class, its CLI flag and help, its field in the Train form, its words in the run history, and
 * whether it changes the model's architecture. The zod schema (settings.ts), the CLI's flags and help
 * (cli/train.ts, the CamVid bench), the form (renderer/src/training/form.ts), the stored run settings
 * (db/runs.ts), the run history and the resume check all derive from this table: a new setting is a new
 * entry here (tests/core/training/setting-table.test.ts adds one and finds it in each).
 */
import { z } from 'zod';
import { DEFAULT_SCHEDULE, SCHEDULE_LABELS, SCHEDULES } from './schedule';

export const PIXEL_SOURCES = ['painted', 'propagated', 'predicted', 'imported'] as const;
export type PixelSource = (typeof PIXEL_SOURCES)[number];

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

/**
 * Peak learning rate of a run that sets none. With the default schedule (DEFAULT_SCHEDULE) on CamVid at the
 * CPU defaults, 0.002 was no better than 0.001 over two seeds (README, Training defaults); the GPU row is
 * not measured.
 */
const DEFAULT_LEARNING_RATE = 1e-3;

/**
 * Long side of the working size chosen from the images, per backend class (not a setting: what an unset
 * width and height become). The figures behind it and the `byBackend` defaults below are in the README,
 * section "Training defaults"; change both together.
 */
export const LONG_SIDE = { cpu: 256, gpu: 512 } as const;

/** What a stored run's settings hold besides the settings: a value of the table's own, or anything. */
type Values = Readonly<Record<string, unknown>>;

export interface SettingDecl<S extends z.ZodType = z.ZodType> {
  /** Type, range and default (the schema's `.default`; `.optional()`: unset, see `byBackend`). */
  schema: S;
  /** Unset: this default per backend class (core/training/settings.ts BACKEND_DEFAULTS), resolved by the training process. */
  byBackend?: { cpu: z.output<S> & number; gpu: z.output<S> & number };
  /**
   * The CLI flag (`--name ARG`) and its help, a line and continuation lines. A boolean is `--name` and
   * `--no-name` (`no`: the second one's help); `parse`: flag text to settings, or the error's words,
   * where the flag is not the value itself (e.g. `--size WxH` sets width and height).
   */
  flag?: {
    name: string;
    arg?: string;
    help: readonly string[];
    no?: string;
    parse?: (text: string) => Values | string;
  };
  /** A text field in the Train form's Advanced grid: its label and placeholder. */
  /** `hint`: the field's placeholder, short enough for a third of the Train view at 1024 px (about 20 characters). */
  form?: { label: string; hint: string };
  /** The setting in the run history's line ("batch 4"), from the stored run's settings; null: not shown. */
  history?(value: z.output<S> | undefined, all: Values): string | null;
  /**
   * The setting shapes the model: a checkpoint trained with another value cannot be resumed. `value`: what
   * must match (default: the value itself); `words`: how the refusal names the setting.
   */
  architecture?: { value?(value: z.output<S>): unknown; words?: string };
}

/**
 * An entry of the table: here so that each entry's functions know its value's type, and its type keeps
 * whether it has a form field (the form's type lists those fields).
 */
function setting<S extends z.ZodType, F extends SettingDecl['form'] = undefined>(
  d: SettingDecl<S> & { form?: F },
): SettingDecl<S> & { form: F } {
  return d as SettingDecl<S> & { form: F };
}

export const SETTINGS = {
  epochs: setting({
    schema: z.number().int().min(1).max(10_000).optional(),
    flag: {
      name: 'epochs',
      arg: 'N',
      help: ['epoch limit (default 30 when neither --epochs nor --minutes is given, with 10 minutes)'],
    },
    form: { label: 'Epochs', hint: 'empty: no epoch limit' },
    history: (v) => (v !== undefined ? `${v} epochs` : null),
  }),
  minutes: setting({
    schema: z
      .number()
      .positive()
      .max(7 * 24 * 60)
      .optional(),
    flag: { name: 'minutes', arg: 'M', help: ['time budget; with both, whichever ends first'] },
    form: { label: 'Minutes', hint: 'empty: no time limit' },
    history: (v) => (v !== undefined ? `${v} min` : null),
  }),
  /**
   * Working size; both must be multiples of inputMultiple(depth, stem). Null: chosen from the images (the
   * long side of the backend's defaults, LONG_SIDE).
   */
  width: setting({
    schema: z.number().int().min(16).max(2048).nullable().default(null),
    flag: {
      name: 'size',
      arg: 'WxH',
      help: [
        `working size, multiples of stem x 2^depth (default: the images' aspect, long side ${LONG_SIDE.cpu} on`,
        `the CPU, ${LONG_SIDE.gpu} on a GPU; README "Training defaults")`,
      ],
      parse: (text) => {
        const m = /^(\d+)x(\d+)$/.exec(text);
        return m ? { width: Number(m[1]), height: Number(m[2]) } : '--size must look like 256x192';
      },
    },
    history: (w, all) =>
      w && all.height
        ? `${w}×${String(all.height)}`
        : typeof all.longSide === 'number'
          ? `long side ${all.longSide}`
          : 'size auto',
  }),
  height: setting({ schema: z.number().int().min(16).max(2048).nullable().default(null) }),
  backend: setting({
    schema: z.enum(BACKEND_CHOICES).default('auto'),
    flag: {
      name: 'backend',
      arg: 'B',
      help: [
        `${BACKEND_CHOICES.join(' | ')} (default auto: tensorflow-gpu, webgpu on a hardware GPU, tensorflow, wasm, cpu)`,
      ],
    },
  }),
  batchSize: setting({
    schema: z.number().int().min(1).max(256).optional(),
    byBackend: { cpu: 4, gpu: 8 },
    flag: { name: 'batch', arg: 'N', help: ['batch size'] },
    form: { label: 'Batch size', hint: 'empty: by backend' },
    history: (v) => (v !== undefined ? `batch ${v}` : null),
  }),
  /** Peak learning rate (after the warm-up, see core/training/schedule.ts). */
  learningRate: setting({
    schema: z.number().positive().max(1).default(DEFAULT_LEARNING_RATE),
    flag: { name: 'lr', arg: 'X', help: [`peak learning rate (default ${DEFAULT_LEARNING_RATE})`] },
    form: { label: 'Learning rate', hint: '' },
    history: (v, all) =>
      v !== undefined
        ? `lr ${v}${typeof all.schedule === 'string' && all.schedule !== 'constant' ? ` (${all.schedule})` : ''}`
        : null,
  }),
  schedule: setting({
    schema: z.enum(SCHEDULES).default(DEFAULT_SCHEDULE),
    flag: {
      name: 'schedule',
      arg: 'S',
      help: [
        `${SCHEDULES.join(' | ')} (default ${DEFAULT_SCHEDULE}; the decays end at 1% of the rate)`,
        ...SCHEDULES.filter((s) => s !== 'constant').map((s) => `${s}: ${SCHEDULE_LABELS[s].toLowerCase()}`),
      ],
    },
  }),
  /** Decoupled (AdamW) weight decay of the convolution kernels, per unit of learning rate; 0 = off. */
  weightDecay: setting({
    schema: z.number().min(0).max(1).default(0),
    flag: {
      name: 'weight-decay',
      arg: 'W',
      help: ['decoupled weight decay of the convolution kernels (default 0: off)'],
    },
    form: { label: 'Weight decay', hint: '0: off' },
    history: (v) => (typeof v === 'number' && v > 0 ? `weight decay ${v}` : null),
  }),
  /** Filters of the first layer. */
  baseFilters: setting({
    schema: z.number().int().min(2).max(256).optional(),
    byBackend: { cpu: 16, gpu: 32 },
    flag: { name: 'width-base', arg: 'N', help: ['filters of the first level'] },
    form: { label: 'Model width', hint: 'empty: by backend' },
    history: (v) => (v !== undefined ? `width ${v}` : null),
    architecture: {},
  }),
  depth: setting({
    schema: z.number().int().min(1).max(6).default(3),
    flag: { name: 'depth', arg: 'N', help: ['levels (default 3)'] },
    form: { label: 'Depth', hint: 'levels of the U-Net' },
    history: (v) => (v !== undefined ? `depth ${v}` : null),
    architecture: {},
  }),
  /** See STEMS. */
  stem: setting({
    schema: z.literal(STEMS).optional(),
    byBackend: { cpu: 2, gpu: 1 },
    flag: {
      name: 'stem',
      arg: 'S',
      help: [
        `${STEMS.join(' | ')}: the U-Net runs at 1/S of the working size behind a learned stem, about 1/S^2`,
        'the cost per image',
      ],
    },
    form: { label: 'Stem', hint: '1, 2, 4 (by backend)' },
    history: (v) => (typeof v === 'number' && v > 1 ? `stem ${v}` : null),
    architecture: {},
  }),
  dropout: setting({ schema: z.number().min(0).max(0.9).default(0.1) }),
  /** Which label sources train: painted, propagated, accepted predictions, imported. */
  sources: setting({
    schema: z.array(z.enum(PIXEL_SOURCES)).min(1).default(['painted', 'propagated', 'imported']),
    flag: {
      name: 'sources',
      arg: 'LIST',
      help: [
        `label sources that train, comma-separated: ${PIXEL_SOURCES.join(',')}`,
        '(default painted,propagated,imported)',
      ],
    },
    history: (v) => (Array.isArray(v) ? v.join(', ') : null),
  }),
  /** Which labels validate the run (VALIDATION_LABELS); with no labels a person made, 'trained' is used and said. */
  validateOn: setting({
    schema: z.enum(VALIDATION_LABELS).default('person'),
    flag: {
      name: 'validate-on',
      arg: 'L',
      help: [
        'labels that validate: person (painted, imported, and on Reviewed images; the default)',
        "or trained (every label it trains on, Fill unlabeled's and predictions included)",
      ],
    },
  }),
  reduction: setting({ schema: z.enum(['sumPerImageMeanOverBatch', 'weightedMean']).default('weightedMean') }),
  /** Weight of the reconstruction (autoencoder) loss on all images, labeled or not; 0 = off. */
  reconstructionWeight: setting({
    schema: z.number().min(0).max(100).default(0),
    flag: {
      name: 'reconstruction',
      arg: 'W',
      help: [
        'weight of the autoencoder loss; above 0 the unlabeled images also go through the',
        'network every step (their own pass; default 0: off)',
      ],
    },
    architecture: { value: (w) => w > 0, words: '--reconstruction (on or off)' },
  }),
  flips: setting({ schema: z.boolean().default(true) }),
  /**
   * Random scale and crop, photometric jitter and class-balanced crops (trainer/run/augment.ts). Off by
   * default: on CamVid at the CPU defaults (9 epochs) it cost 10 points of val mIoU (README, Training
   * defaults) until its strength is tuned.
   */
  augment: setting({
    schema: z.boolean().default(false),
    flag: {
      name: 'augment',
      help: [
        'random scale 0.5-2x and crop, flips, colour jitter, crops placed on rare classes',
        'half the time (default: off, whole images at the working size, flipped only)',
      ],
      no: 'the default: no augmentation beyond flips',
    },
  }),
  seed: setting({
    schema: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(1),
    flag: { name: 'seed', arg: 'N', help: ['seed of initialisation, shuffling and augmentation'] },
  }),
  /** Continue from this checkpoint's weights (same classes and architecture). */
  resumeFrom: setting({
    schema: z.number().int().positive().optional(),
    flag: {
      name: 'resume',
      arg: 'ID',
      help: ['continue from checkpoint ID (a new budget: the schedule warms up again)'],
    },
  }),
} satisfies Record<string, SettingDecl>;

export type SettingName = keyof typeof SETTINGS;

/** The settings that are a text field of the Train form's Advanced grid. */
export type FormFieldName = {
  [K in SettingName]: (typeof SETTINGS)[K]['form'] extends object ? K : never;
}[SettingName];

/** A table's entries in order, for the code that treats every setting alike. */
export const entries = (table: Readonly<Record<string, SettingDecl>>): [SettingName, SettingDecl][] =>
  Object.entries(table) as [SettingName, SettingDecl][];
