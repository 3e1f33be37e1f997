/** Brush and eraser: idle -> drawing (one StrokeSession, one undo step) -> idle. */
import { snapBrushPoint, StrokeSession } from '../../../../core/labelmap';
import type { Point } from '../viewport';
import { defineTool, StrokeTool, type ToolContext } from './tool';

export const brush = defineTool({
  name: 'brush',
  key: 'B',
  label: 'Brush',
  help: 'Brush',
  icon: 'M14 4l6 6-8.5 8.5c-1.5 1.5-4 1.5-5.5 0s-1.5-4 0-5.5zM4 20c1-1 1.5-2.5 2-3.5',
  cursor: 'crosshair',
  sized: true,
  paintsClass: true,
  edits: true,
  create: (ctx) => new BrushTool(ctx, 'brush'),
});

export const eraser = defineTool({
  name: 'eraser',
  key: 'E',
  label: 'Eraser',
  help: 'Eraser (back to unlabeled)',
  icon: 'M8 20h12M4.5 15.5 14 6l5 5-8.5 8.5H8.5zM9 11l5 5',
  cursor: 'crosshair',
  sized: true,
  paintsClass: false,
  edits: true,
  create: (ctx) => new BrushTool(ctx, 'eraser'),
});

class BrushTool extends StrokeTool<StrokeSession> {
  private last: Point | null = null;

  constructor(
    ctx: () => ToolContext | null,
    readonly name: 'brush' | 'eraser',
  ) {
    super(ctx);
  }

  down(p: Point): void {
    const ctx = this.ctx();
    if (!ctx || this.stroke) return;
    const value = ctx.paintValue(this.name === 'eraser');
    if (value === null) return;
    this.stroke = new StrokeSession(ctx.map, { diameter: ctx.diameter, value, protectLabels: ctx.protectLabels });
    this.last = null;
    this.move(p);
  }

  move(p: Point): void {
    const ctx = this.ctx();
    if (!this.stroke || !ctx) return;
    const s = snapBrushPoint(p.x, p.y, ctx.diameter);
    if (this.last && this.last.x === s.x && this.last.y === s.y) return;
    this.last = s;
    ctx.redraw(this.stroke.addPoint(s.x, s.y));
  }
}
