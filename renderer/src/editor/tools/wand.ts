/** Magic wand: one click fills the connected region of similar colour (see core/labelmap/wand.ts). Stateless. */
import { magicWand } from '../../../../core/labelmap';
import type { Point } from '../viewport';
import { ClickTool } from './tool';

export class WandTool extends ClickTool {
  readonly name = 'wand';

  down(p: Point): void {
    const ctx = this.ctx();
    const value = ctx?.paintValue(false);
    const rgba = ctx?.pixels();
    if (!ctx || !rgba || value === null || value === undefined) return;
    const entry = magicWand(ctx.map, rgba, p.x, p.y, {
      value,
      tolerance: ctx.tolerance,
      protectLabels: ctx.protectLabels,
    });
    if (!entry) {
      ctx.say('The magic wand does not change painted pixels: use the brush or the eraser there.');
      return;
    }
    ctx.redraw(entry.rect);
    ctx.push(entry);
  }
}
