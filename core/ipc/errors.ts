/** Error codes every IPC handler may answer with. The renderer switches on `code`, never on message text. */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'UNKNOWN_CHANNEL',
  'NO_PROJECT',
  'NOT_FOUND',
  'CONFLICT',
  /** The project is not ready for what was asked (e.g. training without labels); the message says what to do. */
  'NOT_READY',
  /** The user cancelled the operation; the message says what was done before it stopped. */
  'CANCELLED',
  /** A target folder already holds files: ask before writing into it (export's `overwrite`). */
  'NOT_EMPTY',
  'UNSUPPORTED',
  'TOO_LARGE',
  'IO',
  /** The project is open read-only (no write permission): viewing and export work, editing does not. */
  'READ_ONLY',
  /** The request came from a frame that is not the app (a navigated or injected frame). */
  'UNTRUSTED_FRAME',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiErrorPayload {
  code: ErrorCode;
  message: string;
  /** Where in the payload validation failed, e.g. `["paths", 2]`. */
  issues?: { path: (string | number)[]; message: string }[];
}

/** Thrown by handlers (and re-thrown on the renderer side) for failures the user should read. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly issues: ApiErrorPayload['issues'];
  constructor(code: ErrorCode, message: string, issues?: ApiErrorPayload['issues']) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.issues = issues;
  }
  toPayload(): ApiErrorPayload {
    return this.issues
      ? { code: this.code, message: this.message, issues: this.issues }
      : { code: this.code, message: this.message };
  }
}

/** The envelope every channel answers with; errors travel as data so nothing is lost across the process boundary. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ApiErrorPayload };

/** C0 and C1 control characters except tab and line feed: what a terminal may take as an escape sequence. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const showControl = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/**
 * Text fit for one line of a terminal or one message box: control characters (terminal escape codes
 * included) shown as `\xNN`, line breaks and runs of spaces collapsed, at most `max` characters.
 * Used for every message that may carry outside text (file names, class names, a dying worker's output).
 */
export function oneLine(text: string, max = 500): string {
  const clean = text
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(CONTROL_CHARS, showControl)
    .replace(/\t/g, ' ')
    .trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** Control characters only (terminal escapes) made visible; line structure kept. For names in listings. */
export const visibleControls = (text: string): string => text.replace(CONTROL_CHARS, showControl);

/** Every control character made visible, tab and line breaks too: a name inside one line of output. */
// eslint-disable-next-line no-control-regex
export const visibleName = (name: string): string => name.replace(/[\u0000-\u001f\u007f-\u009f]/g, showControl);
