/**
 * Events main pushes to the renderer (progress of long operations). Declared once, like the channels;
 * the preload refuses to subscribe to anything not listed here.
 */
export const EVENTS = ['import.progress', 'app.beforeClose', 'train.message'] as const;
export type AppEvent = (typeof EVENTS)[number];

export interface EventPayloads {
  /** One file of an import finished (imported, skipped or failed). */
  'import.progress': {
    done: number;
    total: number;
    name: string;
    /** While a folder is searched (`done` and `total` 0): image files found so far. */
    found?: number;
  };
  /** The window is about to close: save everything, then call `app.closeReady`. */
  'app.beforeClose': null;
  /** Progress of the training run (started, step, epoch, done), as the training process reports it. */
  'train.message': TrainMessage;
}

import type { TrainMessage } from '../jobs/train';

export type Emit = <E extends AppEvent>(event: E, payload: EventPayloads[E]) => void;
export type Listener<E extends AppEvent> = (payload: EventPayloads[E]) => void;
