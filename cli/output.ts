export class UsageError extends Error {}

import { visibleControls } from '../core/ipc/errors';

/** One line (or a block, e.g. JSON) on stdout; control characters from names (terminal escapes) made visible. */
export const out = (line = '') => process.stdout.write(`${visibleControls(line)}\n`);
/** Exactly one line on stderr, whatever the message holds. */
export const err = (line: string) => process.stderr.write(`${visibleControls(line.replace(/\s*[\r\n]+\s*/g, ' '))}\n`);

export function intOption(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

export function numberOption(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a number from ${min} to ${max}`);
  return n;
}

/** A fraction as a percentage; '-' when there is no value (e.g. a metric of a class that is absent). */
export const pct = (x: number | null | undefined) =>
  x === null || x === undefined || Number.isNaN(x) ? '-' : `${(100 * x).toFixed(1)}%`;
