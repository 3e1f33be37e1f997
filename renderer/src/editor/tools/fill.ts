/** Flood fill: one click fills the 4-connected region of the clicked pixel's class. Stateless. */
import { floodFill } from '../../../../core/labelmap';
import type { Point } from '../viewport';
import type { Tool, ToolContext } from './tool';

export class FillTool implements Tool {
  readonly name = 'fill';
  readonly busy = false;

  constructor(private readonly ctx: () => ToolContext | null) {}

  down(p: Point): void {
    const ctx = this.ctx();
    const value = ctx?.paintValue(false);
    if (!ctx || value === null || value === undefined) return;
    const entry = floodFill(ctx.map, p.x, p.y, { value, protectLabels: ctx.protectLabels });
    if (!entry) return;
    ctx.redraw(entry.rect);
    ctx.push(entry);
  }

  move(): void {}
  up(): void {}
  key(): boolean {
    return false;
  }
  finish(): void {}
  cancel(): void {}
}
