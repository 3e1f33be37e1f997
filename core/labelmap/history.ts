/**
 * Undo/redo for one label map (keep one per image). Entries are before/after bytes of changed
 * rectangles (see patch.ts); `push` records an edit that has already been applied to the map and
 * clears the redo stack. The total bytes held (undo + redo) stay within `budgetBytes` by evicting
 * the oldest undo entries; the newest entry is always kept so the last edit can be undone.
 */
import { redoEntry, undoEntry } from './patch';
import type { EditEntry } from './patch';
import type { LabelMap } from './types';

export interface HistoryOptions {
  /** Memory budget for entry bytes. Default 256 MiB. */
  budgetBytes?: number;
}

const DEFAULT_HISTORY_BUDGET = 256 * 1024 * 1024;

export class LabelHistory {
  readonly budgetBytes: number;
  private readonly undoStack: EditEntry[] = [];
  private readonly redoStack: EditEntry[] = [];
  private held = 0;

  constructor(
    readonly map: LabelMap,
    options: HistoryOptions = {},
  ) {
    this.budgetBytes = options.budgetBytes ?? DEFAULT_HISTORY_BUDGET;
    if (!(this.budgetBytes >= 0)) throw new RangeError(`Bad history budget ${this.budgetBytes}`);
  }

  /** Records an applied edit (null is ignored, e.g. a stroke that changed nothing). O(1) amortised. */
  push(entry: EditEntry | null): void {
    if (!entry) return;
    for (const e of this.redoStack) this.held -= e.bytes;
    this.redoStack.length = 0;
    this.undoStack.push(entry);
    this.held += entry.bytes;
    let drop = 0;
    while (this.held > this.budgetBytes && drop < this.undoStack.length - 1) {
      this.held -= this.undoStack[drop]!.bytes;
      drop++;
    }
    if (drop > 0) this.undoStack.splice(0, drop);
  }

  /**
   * Reverts the newest edit; returns its entry (`rect` to redraw, `patches` the pixels changed), or null
   * if there is none.
   */
  undo(): EditEntry | null {
    const e = this.undoStack.pop();
    if (!e) return null;
    this.redoStack.push(e);
    undoEntry(this.map, e);
    return e;
  }

  /** Reapplies the newest undone edit; returns its entry as `undo` does, or null if there is none. */
  redo(): EditEntry | null {
    const e = this.redoStack.pop();
    if (!e) return null;
    this.undoStack.push(e);
    redoEntry(this.map, e);
    return e;
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  get undoDepth(): number {
    return this.undoStack.length;
  }

  get redoDepth(): number {
    return this.redoStack.length;
  }

  /** Bytes held by all entries' planes. */
  get bytes(): number {
    return this.held;
  }

  clear(): void {
    this.undoStack.length = 0;
    this.redoStack.length = 0;
    this.held = 0;
  }
}
