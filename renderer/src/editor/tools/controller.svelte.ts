/**
 * The painting tools and the settings they share: which tool is on, the brush size, "only unlabeled"
 * (a tool's own settings are the tool's, as the wand's tolerance). It owns one instance of each tool in
 * the registry (registry.ts) and switches between them; the tools reach the map through the
 * `ToolContext` the editor provides.
 */
import { TOOLS, toolSpec, type ToolName } from './registry';
import type { Tool, ToolContext, ToolSpec } from './tool';

export const MIN_BRUSH = 1;
export const MAX_BRUSH = 400;
/** Largest brush in image pixels (a 400 px brush far zoomed out would stamp millions of pixels a move). */
export const MAX_IMAGE_BRUSH = 2000;

/**
 * The brush's diameter in image pixels for a size setting at a zoom (screen pixels per image pixel):
 * zoomed out (under 100 %) the size counts screen pixels, so the brush keeps its size on screen (15 px
 * at 21 % paints 71 image pixels, not 3 screen pixels as before, issue 25); from 100 % on it counts
 * image pixels, so fine work zoomed in keeps its size in the image. The two agree at 100 %.
 */
export function imageDiameter(size: number, zoom: number): number {
  if (!(zoom > 0) || zoom >= 1) return size;
  return Math.min(MAX_IMAGE_BRUSH, Math.max(size, Math.round(size / zoom)));
}

export class ToolController {
  /** The tool that is on. */
  name = $state<ToolName>('brush');
  brushSize = $state(15);
  protectLabels = $state(false);

  private readonly tools: Record<ToolName, Tool>;
  /** The tool the picker returns to. */
  private paintTool: ToolName = 'brush';

  /** `onswitch` runs when the tool changes, between the old tool's `exit` and the new one's `enter`. */
  constructor(
    ctx: () => ToolContext | null,
    private readonly onswitch: () => void = () => {},
  ) {
    this.tools = Object.fromEntries(TOOLS.map((spec) => [spec.name, spec.create(ctx)])) as Record<ToolName, Tool>;
  }

  get current(): Tool {
    return this.tools[this.name];
  }

  /** The picker, also reached with Alt+click whatever the tool. */
  get picker(): Tool {
    return this.tools.picker;
  }

  /** The current tool's declaration (registry.ts). */
  get spec(): ToolSpec {
    return toolSpec(this.name);
  }

  /** Whether the current tool paints with a brush diameter. */
  get sized(): boolean {
    return this.spec.sized;
  }

  /** Switches tools; an edit in progress is committed first. */
  set(name: ToolName): void {
    if (name === this.name) return;
    this.current.finish();
    this.current.exit?.();
    this.name = name;
    if (name !== 'picker') this.paintTool = name;
    this.onswitch();
    this.current.enter?.();
  }

  /** After a pick: from the picker back to the tool used before it. */
  picked(): void {
    if (this.name === 'picker') this.name = this.paintTool;
  }

  setBrushSize(size: number): void {
    this.brushSize = Math.round(Math.min(MAX_BRUSH, Math.max(MIN_BRUSH, size)));
  }

  /** `]` grows the brush, `[` shrinks it: by 1 below 10 pixels, by about 20% above. */
  stepBrush(dir: 1 | -1): void {
    const s = this.brushSize;
    this.setBrushSize(s < 10 || (dir < 0 && s <= 10) ? s + dir : Math.round(dir > 0 ? s * 1.2 : s / 1.2));
  }
}
