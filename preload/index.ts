/**
 * The preload: exposes exactly one object, `window.api`, with one typed function. Raw ipcRenderer never
 * reaches the page; channels outside the contract are refused here as well as in main.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { CHANNELS } from '../core/ipc/channels';
import type { MaskwrightApi } from '../core/ipc/contract';

const allowed = new Set<string>(CHANNELS);

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
};

contextBridge.exposeInMainWorld('api', api);
