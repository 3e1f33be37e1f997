/** Flood fill: one click fills the 4-connected region of the clicked pixel's class. Stateless. */
import { floodFill } from '../../../../core/labelmap';
import type { Point } from '../viewport';
import { ClickTool, defineTool } from './tool';

export const fill = defineTool({
  name: 'fill',
  key: 'F',
  label: 'Fill',
  help: 'Flood fill (the region of one class)',
  icon: 'M5 12 12 5l7 7-7 7zM5 12h14M20 16c0 1.5-1 2.5-1 3.5a1 1 0 0 0 2 0c0-1-1-2-1-3.5',
  cursor: 'crosshair',
  sized: false,
  paintsClass: true,
  edits: true,
  create: (ctx) => new FillTool(ctx),
});

class FillTool extends ClickTool {
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
