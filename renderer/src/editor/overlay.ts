/**
 * The label overlay's pixels: an offscreen canvas the size of the image, one canvas pixel per label
 * pixel, kept up to date by re-rendering only changed rectangles (`renderRect` into a reusable
 * scratch buffer, then `putImageData` of just that rectangle). A full redraw (new image, colour or
 * visibility change) goes in bands so the scratch buffer stays small; a new image's skips the bands
 * without labels.
 */
import { renderRect, UNLABELED } from '../../../core/labelmap';
import type { LabelMap, Palette, Rect, RenderOptions } from '../../../core/labelmap';

/** Largest scratch buffer, in pixels (16 MiB of RGBA). */
const BAND_PIXELS = 4 * 1024 * 1024;

export interface OverlayStyle {
  palette: Palette;
  mode: 'class' | 'provenance';
  hiddenClasses: readonly number[];
}

export class LabelOverlay {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private scratch: ImageData | null = null;

  constructor(
    readonly map: LabelMap,
    private style: OverlayStyle,
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.width = map.width;
    this.canvas.height = map.height;
    this.ctx = this.canvas.getContext('2d')!;
    this.drawLabeledBands();
  }

  /**
   * The first draw, on a canvas still transparent: bands without a label are left as they are (an
   * unlabeled pixel renders transparent), so a new large image's overlay costs a scan, not a render of
   * every pixel.
   */
  private drawLabeledBands(): void {
    const { width, height, classes } = this.map;
    const rows = Math.max(1, Math.floor(BAND_PIXELS / width));
    for (let y = 0; y < height; y += rows) {
      const band = { x: 0, y, width, height: Math.min(rows, height - y) };
      const start = y * width;
      const end = start + band.width * band.height;
      let labeled = false;
      for (let i = start; i < end && !labeled; i++) labeled = classes[i] !== UNLABELED;
      if (labeled) this.redraw(band);
    }
  }

  setStyle(style: OverlayStyle): void {
    this.style = style;
    this.redrawAll();
  }

  redrawAll(): void {
    this.redraw({ x: 0, y: 0, width: this.map.width, height: this.map.height });
  }

  /** Re-renders `rect` (image pixels). Cost O(rect area); never touches pixels outside it. */
  redraw(rect: Rect): void {
    const rowsPerBand = Math.max(1, Math.floor(BAND_PIXELS / rect.width));
    for (let y = rect.y; y < rect.y + rect.height; y += rowsPerBand) {
      const band = { x: rect.x, y, width: rect.width, height: Math.min(rowsPerBand, rect.y + rect.height - y) };
      const out = this.buffer(band.width, band.height);
      const options: RenderOptions = {
        mode: this.style.mode,
        hiddenClasses: this.style.hiddenClasses,
        offsetX: band.x,
        offsetY: band.y,
      };
      renderRect(this.map, band, this.style.palette, out, options);
      this.ctx.putImageData(out, band.x, band.y, 0, 0, band.width, band.height);
    }
  }

  /** A scratch ImageData of at least `w` x `h`, reused across calls (rendered with stride = its width). */
  private buffer(w: number, h: number): ImageData {
    const s = this.scratch;
    if (s && s.width >= w && s.height >= h) return s;
    const gw = Math.max(w, s?.width ?? 0);
    const gh = Math.max(h, s?.height ?? 0);
    this.scratch = gw * gh <= BAND_PIXELS ? new ImageData(gw, gh) : new ImageData(w, h);
    return this.scratch;
  }
}
