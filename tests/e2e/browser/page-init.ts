/**
 * Runs in the page before the renderer (the harness transpiles it and installs it with addInitScript).
 * It plays the preload's part: `window.api.invoke` forwards to the harness's exposed function, which
 * calls the real registry in Node. Type-checked with the DOM lib by renderer/tsconfig.json.
 *
 * Electron's IPC copies values with the structured clone algorithm, so a `Uint8Array` crosses as a
 * `Uint8Array` both ways. Playwright's exposed functions carry JSON-like values only, so byte arrays
 * travel as `{ __u8: base64 }`: encoded here for arguments and decoded here for results (the Node
 * side of the harness does the reverse).
 */
import type { MaskwrightApi } from '../../../core/ipc/contract';
import type { DropFile } from '../protocol';

declare global {
  interface Window {
    __maskwrightInvoke(channel: string, payload: unknown): Promise<unknown>;
    /** Called by the harness for each event main would send (`webContents.send`). */
    __maskwrightEmit(event: string, payload: unknown): void;
    __maskwrightE2e: { dragFiles(files: DropFile[], drop: boolean): void };
  }
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function encode(value: unknown): unknown {
  if (value instanceof Uint8Array) return { __u8: toBase64(value) };
  if (Array.isArray(value)) return value.map(encode);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v)]));
  }
  return value;
}

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (typeof obj.__u8 === 'string' && Object.keys(obj).length === 1) return fromBase64(obj.__u8);
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, decode(v)]));
  }
  return value;
}

const listeners = new Map<string, Set<(payload: never) => void>>();

const api: MaskwrightApi = {
  invoke: async (channel, input) =>
    decode(await window.__maskwrightInvoke(channel, encode(input))) as Awaited<ReturnType<MaskwrightApi['invoke']>>,
  on(event, listener) {
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    set.add(listener as (payload: never) => void);
    return () => void set.delete(listener as (payload: never) => void);
  },
};
Object.defineProperty(window, '__maskwrightEmit', {
  value: (event: string, payload: unknown) => {
    for (const l of listeners.get(event) ?? []) l(decode(payload) as never);
  },
});
Object.defineProperty(window, 'api', { value: Object.freeze(api), enumerable: true });

// Test-only helper: what the OS does when files are dropped on the window.
Object.defineProperty(window, '__maskwrightE2e', {
  value: Object.freeze({
    dragFiles(files: DropFile[], drop: boolean): void {
      const transfer = new DataTransfer();
      for (const f of files) transfer.items.add(new File([fromBase64(f.base64)], f.name, { type: f.type }));
      const target = document.elementFromPoint(innerWidth / 2, innerHeight / 2) ?? document.body;
      for (const type of drop ? (['dragenter', 'dragover', 'drop'] as const) : (['dragenter', 'dragover'] as const)) {
        target.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
    },
  }),
});
