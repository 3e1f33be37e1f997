/** The Train panel's form: what the user edits, and the settings it becomes for `train.start`. */
import type { TrainPlan } from '../../../core/ipc/contract';
import type { BackendStatus } from '../../../core/training/backends';
import { DEFAULT_SCHEDULE, SCHEDULE_LABELS, SCHEDULES, type Schedule } from '../../../core/training/schedule';
import type { z } from 'zod';
import {
  BACKEND_CHOICES,
  BACKEND_DEFAULTS,
  backendClass,
  DEFAULT_TRAIN_SETTINGS,
  PIXEL_SOURCES,
  type PixelSource,
  type TrainSettingsInput,
  type ValidationLabels,
} from '../../../core/training/settings';
import { entries, SETTINGS, type FormFieldName } from '../../../core/training/setting-table';

export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export { BACKEND_CHOICES, PIXEL_SOURCES, SCHEDULE_LABELS, SCHEDULES };

/** The text fields of Advanced, in the table's order (core/training/setting-table.ts, `form`). */
export const FORM_FIELDS = entries(SETTINGS).flatMap(([key, d]) =>
  d.form ? [{ key: key as FormFieldName, label: d.form.label, hint: d.form.hint }] : [],
);

/**
 * Fields as the inputs hold them; empty strings mean "not set" (auto size, no limit, the backend's
 * default): the table's text fields, and the ones laid out by hand.
 */
export type TrainForm = Record<FormFieldName, string> & {
  /** Both empty: working size chosen from the images. */
  width: string;
  height: string;
  schedule: Schedule;
  sources: PixelSource[];
  /** Which labels validate: 'person' (default) or every trained label (core/training/split.ts). */
  validateOn: ValidationLabels;
  backend: BackendChoice;
};

/** A text field's start: the one-click limits, else the schema's default, else empty (unset). */
function fieldDefault(key: FormFieldName): string {
  const limit = (DEFAULT_TRAIN_SETTINGS as Record<string, unknown>)[key];
  const value = limit ?? (SETTINGS[key].schema as z.ZodType).safeParse(undefined).data;
  return value === undefined || value === null ? '' : String(value);
}

export function defaultForm(): TrainForm {
  const fields = Object.fromEntries(FORM_FIELDS.map((f) => [f.key, fieldDefault(f.key)])) as Record<
    FormFieldName,
    string
  >;
  return {
    ...fields,
    width: '',
    height: '',
    schedule: DEFAULT_SCHEDULE,
    sources: ['painted', 'propagated', 'imported'],
    validateOn: 'person',
    backend: 'auto',
  };
}

const num = (text: string): number | undefined => {
  const t = text.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : Number.NaN;
};

/**
 * The settings for `train.start`; the API validates them and its messages are shown inline. Any number
 * reaches the API (a stem of 3 too), which names the allowed values in its message.
 */
export function formSettings(form: TrainForm): TrainSettingsInput {
  const fields = Object.fromEntries(FORM_FIELDS.map((f) => [f.key, num(form[f.key])]));
  return {
    ...fields,
    width: num(form.width) ?? null,
    height: num(form.height) ?? null,
    schedule: form.schedule,
    sources: [...form.sources],
    validateOn: form.validateOn,
    backend: form.backend,
  } as TrainSettingsInput;
}

/**
 * The backend a run with `choice` would use, from the list of backends: auto's pick, or the first
 * available one of that choice; null when unknown (not listed yet) or unavailable.
 */
export function backendFor(choice: BackendChoice, backends: BackendStatus[] | null): BackendStatus | null {
  if (!backends) return null;
  if (choice === 'auto') return backends.find((b) => b.auto) ?? null;
  return backends.find((b) => b.choice === choice && b.available) ?? null;
}

/**
 * What the training process will use for the settings left empty, in words, e.g. "On wasm (CPU
 * defaults): long side 256 px · width 16 · batch 4". The worker resolves the same table
 * (core/training/settings.ts `resolveTrainSettings`) once the backend has started.
 */
export function resolvedLine(form: TrainForm, backend: BackendStatus | null): string {
  if (!backend) return '';
  const cls = backendClass({ name: backend.name, detail: backend.detail, software: backend.adapter?.software });
  const d = BACKEND_DEFAULTS[cls];
  const set = (text: string, fallback: number) => (text.trim() === '' ? String(fallback) : text.trim());
  const size = form.width.trim() || form.height.trim() ? 'size as set' : `long side ${d.longSide} px`;
  return `On ${backend.name} (${cls.toUpperCase()} defaults): ${size} · width ${set(form.baseFilters, d.baseFilters)} · stem ${set(form.stem, d.stem)} · batch ${set(form.batchSize, d.batchSize)}`;
}

/**
 * What a run would train and validate on, before Start (train.plan, the split the training process uses):
 * "8 training, 2 validation images (2 held out automatically)"; why it cannot start yet; or '' while unknown.
 */
export function planLine(plan: TrainPlan | null): string {
  if (!plan) return '';
  if (plan.notReady) return plan.notReady;
  const held = plan.heldOut.length;
  const images = `${plan.train} training, ${plan.val} validation image${plan.val === 1 ? '' : 's'}`;
  if (plan.val === 0) return `${images}: mIoU will be measured on the training images`;
  return held ? `${images} (${held} held out automatically)` : images;
}

/** One line describing the form, e.g. "30 epochs or 10 min · size auto · painted, propagated · backend auto". */
export function describeForm(form: TrainForm): string {
  const limits = [
    form.epochs.trim() && `${form.epochs.trim()} epochs`,
    form.minutes.trim() && `${form.minutes.trim()} min`,
  ]
    .filter(Boolean)
    .join(' or ');
  const size =
    form.width.trim() || form.height.trim() ? `${form.width.trim() || '?'}×${form.height.trim() || '?'}` : 'auto';
  const validation = form.validateOn === 'trained' ? ' · validated on every trained label' : '';
  return `${limits || 'no limit'} · size ${size} · ${form.sources.join(', ') || 'no sources'}${validation} · backend ${form.backend}`;
}

/** A validation issue as the API reports it (core/ipc/errors.ts): where, and the validator's words. */
export interface Issue {
  path: readonly (string | number)[];
  message: string;
}

/**
 * The API's validation issues for `train.start({ settings })` by form field (`general` for the rest), the
 * first one per field. A field the form sent as NaN (what `formSettings` makes of text that is not a
 * number) reads "Enter a number.": found by the issue's path in what was sent, whatever the validator's
 * wording; any other issue keeps its message.
 */
export function fieldErrors(issues: readonly Issue[], settings: TrainSettingsInput): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const [root, field] = issue.path;
    const inSettings = root === 'settings' && field !== undefined;
    const sent = inSettings ? (settings as Record<string, unknown>)[String(field)] : undefined;
    errors[inSettings ? String(field) : 'general'] ??= Number.isNaN(sent) ? 'Enter a number.' : issue.message;
  }
  return errors;
}
