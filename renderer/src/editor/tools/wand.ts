/** Magic wand: one click fills the connected region of similar colour (see core/labelmap/wand.ts). */
import { magicWand } from '../../../../core/labelmap';
import { photoRgba } from '../photo';
import type { Point } from '../viewport';
import { NumberSetting } from './setting.svelte';
import { ClickTool, defineTool } from './tool';

export const wand = defineTool({
  name: 'wand',
  key: 'W',
  label: 'Magic wand',
  help: 'Magic wand: fill similar colours (tolerance in the toolbar)',
  icon: 'M4 20 14 10M16 4v3M16 11v3M12 7.5h-1M21 7.5h-3M18.5 5l1.5-1.5M13.5 5 12 3.5M18.5 10l1.5 1.5',
  cursor: 'crosshair',
  sized: false,
  paintsClass: true,
  edits: true,
  create: (ctx) => new WandTool(ctx),
});

class WandTool extends ClickTool {
  readonly name = 'wand';
  /** Largest per-channel colour difference from the clicked pixel (0..255). */
  private readonly tolerance = new NumberSetting(
    'Tolerance',
    "Magic wand: how far a colour may differ from the clicked pixel's (0–255)",
    'Wand tolerance',
    0,
    255,
    128,
    24,
  );
  readonly settings = [this.tolerance];

  down(p: Point): void {
    const ctx = this.ctx();
    const value = ctx?.paintValue(false);
    const photo = ctx?.photo();
    if (!ctx || !photo || value === null || value === undefined) return;
    const entry = magicWand(ctx.map, photoRgba(photo), p.x, p.y, {
      value,
      tolerance: this.tolerance.value,
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
