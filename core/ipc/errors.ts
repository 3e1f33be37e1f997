/** Error codes every IPC handler may answer with. The renderer switches on `code`, never on message text. */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'UNKNOWN_CHANNEL',
  'NO_PROJECT',
  'NOT_FOUND',
  'CONFLICT',
  /** A target folder already holds files: ask before writing into it (export's `overwrite`). */
  'NOT_EMPTY',
  'UNSUPPORTED',
  'TOO_LARGE',
  'IO',
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
