/**
 * Events main pushes to the renderer (progress of long operations). Declared once, like the channels;
 * the preload refuses to subscribe to anything not listed here.
 */
export const EVENTS = ['import.progress'] as const;
export type AppEvent = (typeof EVENTS)[number];

export interface EventPayloads {
  /** One file of an import finished (imported, skipped or failed). */
  'import.progress': { done: number; total: number; name: string };
}

export type Emit = <E extends AppEvent>(event: E, payload: EventPayloads[E]) => void;
export type Listener<E extends AppEvent> = (payload: EventPayloads[E]) => void;
