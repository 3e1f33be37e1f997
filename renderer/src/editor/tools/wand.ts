/** Magic wand: one click fills the connected region of similar colour (see core/labelmap/wand.ts). Stateless. */
import { magicWand } from '../../../../core/labelmap';
import type { Point } from '../viewport';
import type { Tool, ToolContext } from './tool';

export class WandTool implements Tool {
  readonly name = 'wand';
  readonly busy = false;

  constructor(private readonly ctx: () => ToolContext | null) {}

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

  move(): void {}
  up(): void {}
  key(): boolean {
    return false;
  }
  finish(): void {}
  cancel(): void {}
}
