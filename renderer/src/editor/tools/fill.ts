/** Flood fill: one click fills the 4-connected region of the clicked pixel's class. Stateless. */
import { floodFill } from '../../../../core/labelmap';
import type { Point } from '../viewport';
import { ClickTool } from './tool';

export class FillTool extends ClickTool {
  readonly name = 'fill';

  down(p: Point): void {
    const ctx = this.ctx();
    const value = ctx?.paintValue(false);
    if (!ctx || value === null || value === undefined) return;
    const entry = floodFill(ctx.map, p.x, p.y, { value, protectLabels: ctx.protectLabels });
    if (!entry) return;
    ctx.redraw(entry.rect);
    ctx.push(entry);
  }
}
