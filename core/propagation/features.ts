/**
 * Pixel features for the propagation graph: CIE Lab color at a working resolution, and 2x2 pyramids.
 *
 * All feature buffers are `Float32Array` of length `w * h * 3`, row-major, channels interleaved (L, a, b).
 */
import type { PropagationImage } from './types';

/** sRGB 8-bit value -> linear RGB, computed once. */
const SRGB_TO_LINEAR = (() => {
  const t = new Float32Array(256);
  for (let v = 0; v < 256; v++) {
    const c = v / 255;
    t[v] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  }
  return t;
})();

function labF(t: number): number {
  return t > 0.008856451679 ? Math.cbrt(t) : 7.787037037 * t + 16 / 116;
}

/**
 * Box-downsamples an 8-bit image by an integer `factor` (1 = copy) into float RGB 0..255.
 * Output: `Float32Array(w2 * h2 * 3)`, `w2 = ceil(width / factor)`, `h2 = ceil(height / factor)`; gray is
 * replicated to three channels, alpha ignored. Cost O(width * height).
 */
export function downsampleRgb(image: PropagationImage, factor: number): { rgb: Float32Array; w: number; h: number } {
  const { data, width, height, channels } = image;
  const w = Math.ceil(width / factor);
  const h = Math.ceil(height / factor);
  const rgb = new Float32Array(w * h * 3);
  const count = new Float32Array(w * h);
  for (let y = 0; y < height; y++) {
    const row = ((y / factor) | 0) * w;
    for (let x = 0; x < width; x++) {
      const o = (row + ((x / factor) | 0)) * 3;
      const s = (y * width + x) * channels;
      if (channels === 1) {
        const g = data[s]!;
        rgb[o] += g;
        rgb[o + 1] += g;
        rgb[o + 2] += g;
      } else {
        rgb[o] += data[s]!;
        rgb[o + 1] += data[s + 1]!;
        rgb[o + 2] += data[s + 2]!;
      }
      count[row + ((x / factor) | 0)] += 1;
    }
  }
  for (let i = 0; i < w * h; i++) {
    const inv = 1 / count[i]!;
    rgb[3 * i] *= inv;
    rgb[3 * i + 1] *= inv;
    rgb[3 * i + 2] *= inv;
  }
  return { rgb, w, h };
}

/** Float RGB 0..255 (interleaved, `n * 3`) -> CIE Lab (D65), same layout. Cost O(n). */
export function rgbToLab(rgb: Float32Array): Float32Array {
  const n = rgb.length / 3;
  const lab = new Float32Array(rgb.length);
  for (let i = 0; i < n; i++) {
    // Interpolate the sRGB table for non-integer (averaged) values.
    const r = lin(rgb[3 * i]!);
    const g = lin(rgb[3 * i + 1]!);
    const b = lin(rgb[3 * i + 2]!);
    const fx = labF((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047);
    const fy = labF(0.2126729 * r + 0.7151522 * g + 0.072175 * b);
    const fz = labF((0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883);
    lab[3 * i] = 116 * fy - 16;
    lab[3 * i + 1] = 500 * (fx - fy);
    lab[3 * i + 2] = 200 * (fy - fz);
  }
  return lab;
}

function lin(v: number): number {
  const i = v <= 0 ? 0 : v >= 255 ? 254 : Math.floor(v);
  const f = Math.min(Math.max(v - i, 0), 1);
  return SRGB_TO_LINEAR[i]! * (1 - f) + SRGB_TO_LINEAR[i + 1 > 255 ? 255 : i + 1]! * f;
}

/**
 * 2x2 box average of an interleaved `w * h * c` buffer. Output `ceil(w/2) * ceil(h/2) * c`; an odd last
 * row or column averages what exists. Cost O(w * h * c).
 */
export function halveFeatures(
  feat: Float32Array,
  w: number,
  h: number,
  c: number,
): { feat: Float32Array; w: number; h: number } {
  const w2 = (w + 1) >> 1;
  const h2 = (h + 1) >> 1;
  const out = new Float32Array(w2 * h2 * c);
  for (let y2 = 0; y2 < h2; y2++) {
    const y0 = 2 * y2;
    const y1 = Math.min(y0 + 1, h - 1);
    for (let x2 = 0; x2 < w2; x2++) {
      const x0 = 2 * x2;
      const x1 = Math.min(x0 + 1, w - 1);
      const a = (y0 * w + x0) * c;
      const b = (y0 * w + x1) * c;
      const d = (y1 * w + x0) * c;
      const e = (y1 * w + x1) * c;
      const o = (y2 * w2 + x2) * c;
      for (let k = 0; k < c; k++) out[o + k] = 0.25 * (feat[a + k]! + feat[b + k]! + feat[d + k]! + feat[e + k]!);
    }
  }
  return { feat: out, w: w2, h: h2 };
}
