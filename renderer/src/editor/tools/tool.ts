/**
 * Tools are small state machines driven by pointer events in image coordinates. They edit the label
 * map through core/labelmap and report back through a `ToolContext`: `redraw` for the changed
 * rectangle (while drawing), `push` for the finished edit (one undo step). A tool that is drawing
 * must be able to `finish` (commit) or `cancel` at any moment: before undo, image switch, or saving.
 */
import type { EditEntry, LabelMap, Rect, Superpixels } from '../../../../core/labelmap';
import type { Point } from '../viewport';

export type ToolName = 'brush' | 'eraser' | 'fill' | 'wand' | 'superpixel' | 'polygon' | 'picker';

export interface ToolContext {
  readonly map: LabelMap;
  /** Label value to paint with (255 erases), or null when nothing can be painted (no class chosen). */
  paintValue(erase: boolean): number | null;
  readonly diameter: number;
  readonly protectLabels: boolean;
  /** Magic wand: largest per-channel colour difference from the clicked pixel. */
  readonly tolerance: number;
  /** The photo's RGBA pixels (null before it is loaded). */
  pixels(): ArrayLike<number> | null;
  /** The image's superpixels (computed on first use, then cached). */
  superpixels(): Superpixels | null;
  /** A short hint in the status bar. */
  say(text: string): void;
  /** Size of one screen pixel in image pixels (1 / zoom), for click and drag thresholds. */
  readonly screenPixel: number;
  /** Re-renders a changed rectangle of the overlay. */
  redraw(rect: Rect | null): void;
  /** Records a finished edit as one undo step (and schedules the autosave). */
  push(entry: EditEntry | null): void;
  /** Shows the outline of a polygon being drawn (null hides it); `closable`: a click now closes it. */
  preview(points: readonly number[] | null, cursor: Point | null, closable?: boolean): void;
  /** Chooses the class with this label value (the picker). */
  pick(value: number): void;
}

export interface Tool {
  readonly name: ToolName;
  /** True between the start and the end of an edit. */
  readonly busy: boolean;
  down(p: Point): void;
  move(p: Point): void;
  up(p: Point): void;
  /** Enter closes a polygon; returns whether the key was used. */
  key(key: string): boolean;
  /** Commits an edit in progress. */
  finish(): void;
  /** Abandons an edit in progress, restoring the map. */
  cancel(): void;
}

/** A tool that acts on a single click (fill, wand, picker): nothing in progress, so the rest are no-ops. */
export abstract class ClickTool implements Tool {
  abstract readonly name: ToolName;
  readonly busy = false;

  constructor(protected readonly ctx: () => ToolContext | null) {}

  abstract down(p: Point): void;
  move(): void {}
  up(): void {}
  key(): boolean {
    return false;
  }
  finish(): void {}
  cancel(): void {}
}

/** What a stroke tool draws into: one undo entry on commit, the changed rectangle on cancel. */
export interface Stroke {
  commit(): EditEntry | null;
  cancel(): Rect | null;
}

/** A press-drag-release tool (brush, eraser, superpixel brush): one stroke, one undo step. */
export abstract class StrokeTool<S extends Stroke> implements Tool {
  abstract readonly name: ToolName;
  protected stroke: S | null = null;

  constructor(protected readonly ctx: () => ToolContext | null) {}

  get busy(): boolean {
    return this.stroke !== null;
  }

  abstract down(p: Point): void;
  abstract move(p: Point): void;

  up(p: Point): void {
    this.move(p);
    this.finish();
  }

  key(): boolean {
    return false;
  }

  finish(): void {
    const stroke = this.stroke;
    if (!stroke) return;
    this.stroke = null;
    this.ctx()?.push(stroke.commit());
  }

  cancel(): void {
    const stroke = this.stroke;
    if (!stroke) return;
    this.stroke = null;
    this.ctx()?.redraw(stroke.cancel());
  }
}
