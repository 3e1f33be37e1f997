/**
 * Superpixel brush: like the brush, but every superpixel the brush touches is painted whole (one undo
 * step per stroke; painted pixels are kept, see core/labelmap/superpixels.ts). While it is on, the
 * superpixels are outlined over the labels.
 */
import { SuperpixelStroke } from '../../../../core/labelmap';
import { hasSuperpixels, superpixelsOf } from '../superpixels';
import type { Point } from '../viewport';
import { defineTool, StrokeTool } from './tool';

export const superpixel = defineTool({
  name: 'superpixel',
  key: 'S',
  label: 'Superpixel brush',
  help: 'Superpixel brush: paints whole superpixels',
  icon: 'M4 6l4-2 4 3v5l-4 2-4-3zM12 7l4-3 4 2v5l-4 3-4-2M8 14v6M16 14v6M4 20h16',
  cursor: 'crosshair',
  sized: true,
  paintsClass: true,
  edits: true,
  create: (ctx) => new SuperpixelTool(ctx),
});

class SuperpixelTool extends StrokeTool<SuperpixelStroke> {
  readonly name = 'superpixel';

  /** Computes the superpixels ahead of the first stroke, after the "computing" hint had a frame to show. */
  enter(): void {
    const ctx = this.ctx();
    const photo = ctx?.photo();
    if (!ctx || !photo) return;
    if (hasSuperpixels(photo)) {
      ctx.showSuperpixels(superpixelsOf(photo));
      return;
    }
    ctx.say('Computing superpixels…');
    setTimeout(() => {
      const now = this.ctx();
      if (!now || now.photo() !== photo) return;
      now.showSuperpixels(superpixelsOf(photo));
      now.say('Superpixels ready: the brush paints every superpixel it touches.');
    }, 50);
  }

  exit(): void {
    this.ctx()?.showSuperpixels(null);
  }

  down(p: Point): void {
    const ctx = this.ctx();
    if (!ctx || this.stroke) return;
    const value = ctx.paintValue(false);
    const photo = ctx.photo();
    const sp = value === null || !photo ? null : superpixelsOf(photo);
    if (value === null || !sp) return;
    this.stroke = new SuperpixelStroke(ctx.map, sp, { value, protectLabels: ctx.protectLabels });
    this.move(p);
  }

  move(p: Point): void {
    const ctx = this.ctx();
    if (this.stroke && ctx) ctx.redraw(this.stroke.addPoint(p.x, p.y, ctx.diameter));
  }
}
