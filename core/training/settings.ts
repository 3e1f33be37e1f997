/**
 * Settings of a training run, with the defaults behind the one-click "Train" and their bounds.
 * Validated wherever they enter (IPC, CLI, the training process).
 */
import { AppError } from '../ipc/errors';
import { Provenance } from '../labelmap/types';
import { z } from 'zod';
import { entries, LONG_SIDE, SETTINGS, type PixelSource, type SettingDecl, type Stem } from './setting-table';

export {
  BACKEND_CHOICES,
  PIXEL_SOURCES,
  STEMS,
  VALIDATION_LABELS,
  type PixelSource,
  type Stem,
  type ValidationLabels,
} from './setting-table';

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

/** What a working size must be a multiple of, for a model of `depth` levels behind a stem. */
function inputMultiple(depth: number, stem: number = 1): number {
  return stem * 2 ** depth;
}

/** A recorded run's settings as the model was built: runs recorded before the stem setting had none (1). */
export function asRecorded(settings: TrainSettings): TrainSettings & { stem: Stem } {
  return { ...settings, stem: settings.stem ?? 1 };
}

/** The schema of the settings, one field per entry of the table (setting-table.ts). */
function schemaOf<T extends Readonly<Record<string, SettingDecl>>>(table: T) {
  const shape = Object.fromEntries(entries(table).map(([k, d]) => [k, d.schema])) as {
    [K in keyof T]: T[K]['schema'];
  };
  return z.object(shape);
}

const settingsObject = schemaOf(SETTINGS);

export const trainSettingsSchema = settingsObject.refine((s) => s.epochs !== undefined || s.minutes !== undefined, {
  message: 'set epochs or minutes',
});

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

/** A table's one-click default per backend class (`byBackend`) of each setting that has one. */
function byBackendOf(table: Readonly<Record<string, SettingDecl>>, cls: BackendClass): Record<string, number> {
  return Object.fromEntries(entries(table).flatMap(([k, d]) => (d.byBackend ? [[k, d.byBackend[cls]]] : [])));
}

/**
 * The one-click defaults per backend class, for the settings the user left unset: the table's `byBackend`
 * and LONG_SIDE. The figures behind them are in the README, section "Training defaults".
 */
export const BACKEND_DEFAULTS = {
  cpu: { longSide: LONG_SIDE.cpu, ...byBackendOf(SETTINGS, 'cpu') },
  gpu: { longSide: LONG_SIDE.gpu, ...byBackendOf(SETTINGS, 'gpu') },
} as Readonly<Record<BackendClass, Readonly<BackendDefaults>>>;

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
  architecture?: Partial<TrainSettings>,
): ResolvedTrainSettings {
  const resolved: Record<string, unknown> = { ...settings, longSide: LONG_SIDE[cls] };
  for (const [k, d] of entries(SETTINGS)) {
    if (!d.byBackend) continue;
    const fromCheckpoint = d.architecture ? (architecture as Record<string, unknown> | undefined)?.[k] : undefined;
    resolved[k] = settings[k] ?? fromCheckpoint ?? d.byBackend[cls];
  }
  return resolved as unknown as ResolvedTrainSettings;
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

/**
 * The working size a run trains at: the settings' own, else from the first image with labels (or the
 * first image). Refused when it is not a multiple of inputMultiple(depth, stem), or there is no image.
 */
export function runWorkingSize(
  settings: Pick<ResolvedTrainSettings, 'width' | 'height' | 'depth' | 'longSide' | 'stem'>,
  images: readonly { width: number; height: number; labeledFraction: number }[],
): { width: number; height: number } {
  const first = images.find((i) => i.labeledFraction > 0) ?? images[0];
  if (!first) throw new AppError('INVALID_INPUT', 'The project has no images');
  const size =
    settings.width && settings.height
      ? { width: settings.width, height: settings.height }
      : workingSize(first.width, first.height, settings.depth, settings.longSide, settings.stem);
  const step = inputMultiple(settings.depth, settings.stem);
  if (size.width % step || size.height % step)
    throw new AppError(
      'INVALID_INPUT',
      `Working size must be a multiple of ${step} (depth ${settings.depth}${settings.stem > 1 ? `, stem ${settings.stem}` : ''})`,
    );
  return size;
}
