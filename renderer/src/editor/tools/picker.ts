/** Class picker: a click chooses the class under the cursor (unlabeled pixels choose nothing). */
import { classAt, UNLABELED } from '../../../../core/labelmap';
import type { Point } from '../viewport';
import { ClickTool } from './tool';

export class PickerTool extends ClickTool {
  readonly name = 'picker';

  down(p: Point): void {
    const ctx = this.ctx();
    if (!ctx) return;
    const value = classAt(ctx.map, p.x, p.y);
    if (value !== null && value !== UNLABELED) ctx.pick(value);
  }
}
