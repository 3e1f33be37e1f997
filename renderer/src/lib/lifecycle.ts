/**
 * Work that must finish before the window closes (saving edits). Main sends `app.beforeClose`, the
 * renderer runs every registered flush, then answers `app.closeReady` so main closes the window.
 */
import { call, onEvent } from './api';

type Flush = () => Promise<void>;
const flushes = new Set<Flush>();

/** Registers a flush; returns the function that unregisters it (call it when the component goes away). */
export function beforeClose(flush: Flush): () => void {
  flushes.add(flush);
  return () => void flushes.delete(flush);
}

/** Runs every flush (failures are already shown by their owners), then lets main close the window. */
async function flushAndClose(): Promise<void> {
  await Promise.allSettled([...flushes].map((f) => f()));
  await call('app.closeReady');
}

/** Installs the listener once, at start-up. */
export function installCloseHandler(): () => void {
  return onEvent('app.beforeClose', () => void flushAndClose());
}
