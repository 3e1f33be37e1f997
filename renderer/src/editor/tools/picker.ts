/** Class picker: a click chooses the class under the cursor (unlabeled pixels choose nothing). */
import { classAt, UNLABELED } from '../../../../core/labelmap';
import type { Point } from '../viewport';
import { ClickTool, defineTool } from './tool';

export const picker = defineTool({
  name: 'picker',
  key: 'I',
  label: 'Picker',
  help: 'Pick the class under the cursor (also Alt+click)',
  icon: 'M14 5l5 5M16.5 7.5 8 16l-3 1 1-3 8.5-8.5M13 4l7 7',
  cursor: 'crosshair',
  sized: false,
  paintsClass: false,
  edits: false,
  create: (ctx) => new PickerTool(ctx),
});

class PickerTool extends ClickTool {
  readonly name = 'picker';

  down(p: Point): void {
    const ctx = this.ctx();
    if (!ctx) return;
    const value = classAt(ctx.map, p.x, p.y);
    if (value !== null && value !== UNLABELED) ctx.pick(value);
  }
}
