/** The typed IPC client: `call(channel, input)` resolves with the value or throws `AppError`. */
import { makeCall, type Call } from '../../../core/ipc/client';
import type { MaskwrightApi } from '../../../core/ipc/contract';
import { AppError } from '../../../core/ipc/errors';

const missing: MaskwrightApi = {
  invoke: () =>
    Promise.resolve({
      ok: false,
      error: { code: 'INTERNAL', message: 'The app bridge (window.api) is not available' },
    }),
};

export const call: Call = makeCall(typeof window !== 'undefined' && window.api ? window.api : missing);

/** What to show the user for a failure: the AppError's message, or a generic line for the unexpected. */
export function errorMessage(err: unknown): string {
  if (err instanceof AppError) return err.message;
  if (err instanceof Error) return `Unexpected error: ${err.message}`;
  return `Unexpected error: ${String(err)}`;
}
