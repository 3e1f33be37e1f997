/**
 * The stage transform: screen = image * scale + (x, y), in CSS pixels relative to the canvas element.
 * Pure math, so zoom and pan behave the same in the editor and in tests.
 */
export interface Point {
  x: number;
  y: number;
}

/** Absolute bounds; within them the limits depend on the fitted scale (see `zoomLimits`). */
const MIN_SCALE = 0.02;
const MAX_SCALE = 64;

/**
 * How far zoom goes, relative to the scale that fits the image: out to half the fitted size (never below
 * 100% for an image that fits at a larger scale), in to 32 screen pixels per image pixel (or 4x the fit).
 */
function zoomLimits(fitScale: number): { min: number; max: number } {
  const min = clamp(Math.min(1, fitScale / 2), MIN_SCALE, MAX_SCALE);
  return { min, max: clamp(Math.max(32, fitScale * 4), min, MAX_SCALE) };
}

export class Viewport {
  scale = 1;
  x = 0;
  y = 0;
  /** The scale `fit` chose last; bounds zooming. */
  fitScale = 1;

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
    this.fitScale = this.scale;
    this.x = Math.round((viewW - w * this.scale) / 2);
    this.y = Math.round((viewH - h * this.scale) / 2);
  }

  /** Multiplies the scale by `factor`, keeping the image point under screen point (sx, sy) in place. */
  zoomAbout(sx: number, sy: number, factor: number): void {
    const p = this.toImage(sx, sy);
    const { min, max } = zoomLimits(this.fitScale);
    this.scale = clamp(this.scale * factor, min, max);
    this.x = sx - p.x * this.scale;
    this.y = sy - p.y * this.scale;
  }

  pan(dx: number, dy: number): void {
    this.x += dx;
    this.y += dy;
  }

  /** Puts image point (ix, iy) at the centre of a `viewW` x `viewH` view (the minimap's click). */
  centerOn(ix: number, iy: number, viewW: number, viewH: number): void {
    this.x = viewW / 2 - ix * this.scale;
    this.y = viewH / 2 - iy * this.scale;
  }
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
