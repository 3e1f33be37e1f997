export class UsageError extends Error {}

import { visibleControls, visibleName } from '../core/ipc/errors';

/**
 * One line on stdout; control characters from names (terminal escapes, line breaks) made visible, so a
 * file name never ends the line or fakes another.
 */
export const out = (line = '') => process.stdout.write(`${visibleName(line)}\n`);
/** A JSON document on stdout (JSON escapes the control characters in its strings). */
export const outJson = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
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
