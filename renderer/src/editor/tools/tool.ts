/**
 * Tools are small state machines driven by pointer events in image coordinates. They edit the label
 * map through core/labelmap and report back through a `ToolContext`: `redraw` for the changed
 * rectangle (while drawing), `push` for the finished edit (one undo step). A tool that is drawing
 * must be able to `finish` (commit) or `cancel` at any moment: before undo, image switch, or saving.
 *
 * Each tool's file declares it whole (`defineTool`: key, toolbar label and icon, help line, cursor, and
 * its state machine); registry.ts lists the declarations, and the toolbar, the key handler, the help
 * dialog and the canvas read that list. A new tool is its file and one line of the registry.
 */
import type { EditEntry, LabelMap, Rect, Superpixels } from '../../../../core/labelmap';
import type { Point } from '../viewport';
import type { NumberSetting } from './setting.svelte';

/** A tool as the editor knows it: how it shows, and how to make its state machine. */
export interface ToolSpec<N extends string = string> {
  readonly name: N;
  /** The key that picks the tool, as printed (matched case-insensitively). */
  readonly key: string;
  /** Short name: the toolbar button's label and tooltip. */
  readonly label: string;
  /** The help dialog's line. */
  readonly help: string;
  /** The toolbar icon: SVG path data on a 24x24 grid, stroked as ui/Icon.svelte draws its icons. */
  readonly icon: string;
  /** CSS cursor over the canvas while the tool is on (panning shows `grab` whatever the tool). */
  readonly cursor: string;
  /** Paints with the brush diameter (the size field, `[` `]`, the brush circle). */
  readonly sized: boolean;
  /** Paints the chosen class: the canvas shows the class's name beside the cursor. */
  readonly paintsClass: boolean;
  /**
   * Changes labels: refused in a read-only project, and a press with it is an edit (ends a preview's
   * run). The picker only reads.
   */
  readonly edits: boolean;
  /** The tool's state machine (one per editor, kept across images). */
  create(ctx: () => ToolContext | null): Tool;
}

/** Declares a tool (keeps its name's literal type, from which the registry's `ToolName` is made). */
export function defineTool<const N extends string>(spec: ToolSpec<N>): ToolSpec<N> {
  return spec;
}

export interface ToolContext {
  readonly map: LabelMap;
  /** Label value to paint with (255 erases), or null when nothing can be painted (no class chosen). */
  paintValue(erase: boolean): number | null;
  readonly diameter: number;
  readonly protectLabels: boolean;
  /** The decoded original photo (null while it decodes: a large image shows a reduced preview first). */
  photo(): ImageBitmap | null;
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
  /** Outlines superpixels over the labels (null hides them). */
  showSuperpixels(sp: Superpixels | null): void;
  /** Chooses the class with this label value (the picker). */
  pick(value: number): void;
}

export interface Tool {
  readonly name: string;
  /** True between the start and the end of an edit. */
  readonly busy: boolean;
  /** Fields the toolbar shows while the tool is on, in place of the brush size (the wand's tolerance). */
  readonly settings?: readonly NumberSetting[];
  /** The tool was switched on, or the open image's photo finished decoding while it is on. */
  enter?(): void;
  /** Another tool was switched on. */
  exit?(): void;
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
  abstract readonly name: string;
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
  abstract readonly name: string;
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
