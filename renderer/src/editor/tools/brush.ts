/** Brush and eraser: idle -> drawing (one StrokeSession, one undo step) -> idle. */
import { snapBrushPoint, StrokeSession } from '../../../../core/labelmap';
import type { Point } from '../viewport';
import { StrokeTool, type ToolContext } from './tool';

export class BrushTool extends StrokeTool<StrokeSession> {
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
