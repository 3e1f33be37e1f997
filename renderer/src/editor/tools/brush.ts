/** Brush and eraser: idle -> drawing (one StrokeSession, one undo step) -> idle. */
import { snapBrushPoint, StrokeSession } from '../../../../core/labelmap';
import type { Point } from '../viewport';
import type { Tool, ToolContext } from './tool';

export class BrushTool implements Tool {
  private stroke: StrokeSession | null = null;
  private last: Point | null = null;

  constructor(
    private readonly ctx: () => ToolContext | null,
    readonly name: 'brush' | 'eraser',
  ) {}

  get busy(): boolean {
    return this.stroke !== null;
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
