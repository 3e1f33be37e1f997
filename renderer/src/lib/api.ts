/** The typed IPC client: `call(channel, input)` resolves with the value or throws `AppError`. */
import { makeCall, type Call } from '../../../core/ipc/client';
import type { GrantedPath, MaskwrightApi } from '../../../core/ipc/contract';
import { AppError } from '../../../core/ipc/errors';

const missing: MaskwrightApi = {
  invoke: () =>
    Promise.resolve({
      ok: false,
      error: { code: 'INTERNAL', message: 'The app bridge (window.api) is not available' },
    }),
  on: () => () => {},
};

const bridge: MaskwrightApi = typeof window !== 'undefined' && window.api ? window.api : missing;

/** Follows a progress event from main; returns the unsubscribe function. */
export const onEvent: MaskwrightApi['on'] = (event, listener) => bridge.on(event, listener);

export const call: Call = makeCall(bridge);

/** A grant for files dropped on the window, where the bridge can learn their paths (Electron); else null. */
export async function grantDropped(files: File[]): Promise<GrantedPath | null> {
  if (!bridge.grantDropped) return null;
  const env = await bridge.grantDropped(files);
  if (!env.ok) throw new AppError(env.error.code, env.error.message);
  return env.value;
}

/** What to show the user for a failure: the AppError's message, or a generic line for the unexpected. */
export function errorMessage(err: unknown): string {
  if (err instanceof AppError) return err.message;
  if (err instanceof Error) return `Unexpected error: ${err.message}`;
  return `Unexpected error: ${String(err)}`;
}
