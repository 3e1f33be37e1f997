/**
 * The Konva stage, imperative and kept behind `EditorCanvas.svelte`. Five layers, bottom to top: photo,
 * labels, preview, the superpixel outlines (the superpixel brush's units, shown while that tool is on), cursor.
 * - photo: the image in a frame, smoothed when zoomed out and crisp pixels from 200% zoom on;
 *   brightness and contrast are a CSS filter on its canvas (the pixels are never changed);
 * - labels: the overlay canvas (see overlay.ts) drawn with image smoothing off from 100% zoom on, so
 *   every label pixel is a crisp square; opacity and visibility are node attributes (no re-render);
 * - preview: the canvas of a "Fill unlabeled" or prediction result waiting to be accepted (see
 *   previewCanvas.ts), drawn like the labels, hidden when there is none;
 * - cursor: the brush-size circle and the polygon outline; pointer moves redraw only this layer.
 * Nothing listens for Konva events: pointer input is handled on the container (see input.ts).
 */
import Konva from 'konva/lib/Core';
import { Circle } from 'konva/lib/shapes/Circle';
import { Image as KonvaImage } from 'konva/lib/shapes/Image';
import { Line } from 'konva/lib/shapes/Line';
import { Rect } from 'konva/lib/shapes/Rect';
import { Shape } from 'konva/lib/Shape';
import type { Superpixels } from '../../../core/labelmap';
import { superpixelOutline } from './superpixels';
import type { Point } from './viewport';
import { Viewport } from './viewport';

/** The outlines of an image's superpixels as a canvas (thin and translucent, see superpixelOutline; cached). */
const edgeCanvases = new WeakMap<Superpixels, HTMLCanvasElement>();
function superpixelEdges(sp: Superpixels): HTMLCanvasElement {
  const cached = edgeCanvases.get(sp);
  if (cached) return cached;
  const { width, height, rgba } = superpixelOutline(sp);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d')!.putImageData(new ImageData(rgba, width, height), 0, 0);
  edgeCanvases.set(sp, canvas);
  return canvas;
}

/** From this zoom on, photo pixels are shown as squares too. */
const CRISP_PHOTO_ZOOM = 2;

export class EditorStage {
  readonly view = new Viewport();
  private readonly stage: Konva.Stage;
  private readonly photoLayer = new Konva.Layer({ listening: false });
  private readonly labelLayer = new Konva.Layer({ listening: false });
  private readonly previewLayer = new Konva.Layer({ listening: false, visible: false });
  private readonly cursorLayer = new Konva.Layer({ listening: false });
  private readonly edgeLayer = new Konva.Layer({ listening: false, visible: false });
  private readonly edges = new KonvaImage({ image: undefined });
  private readonly frame = new Rect({ stroke: '#3a404b', strokeWidth: 1, strokeScaleEnabled: false });
  private readonly photo = new KonvaImage({ image: undefined });
  private readonly labels = new KonvaImage({ image: undefined });
  private readonly previewImage = new KonvaImage({ image: undefined });
  private readonly brushOuter = new Circle({ stroke: 'rgba(0,0,0,0.75)', strokeWidth: 3, strokeScaleEnabled: false });
  private readonly brushInner = new Circle({ stroke: '#ffffff', strokeWidth: 1.25, strokeScaleEnabled: false });
  private readonly outline = new Line({
    stroke: '#ffffff',
    strokeWidth: 2,
    strokeScaleEnabled: false,
    shadowColor: 'black',
    shadowBlur: 2,
    shadowOpacity: 0.9,
  });
  private readonly outlineCursor = new Line({
    stroke: '#ffffff',
    strokeWidth: 1,
    dash: [3, 3],
    strokeScaleEnabled: false,
  });
  /** The polygon in progress: its vertices as markers of a constant screen size; the first one grows and
   * turns blue when a click would close the polygon. */
  private polygon: { points: readonly number[]; closable: boolean } = { points: [], closable: false };
  private readonly vertices = new Shape({
    listening: false,
    sceneFunc: (konvaCtx) => {
      const ctx = konvaCtx._context;
      const { points, closable } = this.polygon;
      const s = this.view.scale;
      ctx.lineWidth = 1.5 / s;
      for (let i = points.length - 2; i >= 0; i -= 2) {
        const first = i === 0;
        ctx.beginPath();
        ctx.arc(points[i]!, points[i + 1]!, (first ? (closable ? 7 : 5) : 3.5) / s, 0, 2 * Math.PI);
        ctx.fillStyle = first && closable ? '#4c9ffe' : '#ffffff';
        ctx.fill();
        ctx.strokeStyle = 'rgba(0, 0, 0, 0.85)';
        ctx.stroke();
      }
    },
  });
  private imageSize: { width: number; height: number } | null = null;
  /** True while the view is as `fit` left it: then a resize fits again. */
  private fitted = false;

  /** Called after every zoom, pan or resize (zoom readout, minimap) with the view and its size in CSS pixels. */
  onview: (view: Viewport, width: number, height: number) => void = () => {};

  constructor(private readonly container: HTMLDivElement) {
    this.stage = new Konva.Stage({
      container,
      width: container.clientWidth,
      height: container.clientHeight,
      listening: false,
    });
    this.photoLayer.add(this.frame, this.photo);
    this.labelLayer.add(this.labels);
    this.previewLayer.add(this.previewImage);
    this.cursorLayer.add(this.outline, this.outlineCursor, this.vertices, this.brushOuter, this.brushInner);
    this.edgeLayer.add(this.edges);
    this.stage.add(this.photoLayer, this.labelLayer, this.previewLayer, this.edgeLayer, this.cursorLayer);
    this.hideBrush();
  }

  /** The stage's size in CSS pixels. */
  size(): { width: number; height: number } {
    return { width: this.stage.width(), height: this.stage.height() };
  }

  resize(width: number, height: number): void {
    if (width === this.stage.width() && height === this.stage.height()) return;
    this.stage.size({ width, height });
    if (this.fitted) this.fit();
    else this.applyView();
  }

  /**
   * Shows a new image and its overlay canvas, fitted to the view. The photo is drawn at the overlay's
   * size (the image's): a preview of fewer pixels is stretched until `setPhoto` brings the original.
   */
  show(photo: ImageBitmap, overlay: HTMLCanvasElement): void {
    const width = overlay.width;
    const height = overlay.height;
    // Read by the end-to-end tests: the photo's own width (a preview's is less than the image's).
    this.container.dataset.photoWidth = String(photo.width);
    this.imageSize = { width, height };
    this.frame.size({ width, height });
    this.photo.setAttrs({ image: photo, width, height });
    this.labels.setAttrs({ image: overlay, width, height });
    this.preview(null, null);
    this.fit();
  }

  /** Replaces the photo (a large image's preview by its decoded original), keeping the view. */
  setPhoto(photo: ImageBitmap): void {
    this.container.dataset.photoWidth = String(photo.width);
    this.photo.image(photo);
    this.photoLayer.batchDraw();
  }

  clear(): void {
    this.imageSize = null;
    this.showSuperpixels(null);
    this.showPreview(null);
    this.photo.image(undefined);
    this.labels.image(undefined);
    this.frame.size({ width: 0, height: 0 });
    this.stage.batchDraw();
  }

  /** The overlay canvas changed: redraw the label layer (once per frame at most). */
  labelsChanged(): void {
    this.labelLayer.batchDraw();
  }

  /**
   * Shows a fill or prediction preview canvas above the labels, or removes it (null): image-sized, or at
   * `at` with each canvas pixel `at.step` image pixels wide (the part on screen of a large image).
   */
  showPreview(canvas: HTMLCanvasElement | null, at = { x: 0, y: 0, step: 1 }): void {
    this.previewImage.setAttrs({
      image: canvas ?? undefined,
      x: at.x,
      y: at.y,
      width: (canvas?.width ?? 0) * at.step,
      height: (canvas?.height ?? 0) * at.step,
    });
    this.previewLayer.visible(!!canvas);
    this.previewLayer.batchDraw();
    this.container.dataset.preview = String(!!canvas);
    this.container.dataset.previewStep = canvas ? String(at.step) : '';
  }

  /** The preview canvas changed (new threshold): redraw its layer. */
  previewChanged(): void {
    this.previewLayer.batchDraw();
  }

  /** Outlines the superpixels (the superpixel brush's units) above the labels, or hides them (null). */
  showSuperpixels(sp: Superpixels | null): void {
    this.edges.setAttrs(sp ? { image: superpixelEdges(sp), width: sp.width, height: sp.height } : { image: undefined });
    this.edgeLayer.visible(!!sp);
    this.edgeLayer.batchDraw();
    this.container.dataset.superpixels = String(!!sp);
  }

  setOverlay(visible: boolean, opacity: number): void {
    this.labels.visible(visible);
    this.labels.opacity(opacity);
    this.labelLayer.batchDraw();
  }

  fit(): void {
    if (!this.imageSize) return;
    this.view.fit(this.imageSize.width, this.imageSize.height, this.stage.width(), this.stage.height());
    this.fitted = true;
    this.applyView();
  }

  zoomAbout(sx: number, sy: number, factor: number): void {
    this.view.zoomAbout(sx, sy, factor);
    this.fitted = false;
    this.applyView();
  }

  pan(dx: number, dy: number): void {
    this.view.pan(dx, dy);
    this.fitted = false;
    this.applyView();
  }

  /** Centres the view on image point (ix, iy), keeping the zoom. */
  centerOn(ix: number, iy: number): void {
    this.view.centerOn(ix, iy, this.stage.width(), this.stage.height());
    this.fitted = false;
    this.applyView();
  }

  /** Brightness and contrast of the photo as shown (a CSS filter on its layer: the pixels are never changed). */
  setAdjust(brightness: number, contrast: number): void {
    const el = this.photoLayer.getNativeCanvasElement();
    el.style.filter = brightness === 1 && contrast === 1 ? '' : `brightness(${brightness}) contrast(${contrast})`;
  }

  toImage(sx: number, sy: number): Point {
    return this.view.toImage(sx, sy);
  }

  /** The brush outline: a circle of `diameter` image pixels centred on image point `p`. */
  showBrush(p: Point, diameter: number): void {
    for (const c of [this.brushOuter, this.brushInner])
      c.setAttrs({ visible: true, x: p.x, y: p.y, radius: diameter / 2 });
    this.cursorLayer.batchDraw();
  }

  hideBrush(): void {
    if (!this.brushInner.visible()) return;
    this.brushOuter.visible(false);
    this.brushInner.visible(false);
    this.cursorLayer.batchDraw();
  }

  /** The polygon being drawn (closed when `cursor` is null, e.g. a lasso) and a rubber band to the cursor. */
  preview(points: readonly number[] | null, cursor: Point | null, closable = false): void {
    // Vertex markers for a polygon being clicked (a lasso, with no cursor band, has too many points).
    this.polygon = { points: points && cursor ? [...points] : [], closable };
    this.container.dataset.polygonVertices = String(this.polygon.points.length / 2);
    this.container.dataset.polygonClosable = String(closable);
    this.outline.visible(!!points);
    this.outline.points(points ? [...points] : []);
    this.outline.closed(!cursor);
    const n = points?.length ?? 0;
    const band =
      points && cursor && n >= 2 ? [points[n - 2]!, points[n - 1]!, cursor.x, cursor.y, points[0]!, points[1]!] : [];
    this.outlineCursor.visible(band.length > 0);
    this.outlineCursor.points(band);
    this.cursorLayer.batchDraw();
  }

  focus(): void {
    this.container.focus({ preventScroll: true });
  }

  destroy(): void {
    this.stage.destroy();
  }

  private applyView(): void {
    const { scale, x, y } = this.view;
    this.stage.setAttrs({ scaleX: scale, scaleY: scale, x, y });
    this.photoLayer.imageSmoothingEnabled(scale < CRISP_PHOTO_ZOOM);
    // Zoomed in, every label pixel is a crisp square; zoomed out, smoothing keeps thin labels visible.
    this.labelLayer.imageSmoothingEnabled(scale < 1);
    this.previewLayer.imageSmoothingEnabled(scale < 1);
    this.edgeLayer.imageSmoothingEnabled(false);
    this.stage.batchDraw();
    // Read by the end-to-end test (and handy when debugging): the transform in CSS pixels.
    this.container.dataset.scale = String(scale);
    this.container.dataset.x = String(x);
    this.container.dataset.y = String(y);
    this.onview(this.view, this.stage.width(), this.stage.height());
  }
}
