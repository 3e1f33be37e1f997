/**
 * One image's label map as the editor holds it: the map, its undo history, and what the database
 * has. `edits` counts changes (edits, undos, redos); `saved` is the count the last save covered;
 * `changes` where the map may differ from the stored one, which the next save sends.
 */
import { ChangedRegion, LabelHistory } from '../../../core/labelmap';
import type { LabelMap } from '../../../core/labelmap';
import { call } from '../lib/api';

/** Undo memory per image (before/after bytes of changed rectangles). */
const HISTORY_BUDGET_BYTES = 128 * 1024 * 1024;

export class ImageSession {
  readonly history: LabelHistory;
  /**
   * Every pixel that may differ from the stored map: the patches of edits, undos and redos, and the
   * rectangles redrawn while a stroke is drawn or cancelled (a save may run mid-stroke).
   */
  readonly changes: ChangedRegion;
  edits = 0;
  saved = 0;
  /** Set when the database holds a newer map than the one this session was loaded from. */
  conflict: string | null = null;
  /** The next save ignores the revision check (the user chose to keep their version). */
  force = false;

  constructor(
    readonly imageId: number,
    readonly map: LabelMap,
    /** The database revision this map is based on. */
    public revision: number,
  ) {
    this.history = new LabelHistory(map, { budgetBytes: HISTORY_BUDGET_BYTES });
    this.changes = new ChangedRegion(map.width, map.height);
  }

  get dirty(): boolean {
    return this.edits !== this.saved;
  }

  touch(): void {
    this.edits++;
  }

  static async load(imageId: number): Promise<ImageSession> {
    const d = await call('labels.load', { imageId });
    return new ImageSession(
      imageId,
      { width: d.width, height: d.height, classes: d.classes, provenance: d.provenance },
      d.revision,
    );
  }
}
