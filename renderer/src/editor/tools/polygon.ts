/**
 * Polygon and lasso fill, one state machine:
 * - idle --press--> pressed; pressed --drag--> lasso (points follow the pointer; release fills);
 * - pressed --release--> clicking (a click adds a vertex; a double click, Enter, or a click on the
 *   first vertex closes and fills; Escape cancels).
 * Vertices are image coordinates; the fill is `fillPolygon` (pixel centres, no anti-aliasing).
 */
import { fillPolygon } from '../../../../core/labelmap';
import type { Point } from '../viewport';
import { defineTool, type Tool, type ToolContext } from './tool';

/** Drag distance (screen pixels) that turns a press into a lasso, and the double-click radius. */
const DRAG_PX = 4;
/** A click within this many screen pixels of the first vertex closes the polygon (its marker lights up). */
const CLOSE_PX = 8;
const DOUBLE_CLICK_MS = 400;

type State =
  | { kind: 'idle' }
  | { kind: 'pressed'; points: number[]; start: Point }
  | { kind: 'lasso'; points: number[] }
  | { kind: 'clicking'; points: number[]; lastClick: { p: Point; t: number } };

export const polygon = defineTool({
  name: 'polygon',
  key: 'P',
  label: 'Polygon',
  help: 'Polygon: click points, double-click or Enter closes; or drag a lasso',
  icon: 'M5 7l8-3 7 7-4 9-9-2zM5 7v0M13 4v0M20 11v0M16 20v0M7 18v0',
  cursor: 'crosshair',
  sized: false,
  paintsClass: true,
  edits: true,
  create: (ctx) => new PolygonTool(ctx),
});

class PolygonTool implements Tool {
  readonly name = 'polygon';
  private state: State = { kind: 'idle' };

  constructor(private readonly ctx: () => ToolContext | null) {}

  get busy(): boolean {
    return this.state.kind !== 'idle';
  }

  down(p: Point): void {
    const ctx = this.ctx();
    if (!ctx || ctx.paintValue(false) === null) return;
    const s = this.state;
    if (s.kind === 'idle') {
      this.state = { kind: 'pressed', points: [p.x, p.y], start: p };
    } else if (s.kind === 'clicking') {
      const near = (q: Point) => Math.hypot(q.x - p.x, q.y - p.y) <= DRAG_PX * ctx.screenPixel;
      const double = performance.now() - s.lastClick.t < DOUBLE_CLICK_MS && near(s.lastClick.p);
      if (double || this.closable(p)) return this.close();
      s.points.push(p.x, p.y);
      s.lastClick = { p, t: performance.now() };
      if (s.points.length === 4) ctx.say('Click the first point, double-click or press Enter to close; Esc cancels.');
    }
    this.showPreview(p);
  }

  move(p: Point): void {
    const ctx = this.ctx();
    const s = this.state;
    if (!ctx) return;
    if (s.kind === 'pressed' && Math.hypot(p.x - s.start.x, p.y - s.start.y) > DRAG_PX * ctx.screenPixel) {
      this.state = { kind: 'lasso', points: [...s.points, p.x, p.y] };
    } else if (s.kind === 'lasso') {
      const n = s.points.length;
      if (Math.hypot(p.x - s.points[n - 2]!, p.y - s.points[n - 1]!) >= ctx.screenPixel) s.points.push(p.x, p.y);
    }
    this.showPreview(p);
  }

  up(p: Point): void {
    const s = this.state;
    if (s.kind === 'pressed') {
      this.state = { kind: 'clicking', points: s.points, lastClick: { p: s.start, t: performance.now() } };
      this.showPreview(p);
    } else if (s.kind === 'lasso') {
      this.close();
    }
  }

  key(key: string): boolean {
    if (key !== 'Enter' || this.state.kind !== 'clicking') return false;
    this.close();
    return true;
  }

  /** A polygon in progress is not an edit yet: finishing it early abandons it. */
  finish(): void {
    this.cancel();
  }

  cancel(): void {
    this.state = { kind: 'idle' };
    this.ctx()?.preview(null, null);
  }

  private close(): void {
    const ctx = this.ctx();
    const s = this.state;
    this.state = { kind: 'idle' };
    if (!ctx || s.kind === 'idle') return;
    ctx.preview(null, null);
    const value = ctx.paintValue(false);
    if (value === null || s.points.length < 6) return;
    const entry = fillPolygon(ctx.map, s.points, { value, protectLabels: ctx.protectLabels });
    if (!entry) return;
    ctx.redraw(entry.rect);
    ctx.push(entry);
  }

  /** Whether a click at `p` would close the polygon: three vertices or more, and `p` near the first. */
  private closable(p: Point): boolean {
    const s = this.state;
    const ctx = this.ctx();
    if (s.kind !== 'clicking' || s.points.length < 6 || !ctx) return false;
    return Math.hypot(p.x - s.points[0]!, p.y - s.points[1]!) <= CLOSE_PX * ctx.screenPixel;
  }

  private showPreview(cursor: Point): void {
    const s = this.state;
    const clicking = s.kind === 'clicking';
    this.ctx()?.preview(s.kind === 'idle' ? null : s.points, clicking ? cursor : null, this.closable(cursor));
  }
}
