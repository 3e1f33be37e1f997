/**
 * Autosave: `touched` after each finished edit (stroke, fill, polygon, undo, redo) saves at once, so a crash
 * loses at most the stroke in progress; edits made while a save runs are coalesced into the next one.
 * `flush` saves at once too (image
 * switch, back to the grid, page hidden or unloading). Saves of one image run one after another and
 * send the revision they are based on, so a map changed elsewhere is reported, never overwritten.
 * A save sends the session's changed rectangles and their bytes (`labels.saveChanges`), not the whole
 * map; only "keep mine" after a conflict sends both planes (`labels.save`), as the stored map differs
 * from the session's in pixels the session never changed.
 */
import { AppError } from '../../../core/ipc/errors';
import { readDelta } from '../../../core/labelmap';
import { call, errorMessage } from '../lib/api';
import type { ImageSession } from './session';

/** Quiet time before a save: 0 = the next task after the edit (edits within one task share a save). */
const AUTOSAVE_DELAY_MS = 0;

export type SaveStatus =
  | { kind: 'saved' }
  | { kind: 'pending' }
  | { kind: 'saving' }
  | { kind: 'error'; message: string }
  | { kind: 'conflict'; message: string };

export class Autosaver {
  status = $state<SaveStatus>({ kind: 'saved' });

  // Bookkeeping only, never rendered.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly timers = new Map<ImageSession, ReturnType<typeof setTimeout>>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly chains = new Map<ImageSession, Promise<void>>();

  constructor(
    private readonly onsaved: (session: ImageSession, labeledFraction: number) => void,
    private readonly delayMs = AUTOSAVE_DELAY_MS,
  ) {}

  /** An edit happened: save it (after `delayMs`). */
  touched(session: ImageSession): void {
    const old = this.timers.get(session);
    if (old !== undefined) clearTimeout(old);
    this.timers.set(
      session,
      setTimeout(() => {
        this.timers.delete(session);
        void this.save(session);
      }, this.delayMs),
    );
    if (this.status.kind !== 'error' && this.status.kind !== 'conflict') this.status = { kind: 'pending' };
  }

  /** Saves now if there is anything unsaved; resolves when the database has it (or the save failed). */
  flush(session: ImageSession): Promise<void> {
    const timer = this.timers.get(session);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(session);
    return this.save(session);
  }

  /** Whether a save is waiting or running. */
  get busy(): boolean {
    return this.timers.size > 0 || this.chains.size > 0;
  }

  private save(session: ImageSession): Promise<void> {
    const next = (this.chains.get(session) ?? Promise.resolve()).then(() => this.write(session));
    this.chains.set(session, next);
    void next.finally(() => {
      if (this.chains.get(session) === next) this.chains.delete(session);
    });
    return next;
  }

  private async write(s: ImageSession): Promise<void> {
    if (!s.dirty || s.conflict) return;
    const edits = s.edits;
    // Taken now, put back if the save fails; edits made while it travels mark their own.
    const rects = s.changes.take();
    this.status = { kind: 'saving' };
    try {
      // Copies: the map may change while the bytes travel.
      const result = s.force
        ? await call('labels.save', {
            imageId: s.imageId,
            classes: s.map.classes.slice(),
            provenance: s.map.provenance.slice(),
          })
        : await call('labels.saveChanges', {
            imageId: s.imageId,
            ...readDelta(s.map, rects),
            baseRevision: s.revision,
          });
      s.revision = result.revision;
      s.saved = edits;
      s.force = false;
      this.onsaved(s, result.labeledFraction);
      this.status = s.dirty || this.timers.size > 0 ? { kind: 'pending' } : { kind: 'saved' };
    } catch (err) {
      for (const r of rects) s.changes.mark(r);
      const message = errorMessage(err);
      if (err instanceof AppError && err.code === 'CONFLICT') {
        s.conflict = message;
        this.status = { kind: 'conflict', message };
      } else {
        this.status = { kind: 'error', message };
      }
    }
  }
}
