/**
 * The IPC registry: every channel's handler as a plain function, validated against the contract.
 * Imports nothing from Electron, so the tests call exactly what `ipcMain` calls in the app.
 */
import { CHANNELS, type Channel } from '../../core/ipc/channels';
import { contract, type Output, type ParsedInput } from '../../core/ipc/contract';
import { AppError, oneLine, type Envelope } from '../../core/ipc/errors';
import { errnoError, isErrnoError, sqliteError } from '../../services/fs-guard';

type Handler<K extends Channel> = (input: ParsedInput<K>) => Promise<Output<K>> | Output<K>;
export type Handlers = { [K in Channel]: Handler<K> };

export interface Registry {
  channels: readonly Channel[];
  /** Validates `payload` for `channel`, runs the handler and answers an envelope. Never throws. */
  invoke(channel: string, payload: unknown): Promise<Envelope<unknown>>;
}

const isChannel = (c: string): c is Channel => (CHANNELS as readonly string[]).includes(c);

export function createRegistry(handlers: Handlers, log: (msg: string, err: unknown) => void = console.error): Registry {
  return {
    channels: CHANNELS,
    async invoke(channel, payload) {
      if (typeof channel !== 'string' || !isChannel(channel)) {
        return { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `Unknown channel: ${String(channel)}` } };
      }
      const parsed = contract[channel].input.safeParse(payload);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({
          path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
          message: i.message,
        }));
        const first = issues[0];
        const where = first && first.path.length ? ` at ${first.path.join('.')}` : '';
        return {
          ok: false,
          error: {
            code: 'INVALID_INPUT',
            message: `Invalid input for ${channel}${where}: ${first?.message ?? 'malformed'}`,
            issues,
          },
        };
      }
      try {
        const handler = handlers[channel] as (input: unknown) => unknown;
        return { ok: true, value: await handler(parsed.data) };
      } catch (err) {
        if (err instanceof AppError) return { ok: false, error: { ...err.toPayload(), message: oneLine(err.message) } };
        // An I/O failure (disk full, permission, a folder gone) is the user's to fix, not a bug.
        const known = sqliteError(err);
        if (known) return { ok: false, error: known.toPayload() };
        if (isErrnoError(err)) {
          const e = errnoError(err);
          return { ok: false, error: { code: e.code, message: oneLine(e.message) } };
        }
        log(`[ipc] ${channel} failed`, err);
        const message = oneLine(err instanceof Error ? err.message : String(err), 300);
        return { ok: false, error: { code: 'INTERNAL', message: `Unexpected error in ${channel}: ${message}` } };
      }
    },
  };
}
