/// <reference types="vite/client" />
import type { MaskwrightApi } from '../../core/ipc/contract';

declare global {
  interface Window {
    /** Exposed by the preload (contextBridge) in the app, and by the harness in the end-to-end tests. */
    api: MaskwrightApi;
  }
}

export {};
