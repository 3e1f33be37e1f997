/**
 * A run's settings as the project file stores them, typed: db/runs.ts parses them here, once, and the run
 * history and the resume check read them. Each setting is checked against its own schema in the table
 * (setting-table.ts), so a run recorded by an older version keeps what still parses.
 */
import { z } from 'zod';
import { validationBasisSchema, type ValidationBasis } from '../jobs/train';
import { entries, SETTINGS, type SettingDecl } from './setting-table';
import type { TrainSettings } from './settings';

/**
 * What a run recorded: the settings it was queued with, once it started with the backend's defaults filled
 * in (`longSide` too) and the labels that validated it. A key that is no setting of this version is kept
 * as it was, untyped.
 */
export type StoredRunSettings = Partial<TrainSettings> & { longSide?: number; validation?: ValidationBasis };

/** The schema of a stored key: the table's for a setting, none (kept as is) for the rest. */
function fieldSchema(key: string): z.ZodType | null {
  if (key === 'longSide') return z.number().int().positive();
  if (key === 'validation') return validationBasisSchema;
  return (SETTINGS as Record<string, SettingDecl>)[key]?.schema ?? null;
}

/** A stored run's settings (JSON already parsed): what fails its setting's schema is left out. */
export function parseRunSettings(raw: unknown): StoredRunSettings {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const schema = fieldSchema(key);
    if (!schema) settings[key] = value;
    else {
      const parsed = schema.safeParse(value);
      if (parsed.success) settings[key] = parsed.data;
    }
  }
  return settings as StoredRunSettings;
}

/** The run history's line for a run's settings, e.g. "3 epochs · 10 min · long side 256 · batch 4 · ...". */
export function runSettingsLine(settings: StoredRunSettings): string {
  const all = settings as Readonly<Record<string, unknown>>;
  return entries(SETTINGS)
    .map(([key, d]) => d.history?.(all[key], all) ?? null)
    .filter((part) => part !== null)
    .join(' · ');
}

/**
 * The settings that shape the model, as the resume check compares them: what must match (the table's
 * `architecture.value`, else the value) and how the refusal names it (its flag by default).
 */
export function architectureOf(settings: Partial<TrainSettings>): { words: string; value: unknown }[] {
  const all = settings as Readonly<Record<string, unknown>>;
  return entries(SETTINGS).flatMap(([key, d]) => {
    const a = d.architecture;
    if (!a) return [];
    const v = all[key];
    return [{ words: a.words ?? `--${d.flag?.name ?? key}`, value: v === undefined || !a.value ? v : a.value(v) }];
  });
}
