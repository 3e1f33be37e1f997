/**
 * Superpixels (SLIC, Achanta et al. 2012) and the superpixel brush that paints whole superpixels.
 *
 * Computed once per image at a working resolution of at most `maxPixels` (1 MP unless set; bigger images
 * are area-averaged down), in CIELAB:
 * centres start on a grid of `step` pixels (moved to the lowest gradient in their 3x3 neighbourhood),
 * then each iteration assigns every pixel within 2 steps of a centre to the centre with the smallest
 * D = |lab - lab_k|^2 + (|xy - xy_k| * compactness / step)^2 and moves centres to their pixels' means.
 * Finally every superpixel is made 4-connected: fragments smaller than step^2/4 join a neighbour.
 * Full-resolution pixel (x, y) belongs to working pixel (floor(x * gw / w), floor(y * gh / h)).
 */
import type { EditEntry } from './patch';
import { EditRecorder } from './recorder';
import { paintProvenance, Provenance } from './types';
import type { LabelMap, Rect } from './types';

export interface SuperpixelOptions {
  /** Grid step at the working resolution (default: about 1500 superpixels, 6..40 pixels). */
  step?: number;
  /** Colour against distance: higher gives rounder, more regular superpixels. */
  compactness?: number;
  iterations?: number;
  /** Largest working resolution in pixels (bigger images are area-averaged down first). */
  maxPixels?: number;
}

export interface Superpixels {
  /** Full-resolution size (the label map's). */
  readonly width: number;
  readonly height: number;
  /** Working resolution. */
  readonly gridWidth: number;
  readonly gridHeight: number;
  /** Superpixel id per working pixel, 0..count-1. */
  readonly labels: Int32Array;
  readonly count: number;
  /** Per superpixel: x0, y0, x1, y1 (inclusive) in working pixels. */
  readonly boxes: Int32Array;
}

/** First full-resolution column (or row) of working column g, when `full` maps onto `grid` cells. */
const blockStart = (g: number, full: number, grid: number): number => Math.floor((g * full + grid - 1) / grid);

export function computeSuperpixels(
  rgba: ArrayLike<number>,
  width: number,
  height: number,
  options: SuperpixelOptions = {},
): Superpixels {
  if (rgba.length < width * height * 4) throw new RangeError('superpixels: rgba is smaller than width*height*4');
  const maxPixels = options.maxPixels ?? 1_000_000;
  const scale = Math.min(1, Math.sqrt(maxPixels / (width * height)));
  const gw = Math.max(1, Math.round(width * scale));
  const gh = Math.max(1, Math.round(height * scale));
  const lab = toLab(downsample(rgba, width, height, gw, gh), gw * gh);
  const step = options.step ?? Math.min(40, Math.max(6, Math.round(Math.sqrt((gw * gh) / 1500))));
  const m = options.compactness ?? 10;
  let centres = initialCentres(lab, gw, gh, step);
  let labels: Int32Array = new Int32Array(gw * gh);
  for (let it = 0; it < (options.iterations ?? 5); it++) {
    labels = assignPixels(lab, gw, gh, centres, step, m);
    centres = updateCentres(lab, gw, labels, centres);
  }
  const { labels: connected, count } = enforceConnectivity(labels, gw, gh, Math.max(1, Math.floor((step * step) / 4)));
  return {
    width,
    height,
    gridWidth: gw,
    gridHeight: gh,
    labels: connected,
    count,
    boxes: boundingBoxes(connected, gw, count),
  };
}

/** Area average of the full image onto a gw x gh grid: RGB, 3 floats per cell. */
function downsample(rgba: ArrayLike<number>, w: number, h: number, gw: number, gh: number): Float32Array {
  const out = new Float32Array(gw * gh * 3);
  for (let gy = 0; gy < gh; gy++) {
    const y0 = blockStart(gy, h, gh);
    const y1 = blockStart(gy + 1, h, gh);
    for (let gx = 0; gx < gw; gx++) {
      const x0 = blockStart(gx, w, gw);
      const x1 = blockStart(gx + 1, w, gw);
      let r = 0;
      let g = 0;
      let b = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const i = (y * w + x) * 4;
          r += rgba[i]!;
          g += rgba[i + 1]!;
          b += rgba[i + 2]!;
        }
      }
      const n = Math.max(1, (y1 - y0) * (x1 - x0));
      const o = (gy * gw + gx) * 3;
      out[o] = r / n;
      out[o + 1] = g / n;
      out[o + 2] = b / n;
    }
  }
  return out;
}

/** sRGB (0..255) to CIELAB (D65), in place on 3 floats per pixel. */
function toLab(rgb: Float32Array, n: number): Float32Array {
  // sRGB decoding through a table in 1/4 steps (inputs are area averages of bytes).
  const table = new Float64Array(1021);
  for (let q = 0; q < table.length; q++) {
    const v = q / 4 / 255;
    table[q] = v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }
  const lin = (c: number) => table[Math.round(c * 4)]!;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  for (let i = 0; i < n; i++) {
    const r = lin(rgb[i * 3]!);
    const g = lin(rgb[i * 3 + 1]!);
    const b = lin(rgb[i * 3 + 2]!);
    const fx = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
    const fy = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
    const fz = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
    rgb[i * 3] = 116 * fy - 16;
    rgb[i * 3 + 1] = 500 * (fx - fy);
    rgb[i * 3 + 2] = 200 * (fy - fz);
  }
  return rgb;
}

/** Centres as [L, a, b, x, y] per superpixel. */
export type Centres = Float64Array[];

function initialCentres(lab: Float32Array, w: number, h: number, step: number): Centres {
  const grad = (x: number, y: number): number => {
    const at = (xx: number, yy: number, c: number) =>
      lab[(Math.min(h - 1, Math.max(0, yy)) * w + Math.min(w - 1, Math.max(0, xx))) * 3 + c]!;
    let g = 0;
    for (let c = 0; c < 3; c++)
      g += (at(x + 1, y, c) - at(x - 1, y, c)) ** 2 + (at(x, y + 1, c) - at(x, y - 1, c)) ** 2;
    return g;
  };
  const out: Centres = [];
  for (let y = Math.floor(step / 2); y < h || out.length === 0; y += step) {
    for (let x = Math.floor(step / 2); x < w || out.length === 0; x += step) {
      let bx = Math.min(x, w - 1);
      let by = Math.min(y, h - 1);
      let best = grad(bx, by);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = Math.min(x, w - 1) + dx;
          const ny = Math.min(y, h - 1) + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const g = grad(nx, ny);
          if (g < best) [best, bx, by] = [g, nx, ny];
        }
      }
      const i = (by * w + bx) * 3;
      out.push(Float64Array.of(lab[i]!, lab[i + 1]!, lab[i + 2]!, bx, by));
      if (x >= w) break;
    }
    if (y >= h) break;
  }
  return out;
}

/**
 * One assignment step: each pixel within `step` (per axis) of a centre's rounded position takes the
 * centre with the smallest distance D (the lower index on ties); pixels no window reaches get -1.
 */
export function assignPixels(
  lab: ArrayLike<number>,
  w: number,
  h: number,
  centres: Centres,
  step: number,
  compactness: number,
): Int32Array {
  const labels = new Int32Array(w * h).fill(-1);
  const dist = new Float64Array(w * h).fill(Infinity);
  const k2 = (compactness / step) * (compactness / step);
  centres.forEach((c, k) => {
    const [l0, a0, b0, x0, y0] = c as unknown as [number, number, number, number, number];
    const cx = Math.round(x0);
    const cy = Math.round(y0);
    const xa = Math.max(0, cx - step);
    const xb = Math.min(w - 1, cx + step);
    for (let y = Math.max(0, cy - step); y <= Math.min(h - 1, cy + step); y++) {
      const dy2 = (y - y0) * (y - y0) * k2;
      for (let x = xa, i = y * w + xa; x <= xb; x++, i++) {
        const dl = lab[i * 3]! - l0;
        const da = lab[i * 3 + 1]! - a0;
        const db = lab[i * 3 + 2]! - b0;
        const d = dl * dl + da * da + db * db + (x - x0) * (x - x0) * k2 + dy2;
        if (d < dist[i]!) {
          dist[i] = d;
          labels[i] = k;
        }
      }
    }
  });
  return labels;
}

function updateCentres(lab: Float32Array, w: number, labels: Int32Array, centres: Centres): Centres {
  const sums = centres.map(() => new Float64Array(6));
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i]!;
    if (k < 0) continue;
    const s = sums[k]!;
    s[0]! += lab[i * 3]!;
    s[1]! += lab[i * 3 + 1]!;
    s[2]! += lab[i * 3 + 2]!;
    s[3]! += i % w;
    s[4]! += Math.floor(i / w);
    s[5]!++;
  }
  return centres.map((c, k) => {
    const s = sums[k]!;
    return s[5]! > 0 ? Float64Array.of(s[0]! / s[5]!, s[1]! / s[5]!, s[2]! / s[5]!, s[3]! / s[5]!, s[4]! / s[5]!) : c;
  });
}

/**
 * Relabels so that every superpixel is one 4-connected component, numbered 0..count-1 in raster order
 * of first pixel; a component smaller than `minSize` (or unassigned, -1) joins the component left of
 * or above its first pixel.
 */
export function enforceConnectivity(
  labels: Int32Array,
  w: number,
  h: number,
  minSize: number,
): { labels: Int32Array; count: number } {
  const out = new Int32Array(w * h).fill(-1);
  const queue = new Int32Array(w * h);
  let count = 0;
  for (let start = 0; start < w * h; start++) {
    if (out[start] !== -1) continue;
    const x0 = start % w;
    const adjacent = x0 > 0 ? out[start - 1]! : start >= w ? out[start - w]! : -1;
    const original = labels[start]!;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    out[start] = count;
    while (head < tail) {
      const i = queue[head++]!;
      const x = i % w;
      for (let n = 0; n < 4; n++) {
        const j = n === 0 ? (x > 0 ? i - 1 : -1) : n === 1 ? (x < w - 1 ? i + 1 : -1) : n === 2 ? i - w : i + w;
        if (j < 0 || j >= w * h || out[j] !== -1 || labels[j] !== original) continue;
        out[j] = count;
        queue[tail++] = j;
      }
    }
    if ((tail < minSize || original < 0) && adjacent >= 0) {
      for (let q = 0; q < tail; q++) out[queue[q]!] = adjacent;
    } else count++;
  }
  return { labels: out, count };
}

function boundingBoxes(labels: Int32Array, w: number, count: number): Int32Array {
  const boxes = new Int32Array(count * 4);
  for (let k = 0; k < count; k++) boxes.set([2 ** 30, 2 ** 30, -1, -1], k * 4);
  for (let i = 0; i < labels.length; i++) {
    const o = labels[i]! * 4;
    const x = i % w;
    const y = (i - x) / w;
    if (x < boxes[o]!) boxes[o] = x;
    if (y < boxes[o + 1]!) boxes[o + 1] = y;
    if (x > boxes[o + 2]!) boxes[o + 2] = x;
    if (y > boxes[o + 3]!) boxes[o + 3] = y;
  }
  return boxes;
}

/** The superpixel of full-resolution pixel (x, y). */
export function superpixelAt(sp: Superpixels, x: number, y: number): number {
  const gx = Math.floor((x * sp.gridWidth) / sp.width);
  const gy = Math.floor((y * sp.gridHeight) / sp.height);
  return sp.labels[gy * sp.gridWidth + gx]!;
}

export interface SuperpixelBrushOptions {
  value: number;
  protectLabels?: boolean;
}

/**
 * A superpixel brush stroke (one undo step): every superpixel with a pixel centre within diameter/2 of
 * a stroke point is painted whole. Like the magic wand it never changes painted pixels (and with
 * `protectLabels` writes unlabeled pixels only).
 */
export class SuperpixelStroke {
  private readonly rec: EditRecorder;
  private readonly painted: Uint8Array;

  constructor(
    private readonly map: LabelMap,
    private readonly sp: Superpixels,
    private readonly options: SuperpixelBrushOptions,
  ) {
    paintProvenance(options.value);
    if (sp.width !== map.width || sp.height !== map.height)
      throw new RangeError('superpixels: size differs from the map');
    this.rec = new EditRecorder(map);
    this.painted = new Uint8Array(sp.count);
  }

  /** Paints the superpixels under a disc at image point (x, y); returns the changed rectangle. */
  addPoint(x: number, y: number, diameter: number): Rect | null {
    for (const k of this.touched(x, y, diameter)) {
      if (this.painted[k]) continue;
      this.painted[k] = 1;
      this.paint(k);
    }
    return this.rec.takeDirty();
  }

  commit(): EditEntry | null {
    return this.rec.finish();
  }

  cancel(): Rect | null {
    return this.rec.revert();
  }

  /** Superpixels with a full-resolution pixel centre within diameter/2 of (x, y). */
  private touched(x: number, y: number, diameter: number): Set<number> {
    const { sp } = this;
    const r = Math.max(0.5, diameter / 2);
    const out = new Set<number>();
    const gx0 = Math.max(0, Math.floor(((x - r) * sp.gridWidth) / sp.width));
    const gx1 = Math.min(sp.gridWidth - 1, Math.floor(((x + r) * sp.gridWidth) / sp.width));
    const gy0 = Math.max(0, Math.floor(((y - r) * sp.gridHeight) / sp.height));
    const gy1 = Math.min(sp.gridHeight - 1, Math.floor(((y + r) * sp.gridHeight) / sp.height));
    for (let gy = gy0; gy <= gy1; gy++) {
      const by0 = blockStart(gy, sp.height, sp.gridHeight);
      const by1 = blockStart(gy + 1, sp.height, sp.gridHeight) - 1;
      if (by1 < by0) continue;
      const py = Math.min(by1, Math.max(by0, Math.floor(y)));
      for (let gx = gx0; gx <= gx1; gx++) {
        const bx0 = blockStart(gx, sp.width, sp.gridWidth);
        const bx1 = blockStart(gx + 1, sp.width, sp.gridWidth) - 1;
        if (bx1 < bx0) continue;
        const px = Math.min(bx1, Math.max(bx0, Math.floor(x)));
        if ((px + 0.5 - x) ** 2 + (py + 0.5 - y) ** 2 <= r * r) out.add(sp.labels[gy * sp.gridWidth + gx]!);
      }
    }
    return out;
  }

  private paint(k: number): void {
    const { sp, map } = this;
    const [x0, y0, x1, y1] = sp.boxes.subarray(k * 4, k * 4 + 4);
    for (let gy = y0!; gy <= y1!; gy++) {
      const row = gy * sp.gridWidth;
      for (let gx = x0!; gx <= x1!; gx++) {
        if (sp.labels[row + gx] !== k) continue;
        let end = gx;
        while (end < x1! && sp.labels[row + end + 1] === k) end++;
        const fx0 = blockStart(gx, sp.width, sp.gridWidth);
        const fx1 = blockStart(end + 1, sp.width, sp.gridWidth) - 1;
        for (let y = blockStart(gy, sp.height, sp.gridHeight); y < blockStart(gy + 1, sp.height, sp.gridHeight); y++) {
          this.writeUnpainted(y, fx0, fx1, map.width);
        }
        gx = end;
      }
    }
  }

  /** Writes row y, columns x0..x1, skipping painted pixels. */
  private writeUnpainted(y: number, x0: number, x1: number, w: number): void {
    const prov = this.map.provenance;
    for (let x = x0; x <= x1; x++) {
      if (prov[y * w + x] === Provenance.Painted) continue;
      let end = x;
      while (end < x1 && prov[y * w + end + 1] !== Provenance.Painted) end++;
      this.rec.writeSpan(y, x, end, this.options.value, this.options.protectLabels);
      x = end;
    }
  }
}
