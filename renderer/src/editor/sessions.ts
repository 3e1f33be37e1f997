/**
 * The label maps of visited images, each with its undo history (an `ImageSession`), kept while the
 * user moves between images so that undo and redo still work on coming back. Sessions with unsaved
 * edits or a save conflict are never dropped; the others go oldest first beyond `max`.
 */
import type { ImageSession } from './session';

/** Visited images whose maps stay in memory (more are dropped once saved, oldest first). */
const MAX_SESSIONS = 8;

export class SessionCache {
  // Bookkeeping only, never rendered: a plain Map on purpose.
  private readonly sessions = new Map<number, ImageSession>();

  constructor(private readonly max = MAX_SESSIONS) {}

  get(imageId: number): ImageSession | undefined {
    return this.sessions.get(imageId);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Keeps a session as the most recent one, dropping the oldest saved ones beyond the limit. */
  remember(session: ImageSession): void {
    this.sessions.delete(session.imageId);
    this.sessions.set(session.imageId, session);
    for (const [id, s] of this.sessions) {
      if (this.sessions.size <= this.max) break;
      if (id !== session.imageId && !s.dirty && !s.conflict) this.sessions.delete(id);
    }
  }

  drop(imageId: number): void {
    this.sessions.delete(imageId);
  }

  clear(): void {
    this.sessions.clear();
  }

  /** Sessions with edits not saved yet. */
  dirty(): ImageSession[] {
    return [...this.sessions.values()].filter((s) => s.dirty);
  }
}
