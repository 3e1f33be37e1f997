import type { PropagationImage } from '../../../core/propagation';

/** Deterministic pseudo-random numbers in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** RGB image whose left `split` columns are `left` and the rest `right`, with optional noise. */
export function twoRegionImage(
  w: number,
  h: number,
  split: number,
  left: [number, number, number],
  right: [number, number, number],
  noise = 0,
  seed = 1,
): PropagationImage {
  const rand = rng(seed);
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const c = x < split ? left : right;
      for (let k = 0; k < 3; k++) {
        const v = c[k]! + (rand() - 0.5) * 2 * noise;
        data[(y * w + x) * 3 + k] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  return { data, width: w, height: h, channels: 3 };
}

/** Random RGB image. */
export function randomImage(w: number, h: number, seed: number, channels: 1 | 3 | 4 = 3): PropagationImage {
  const rand = rng(seed);
  const data = new Uint8Array(w * h * channels).map(() => Math.floor(rand() * 256));
  return { data, width: w, height: h, channels };
}
