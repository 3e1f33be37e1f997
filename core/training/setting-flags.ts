/**
 * The training settings as command-line flags, derived from the table (setting-table.ts): the flags
 * `maskwright train` and the CamVid bench accept, their help, and the settings they give.
 */
import type { z } from 'zod';
import { entries, SETTINGS, type SettingDecl } from './setting-table';
import { DEFAULT_TRAIN_SETTINGS, type TrainSettingsInput } from './settings';

/** Flag text that cannot be a setting: the words say why (the CLI prints them as a usage error). */
export class FlagError extends Error {}

/** The schema under `.optional()`, `.default()` and `.nullable()`: what a value must be. */
function inner(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const def = s._zod.def as { type: string; innerType?: z.ZodType };
    if (!def.innerType || !['optional', 'default', 'nullable', 'prefault'].includes(def.type)) return s;
    s = def.innerType;
  }
}

/** The range of a number setting in words, e.g. "an integer from 1 to 256", "a number above 0 and at most 1". */
function rangeWords(s: z.ZodNumber): string {
  const min = s.minValue ?? -Infinity;
  const max = s.maxValue ?? Infinity;
  const exclusive = Number.isFinite(min) && !s.safeParse(min).success;
  if (s.isInt) {
    const lo = exclusive ? Math.floor(min) + 1 : min;
    return Number.isFinite(max) ? `an integer from ${lo} to ${max}` : `an integer of at least ${lo}`;
  }
  return exclusive ? `a number above ${min} and at most ${max}` : `a number from ${min} to ${max}`;
}

/** The value of `--name TEXT` for the setting `d`, or a FlagError saying what it must be. */
function valueOf(d: SettingDecl, name: string, text: string): unknown {
  const s = inner(d.schema);
  const def = s._zod.def as { type: string; values?: unknown[]; element?: z.ZodType };
  if (def.type === 'number') {
    const n = Number(text);
    if (text.trim() === '' || !s.safeParse(n).success)
      throw new FlagError(`--${name} must be ${rangeWords(s as z.ZodNumber)}`);
    return n;
  }
  if (def.type === 'enum' || def.type === 'literal') {
    const options = def.type === 'enum' ? (s as z.ZodEnum).options : def.values!;
    const value = options.find((o) => String(o) === text);
    if (value === undefined) throw new FlagError(`--${name} must be one of ${options.join(', ')}`);
    return value;
  }
  if (def.type === 'array') {
    const options = (def.element as z.ZodEnum).options as readonly string[];
    const list = text.split(',').map((t) => t.trim());
    for (const t of list)
      if (!options.includes(t)) throw new FlagError(`--${name}: unknown "${t}" (one of ${options.join(', ')})`);
    return list;
  }
  throw new Error(`no flag parsing for a ${def.type} setting (--${name})`);
}

/** The flags, as node:util parseArgs options: a boolean setting is `--name` and `--no-name`. */
export function settingFlagOptions(): Record<string, { type: 'string' | 'boolean' }> {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [, d] of entries(SETTINGS)) {
    if (!d.flag) continue;
    const boolean = inner(d.schema)._zod.def.type === 'boolean';
    options[d.flag.name] = { type: boolean ? 'boolean' : 'string' };
    if (boolean) options[`no-${d.flag.name}`] = { type: 'boolean' };
  }
  return options;
}

/** The flags' help, one flag a line (and its continuation lines), in the table's order. */
export function settingFlagHelp(): string[] {
  const lines: string[] = [];
  const add = (head: string, help: readonly string[]) => {
    const width = Math.max(18, head.length + 2);
    help.forEach((h, i) => lines.push(`${(i === 0 ? head : '').padEnd(width)}${h}`));
  };
  for (const [, d] of entries(SETTINGS)) {
    const f = d.flag;
    if (!f) continue;
    const help = [...f.help];
    if (d.byBackend) {
      const resuming = d.architecture ? "; resuming: the checkpoint's" : '';
      help[help.length - 1] += ` (default ${d.byBackend.cpu} on the CPU, ${d.byBackend.gpu} on a GPU${resuming})`;
    }
    add(`--${f.name}${f.arg ? ` ${f.arg}` : ''}`, help);
    if (f.no !== undefined) add(`--no-${f.name}`, [f.no]);
  }
  return lines;
}

/**
 * The settings the flags ask for (parsed by node:util parseArgs with settingFlagOptions), over `defaults`:
 * without --epochs and --minutes, the defaults' limits; with either, only what is given. Throws a
 * FlagError for a value that cannot be.
 */
export function settingsFromFlags(
  values: Readonly<Record<string, unknown>>,
  defaults: TrainSettingsInput = DEFAULT_TRAIN_SETTINGS,
): TrainSettingsInput {
  const { epochs, minutes, ...rest } = defaults;
  const settings: Record<string, unknown> = { ...rest };
  for (const [key, d] of entries(SETTINGS)) {
    const f = d.flag;
    if (!f) continue;
    const value = values[f.name];
    if (inner(d.schema)._zod.def.type === 'boolean') {
      const no = values[`no-${f.name}`] === true;
      if (value === true && no) throw new FlagError(`give --${f.name} or --no-${f.name}, not both`);
      if (value === true || no) settings[key] = value === true;
      continue;
    }
    if (typeof value !== 'string') continue;
    if (f.parse) {
      const parsed = f.parse(value);
      if (typeof parsed === 'string') throw new FlagError(parsed);
      // Each setting the flag sets is checked against its own schema (--size 0x0: width and height).
      for (const [k, v] of Object.entries(parsed)) {
        const schema = inner(SETTINGS[k as keyof typeof SETTINGS].schema);
        if (!schema.safeParse(v).success)
          throw new FlagError(
            `--${f.name}: ${k} must be ${schema._zod.def.type === 'number' ? rangeWords(schema as z.ZodNumber) : 'valid'}`,
          );
      }
      Object.assign(settings, parsed);
    } else settings[key] = valueOf(d, f.name, value);
  }
  if (settings.epochs === undefined && settings.minutes === undefined) Object.assign(settings, { epochs, minutes });
  return settings as TrainSettingsInput;
}
