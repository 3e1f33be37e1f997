/**
 * The stage transform: screen = image * scale + (x, y), in CSS pixels relative to the canvas element.
 * Pure math, so zoom and pan behave the same in the editor and in tests.
 */
export interface Point {
  x: number;
  y: number;
}

export const MIN_SCALE = 0.02;
export const MAX_SCALE = 64;

export class Viewport {
  scale = 1;
  x = 0;
  y = 0;

  toImage(sx: number, sy: number): Point {
    return { x: (sx - this.x) / this.scale, y: (sy - this.y) / this.scale };
  }

  toScreen(ix: number, iy: number): Point {
    return { x: ix * this.scale + this.x, y: iy * this.scale + this.y };
  }

  /** Fits an image of `w` x `h` inside a `viewW` x `viewH` view with `margin` pixels around it. */
  fit(w: number, h: number, viewW: number, viewH: number, margin = 24): void {
    const s = Math.min((viewW - 2 * margin) / w, (viewH - 2 * margin) / h);
    this.scale = clamp(Number.isFinite(s) && s > 0 ? s : 1, MIN_SCALE, MAX_SCALE);
    this.x = Math.round((viewW - w * this.scale) / 2);
    this.y = Math.round((viewH - h * this.scale) / 2);
  }

  /** Multiplies the scale by `factor`, keeping the image point under screen point (sx, sy) in place. */
  zoomAbout(sx: number, sy: number, factor: number): void {
    const p = this.toImage(sx, sy);
    this.scale = clamp(this.scale * factor, MIN_SCALE, MAX_SCALE);
    this.x = sx - p.x * this.scale;
    this.y = sy - p.y * this.scale;
  }

  pan(dx: number, dy: number): void {
    this.x += dx;
    this.y += dy;
  }
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
