/**
 * The IPC contract: for every channel, the schema of its argument and the type of its result.
 * Defined once; main (registry), preload (channel list), renderer (typed client) and tests all use it.
 * Arguments are validated at the boundary as `unknown`; results are produced by our own handlers.
 */
import { z } from 'zod';
import type { Channel } from './channels';
import type { Envelope } from './errors';
import type { AppEvent, Listener } from './events';
import { PIXEL_SOURCES, trainSettingsSchema, VALIDATION_LABELS, type ValidationLabels } from '../training/settings';
import type { BackendStatus } from '../training/backends';
import type { EpochMetrics } from '../training/epoch-metrics';
import type { StoredRunSettings } from '../training/run-settings';

export const SPLITS = ['train', 'val', 'unassigned'] as const;
export type Split = (typeof SPLITS)[number];
/** Layouts of `export --what dataset` (services/export/formats/): Maskwright's own first, the default. */
export const DATASET_FORMATS = ['maskwright', 'voc', 'cityscapes', 'coco', 'yolo-seg', 'class-masks'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];
/** Where an image stands in the labelling work: to do, labeled (by the labeller), reviewed. */
const IMAGE_STATUSES = ['todo', 'labeled', 'reviewed'] as const;
export type ImageStatus = (typeof IMAGE_STATUSES)[number];

/** Hard limits that keep absurd payloads from reaching the database. */
export const LIMITS = {
  maxImagePixels: 100_000_000,
  maxClasses: 255,
  maxNameLength: 200,
  maxPathsPerImport: 100_000,
} as const;

/**
 * What a file grant allows: main issues grants for paths from its dialogs, the recent list and drops;
 * the renderer passes the opaque id back, never a path, and a grant serves only the use it was issued for.
 */
export type GrantUse = 'project.create' | 'project.open' | 'images.import' | 'masks.import' | 'export.run';
const grant = z.string().regex(/^g_[A-Za-z0-9_-]{24}$/, 'expected a file grant from a dialog, not a path');
/** A path the user chose, as the renderer sees it: the grant to use it, and text to show. */
export interface GrantedPath {
  grant: string;
  /** For display only (the file or folder, or "3 files"). */
  label: string;
  /** How many paths the grant holds (files picked at once). */
  count: number;
}
const id = z.number().int().positive();
const colorHex = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'color must look like #rrggbb');
// eslint-disable-next-line no-control-regex
const CONTROL_IN_NAME = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/**
 * A class name, the one rule for every path a name comes by (the app, `classes.json`, the database
 * functions): trimmed, 1 to 200 characters, no control characters (NUL, tab, line breaks, terminal escapes).
 */
export const className = z
  .string()
  .trim()
  .min(1, 'name must not be empty')
  .max(LIMITS.maxNameLength)
  .refine(
    (name) => !CONTROL_IN_NAME.test(name),
    'a class name must not hold control characters (NUL, tab, line breaks, escapes)',
  );
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes (Uint8Array)');
const none = z.undefined().or(z.null()).or(z.object({}).strict());

export interface AppInfo {
  version: string;
  platform: string;
  dataDir: string;
}
export interface ProjectInfo {
  path: string;
  name: string;
  schemaVersion: number;
  imageCount: number;
  classCount: number;
  /** Set when the project cannot be changed: why (no write permission, read-only disk). Viewing and export work. */
  readOnly?: string;
}
export interface RecentProject {
  /** Opens (or forgets) this entry: a grant for project.open. */
  grant: string;
  /** For display only. */
  path: string;
  name: string;
  openedAt: string;
  exists: boolean;
}
export interface ImageSummary {
  id: number;
  name: string;
  format: string;
  width: number;
  height: number;
  byteSize: number;
  sha256: string;
  split: Split;
  status: ImageStatus;
  /** Fraction of pixels with a label (any provenance), 0 when the image has no label map yet. */
  labeledFraction: number;
  importedAt: string;
}
export interface ImportFailure {
  name: string;
  code: string;
  message: string;
}
export interface ImportReport {
  imported: ImageSummary[];
  duplicates: { name: string; existingName: string }[];
  errors: ImportFailure[];
}
export interface ClassInfo {
  id: number;
  /** The value stored in label maps for this class (0..254); stable across renames and reorders. */
  value: number;
  name: string;
  color: string;
  position: number;
  /** User override of the loss weight; null = use the computed (median frequency) weight. */
  weightOverride: number | null;
}
/** The bytes of an image in a format the browser decodes (TIFF is converted to PNG). */
export interface ImageData {
  id: number;
  mime: string;
  data: Uint8Array;
  width: number;
  height: number;
}
/** A label map as two planes of width*height bytes: class value (255 = unlabeled) and provenance. */
export interface LabelMapData {
  imageId: number;
  width: number;
  height: number;
  classes: Uint8Array;
  provenance: Uint8Array;
  /** Incremented by every save; 0 when the image has never been labeled. */
  revision: number;
}
/** One class's loss weight: median frequency balancing over the trusted training labels, and the override. */
export interface ClassWeightRow {
  id: number;
  value: number;
  name: string;
  color: string;
  /** Trusted labeled pixels of this class in the training images. */
  pixels: number;
  /** freq_c = pixels of c / labeled pixels of the images where c appears; null when c appears nowhere. */
  frequency: number | null;
  /** median(freq) / freq_c; 0 for a class with no pixels. */
  computed: number;
  /** The user's override (0 ignores the class), or null. */
  override: number | null;
  /** What training uses: the override when set, else the computed weight. */
  effective: number;
}
/** The checkpoint predictions and exports use, and why (db/runs.ts `activeCheckpointChoice`). */
export interface ActiveModel {
  checkpointId: number;
  runId: number;
  epoch: number;
  /** The user chose it (`basis` is 'chosen'). */
  chosen: boolean;
  /** Chosen by the user; the newest run's best by validation mIoU; or its newest (no validation images). */
  basis: 'chosen' | 'best' | 'newest';
}

/** How the export dialog and the run history name the basis of the model in use. */
export const ACTIVE_BASIS_WORDS: Record<ActiveModel['basis'], string> = {
  chosen: 'chosen',
  best: 'best validation mIoU',
  newest: 'newest',
};

export interface CheckpointSummary {
  id: number;
  runId: number;
  epoch: number;
  createdAt: string;
  bytes: number;
  /** The run's metrics at this epoch (validation when the project had validation images). */
  meanIoU: number | null;
  /** Which images `meanIoU` was measured on; null when unknown (an old run). */
  metricsOn: 'val' | 'train' | null;
  /** The run's best checkpoint by validation mIoU (none in a run without validation images). */
  best: boolean;
}
export interface PredictionData {
  imageId: number;
  checkpointId: number | null;
  width: number;
  height: number;
  /** Project label values per pixel. */
  values: Uint8Array;
  /** Probability of the predicted class per pixel, x 255. */
  confidence: Uint8Array;
  meanConfidence: number;
}
export interface RankedImage {
  imageId: number;
  /** Expected gain of labeling it: uncertainty over its unlabeled pixels, 0..1. */
  gain: number;
  /** Share of its pixels labeled (any source), 0..1. */
  labeledFraction: number;
  meanConfidence: number;
}
export interface RunSummary {
  id: number;
  /** `interrupted`: its process ended without finishing (killed, crashed, machine off); its checkpoints are usable. */
  status: 'queued' | 'running' | 'completed' | 'stopped' | 'failed' | 'interrupted';
  settings: StoredRunSettings;
  backend: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  message: string | null;
}
export interface EpochSummary {
  runId: number;
  epoch: number;
  trainLoss: number | null;
  valLoss: number | null;
  metrics: EpochMetrics;
  recordedAt: string;
}
/** What a run with given label sources would train and validate on now (services/split.ts). */
export interface TrainPlan {
  /** Images with labels it trains on. */
  train: number;
  /** Images with labels that validate it. */
  val: number;
  /** Unassigned images held out for validation automatically (core/training/split.ts). */
  heldOut: number[];
  labels: ValidationLabels;
  basis: 'default' | 'chosen' | 'fallback';
  /** Said when validation measures anything but labels a person made. */
  note: string | null;
  /** Why training cannot start yet (readiness), or null. */
  notReady: string | null;
}
export interface MaskImportReport {
  applied: { imageId: number; imageName: string; maskName: string; labeledPixels: number }[];
  createdClasses: ClassInfo[];
  /** Mask files whose name matches no image of the project (skipped, not an error). */
  unmatched: string[];
  errors: ImportFailure[];
  /**
   * Mask values that match no class, with their pixel and mask counts. When not empty and the import did
   * not ask for `createClasses`, nothing was applied: the user confirms first.
   */
  unknownValues: { value: number; pixels: number; masks: number }[];
}
/** Label formats `import-labels` reads (services/label-formats/). */
export const LABEL_FORMATS = ['voc', 'cityscapes', 'coco', 'yolo-seg'] as const;
export type LabelFormat = (typeof LABEL_FORMATS)[number];
export interface LabelImportReport extends MaskImportReport {
  /**
   * Class names the files use that the project does not have. When not empty and the import did not ask
   * for `createClasses`, nothing was applied: the user confirms first.
   */
  unknownClasses: string[];
}

export const contract = {
  'app.info': { input: none, output: {} as AppInfo },
  /** The renderer has saved everything after `app.beforeClose`: the window may close now. */
  'app.closeReady': { input: none, output: {} as { closing: boolean } },
  'project.create': { input: z.object({ grant }), output: {} as ProjectInfo },
  'project.open': { input: z.object({ grant }), output: {} as ProjectInfo },
  'project.close': { input: none, output: {} as { closed: boolean } },
  'project.current': { input: none, output: {} as ProjectInfo | null },
  'project.recent': { input: none, output: {} as RecentProject[] },
  'project.forgetRecent': { input: z.object({ grant }), output: {} as RecentProject[] },
  /** Native dialogs answer a grant for what the user chose (or null when cancelled), never a path. */
  'dialog.createProject': { input: none, output: {} as GrantedPath | null },
  'dialog.openProject': { input: none, output: {} as GrantedPath | null },
  'dialog.pickImages': { input: none, output: {} as GrantedPath | null },
  /** A folder for one purpose: the grant serves only that channel. */
  'dialog.pickFolder': {
    input: z.object({ purpose: z.enum(['images.import', 'masks.import', 'export.run']) }),
    output: {} as GrantedPath | null,
  },
  'images.list': { input: none, output: {} as ImageSummary[] },
  'images.thumbnail': { input: z.object({ id }), output: {} as { id: number; dataUrl: string } },
  'images.import': {
    input: z.object({ grant }),
    output: {} as ImportReport,
  },
  /** Stops the `images.import` in progress before its next file (it answers CANCELLED; imported images stay). */
  'images.cancelImport': { input: none, output: {} as { cancelling: boolean } },
  'images.importFiles': {
    input: z.object({
      files: z
        .array(z.object({ name: z.string().min(1).max(1024), data: bytes }))
        .min(1)
        .max(10_000),
    }),
    output: {} as ImportReport,
  },
  'images.setSplit': {
    input: z.object({ ids: z.array(id).min(1), split: z.enum(SPLITS) }),
    output: {} as { updated: number },
  },
  'images.setStatus': {
    input: z.object({ ids: z.array(id).min(1), status: z.enum(IMAGE_STATUSES) }),
    output: {} as { updated: number },
  },
  'images.remove': { input: z.object({ ids: z.array(id).min(1) }), output: {} as { removed: number } },
  'images.original': { input: z.object({ id }), output: {} as ImageData },
  /**
   * The image reduced to fit `maxSide` (EXIF orientation applied), shown while the original decodes: a
   * 24 MP original takes seconds, this a fraction of one. `width` and `height` stay the original's.
   */
  'images.preview': {
    input: z.object({ id, maxSide: z.number().int().min(16).max(8192) }),
    output: {} as ImageData,
  },
  'labels.load': { input: z.object({ imageId: id }), output: {} as LabelMapData },
  'labels.save': {
    input: z.object({
      imageId: id,
      classes: bytes,
      provenance: bytes,
      /** When given, the save is refused if the stored map changed since this revision was loaded. */
      baseRevision: z.number().int().min(0).optional(),
    }),
    output: {} as { revision: number; labeledFraction: number },
  },
  /** An edit as a delta (core/labelmap/delta.ts): the changed rectangles and their bytes. */
  'labels.saveChanges': {
    input: z.object({
      imageId: id,
      /** x, y, width, height of each changed rectangle, one after another. */
      rects: z.array(z.number().int().min(0)),
      /** The rectangles' bytes, each row-major, one after another. */
      classes: bytes,
      provenance: bytes,
      /** The save is refused if the stored map changed since this revision. */
      baseRevision: z.number().int().min(0),
    }),
    output: {} as { revision: number; labeledFraction: number },
  },
  'masks.import': {
    input: z.object({
      grant,
      /** Mask value treated as unlabeled besides 255 (e.g. CamVid's 11). */
      voidValue: z.number().int().min(0).max(255).optional(),
      /** Apply a single mask to this image instead of matching masks to images by file name. */
      imageId: id.optional(),
      /** Create a class for each mask value that matches none (after the user confirmed the list). */
      createClasses: z.boolean().optional(),
      /** Another tool's label folder (the grant is one folder) instead of PNG masks whose value is the class. */
      format: z.enum(LABEL_FORMATS).optional(),
    }),
    output: {} as LabelImportReport,
  },
  'classes.list': { input: none, output: {} as ClassInfo[] },
  'classes.add': {
    input: z.object({ name: className, color: colorHex.optional() }),
    output: {} as ClassInfo,
  },
  'classes.update': {
    input: z.object({
      id,
      name: className.optional(),
      color: colorHex.optional(),
      weightOverride: z.number().finite().min(0).max(1e6).nullable().optional(),
    }),
    output: {} as ClassInfo,
  },
  'classes.reorder': { input: z.object({ ids: z.array(id).min(1) }), output: {} as ClassInfo[] },
  'classes.remove': { input: z.object({ id }), output: {} as { removed: ClassInfo; clearedPixels: number } },
  'classes.merge': {
    input: z.object({ from: id, into: id }),
    output: {} as { into: ClassInfo; movedPixels: number },
  },
  'classes.usage': { input: z.object({ id }), output: {} as { id: number; pixels: number; images: number } },
  /** Per labeled image, the share of pixels labeled by Fill unlabeled or an accepted prediction (the rest of `labeledFraction` a person labeled). */
  'images.labelSources': { input: none, output: {} as { imageId: number; machine: number }[] },
  /** Names (and colors) from a classes.json's text, as the CLI's `--classes`: existing values renamed, others added. */
  'classes.loadNames': {
    input: z.object({ name: z.string().max(1000), text: z.string().max(1_000_000) }),
    output: {} as { changed: number; classes: ClassInfo[] },
  },
  'train.classWeights': {
    input: z.object({ sources: z.array(z.enum(PIXEL_SOURCES)).min(1) }),
    output: {} as ClassWeightRow[],
  },
  /** The split a run with these label sources would use now: counts before Start, the automatic hold-out. */
  'train.plan': {
    input: z.object({
      sources: z.array(z.enum(PIXEL_SOURCES)).min(1),
      validateOn: z.enum(VALIDATION_LABELS).default('person'),
    }),
    output: {} as TrainPlan,
  },
  /** Starts a training run in its own process; progress arrives as `train.message` events. */
  'train.start': { input: z.object({ settings: trainSettingsSchema }), output: {} as { runId: number } },
  'train.stop': { input: none, output: {} as { stopping: boolean } },
  /** Every training backend, available here or not and why, with the GPU adapter (checked once per session). */
  'train.backends': { input: none, output: {} as BackendStatus[] },
  'runs.list': { input: none, output: {} as RunSummary[] },
  'runs.epochs': { input: z.object({ runId: id }), output: {} as EpochSummary[] },
  'runs.checkpoints': { input: z.object({ runId: id }), output: {} as CheckpointSummary[] },
  /**
   * The checkpoint predictions and exports use (chosen; else the newest run's best by validation mIoU, or
   * its newest without validation images: `basis`); null before any training.
   */
  'model.active': {
    input: none,
    output: {} as ActiveModel | null,
  },
  'model.select': { input: z.object({ checkpointId: id.nullable() }), output: {} as { checkpointId: number | null } },
  /** The model's prediction for one image (computed in a separate process). */
  'predict.image': { input: z.object({ imageId: id, checkpointId: id.optional() }), output: {} as PredictionData },
  /** What to label next: every image by expected gain (core/training/rank.ts), most first; images that failed apart. */
  'predict.rank': {
    input: none,
    output: {} as {
      checkpointId: number | null;
      images: RankedImage[];
      /** Images that could not be predicted, with why (the others are still ranked). */
      skipped: { imageId: number; name: string; message: string }[];
    },
  },
  /**
   * After labels changed (an accept): "Label next" scores the images whose labels changed, in the
   * background, so that the next `predict.rank` answers at once; false when it was never asked for.
   */
  'predict.rankRefresh': { input: none, output: {} as { refreshing: boolean } },
  /** Writes masks, a dataset folder or the model into `dir`. */
  'export.run': {
    input: z.object({
      kind: z.enum(['masks', 'dataset', 'model', 'onnx']),
      grant,
      checkpointId: id.optional(),
      /** Masks and dataset: all labels, or only painted and imported ones (propagated and predicted left out). */
      labels: z.enum(['all', 'trusted']).default('all'),
      /** Write into a folder that already holds files; without it such a folder answers NOT_EMPTY. */
      overwrite: z.boolean().optional(),
      /** Masks and dataset exports of these images only (the grid's selection). */
      imageIds: z.array(id).min(1).optional(),
      /** Dataset: the layout (default Maskwright's own). */
      format: z.enum(DATASET_FORMATS).optional(),
      /** COCO: polygons instead of RLE. */
      polygons: z.boolean().optional(),
    }),
    output: {} as { kind: string; dir: string; files: number; skipped: string[] },
  },
  /** Stops a running export after the image it is writing (it then answers CANCELLED). */
  'export.cancel': { input: none, output: {} as { cancelling: boolean } },
  /** The user moved on: the pending `predict.image` stops (it answers CANCELLED). */
  'predict.cancel': { input: none, output: {} as { cancelled: boolean } },
} satisfies Record<Channel, { input: z.ZodType; output: unknown }>;

type Contract = typeof contract;
export type Input<K extends Channel> = z.input<Contract[K]['input']>;
export type ParsedInput<K extends Channel> = z.output<Contract[K]['input']>;
export type Output<K extends Channel> = Contract[K]['output'];

/**
 * What the preload exposes on `window.api`: `invoke`, typed by channel (errors come back as data), and
 * `on`, to follow progress events; it returns the function that unsubscribes.
 */
/** A DOM File as core sees it (core has no DOM types): what a drop delivers. */
interface DroppedFile {
  readonly name: string;
  readonly size: number;
}

export interface MaskwrightApi {
  invoke<K extends Channel>(channel: K, input: Input<K>): Promise<Envelope<Output<K>>>;
  on<E extends AppEvent>(event: E, listener: Listener<E>): () => void;
  /**
   * Files dropped on the window: the preload reads their paths (Electron's webUtils.getPathForFile; a
   * File the page made itself has none) and main answers a grant to import them. Absent where the
   * page cannot learn paths (the browser test harness): drops then send the files' bytes.
   */
  grantDropped?(files: readonly DroppedFile[]): Promise<Envelope<GrantedPath | null>>;
}
