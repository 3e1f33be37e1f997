/** Class picker: a click chooses the class under the cursor (unlabeled pixels choose nothing). */
import { classAt, UNLABELED } from '../../../../core/labelmap';
import type { Point } from '../viewport';
import type { Tool, ToolContext } from './tool';

export class PickerTool implements Tool {
  readonly name = 'picker';
  readonly busy = false;

  constructor(private readonly ctx: () => ToolContext | null) {}

  down(p: Point): void {
    const ctx = this.ctx();
    if (!ctx) return;
    const value = classAt(ctx.map, p.x, p.y);
    if (value !== null && value !== UNLABELED) ctx.pick(value);
  }

  move(): void {}
  up(): void {}
  key(): boolean {
    return false;
  }
  finish(): void {}
  cancel(): void {}
}
