/**
 * The preload: exposes exactly one object, `window.api`, with one typed function. Raw ipcRenderer never
 * reaches the page; channels outside the contract are refused here as well as in main.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { CHANNELS, DROP_GRANT_CHANNEL } from '../core/ipc/channels';
import type { MaskwrightApi } from '../core/ipc/contract';
import { EVENTS } from '../core/ipc/events';

const allowed = new Set<string>(CHANNELS);
const allowedEvents = new Set<string>(EVENTS);

const api: MaskwrightApi = {
  invoke(channel, input) {
    if (!allowed.has(channel)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'UNKNOWN_CHANNEL', message: `Unknown channel: ${String(channel)}` },
      });
    }
    return ipcRenderer.invoke(channel, input);
  },
  grantDropped(files) {
    // Paths stay out of the page: they go from here to main, which answers an opaque grant.
    const paths = Array.from(files, (f) => webUtils.getPathForFile(f as File)).filter((p) => p !== '');
    if (paths.length === 0) return Promise.resolve({ ok: true, value: null });
    return ipcRenderer.invoke(DROP_GRANT_CHANNEL, { paths });
  },
  on(event, listener) {
    if (!allowedEvents.has(event)) throw new Error(`Unknown event: ${String(event)}`);
    // Only the payload reaches the page, never the IpcRendererEvent (it exposes `sender`).
    const handler = (_e: unknown, payload: unknown) => listener(payload as never);
    ipcRenderer.on(event, handler);
    return () => void ipcRenderer.removeListener(event, handler);
  },
};

contextBridge.exposeInMainWorld('api', api);
