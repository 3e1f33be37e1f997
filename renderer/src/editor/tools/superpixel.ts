/**
 * Superpixel brush: like the brush, but every superpixel the brush touches is painted whole (one undo
 * step per stroke; painted pixels are kept, see core/labelmap/superpixels.ts).
 */
import { SuperpixelStroke } from '../../../../core/labelmap';
import type { Point } from '../viewport';
import { StrokeTool } from './tool';

export class SuperpixelTool extends StrokeTool<SuperpixelStroke> {
  readonly name = 'superpixel';

  down(p: Point): void {
    const ctx = this.ctx();
    if (!ctx || this.stroke) return;
    const value = ctx.paintValue(false);
    const sp = value === null ? null : ctx.superpixels();
    if (value === null || !sp) return;
    this.stroke = new SuperpixelStroke(ctx.map, sp, { value, protectLabels: ctx.protectLabels });
    this.move(p);
  }

  move(p: Point): void {
    const ctx = this.ctx();
    if (this.stroke && ctx) ctx.redraw(this.stroke.addPoint(p.x, p.y, ctx.diameter));
  }
}
