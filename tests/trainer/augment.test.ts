import { describe, expect, it } from 'vitest';
import {
  augmentSample,
  ClassBalance,
  cropSample,
  DEFAULT_AUGMENT,
  jitter,
  PAD_RGB,
  type AugmentOptions,
} from '../../trainer/run/augment';
import { rng, type Sample } from '../../trainer/run/data';

/** A sample with pseudo-random RGB and the given labels (or labels from `label(x, y)`). */
function sample(width: number, height: number, label: (x: number, y: number) => number, seed = 1): Sample {
  const r = rng(seed);
  const rgb = Uint8Array.from({ length: width * height * 3 }, () => Math.floor(r() * 256));
  const labels = Uint8Array.from({ length: width * height }, (_, i) => label(i % width, Math.floor(i / width)));
  return { width, height, rgb, labels, sampleWeight: 1 };
}

const still: AugmentOptions = { scale: [1, 1], flip: false, brightness: 0, contrast: 0, saturation: 0, balanced: 0 };

describe('augmented crops', () => {
  it('at scale 1 without flip or jitter, a sample of the working size is its own crop', () => {
    const s = sample(12, 8, (x, y) => (x * 7 + y) % 5);
    const c = augmentSample(s, { width: 12, height: 8 }, rng(3), still);
    expect([...c.rgb]).toEqual([...s.rgb]);
    expect([...c.labels!]).toEqual([...s.labels!]);
  });

  it('a sample kept at twice the working size, cropped at scale 2 on whole pixels, is copied pixel for pixel', () => {
    const s = sample(8, 6, (x, y) => x + 10 * y);
    const c = cropSample(s, { width: 4, height: 3 }, { scale: 2, x0: 3, y0: 2, flip: false });
    for (let y = 0; y < 3; y++)
      for (let x = 0; x < 4; x++) {
        expect(c.labels![y * 4 + x]).toBe(x + 3 + 10 * (y + 2));
        for (let k = 0; k < 3; k++) expect(c.rgb[(y * 4 + x) * 3 + k]).toBe(s.rgb[((y + 2) * 8 + x + 3) * 3 + k]);
      }
  });

  it('a flip mirrors the crop exactly', () => {
    const s: Sample = {
      width: 3,
      height: 2,
      rgb: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]),
      labels: Uint8Array.from([0, 1, 2, 3, 4, 5]),
      sampleWeight: 1,
    };
    const c = cropSample(s, { width: 3, height: 2 }, { scale: 1, x0: 0, y0: 0, flip: true });
    expect([...c.rgb]).toEqual([7, 8, 9, 4, 5, 6, 1, 2, 3, 16, 17, 18, 13, 14, 15, 10, 11, 12]);
    expect([...c.labels!]).toEqual([2, 1, 0, 5, 4, 3]);
    // The random flip is that flip, about half the time.
    let flipped = 0;
    const random = rng(11);
    for (let i = 0; i < 400; i++) {
      const a = augmentSample(s, { width: 3, height: 2 }, random, { ...still, flip: true });
      if (a.labels![0] === 2) flipped++;
      else expect([...a.labels!]).toEqual([0, 1, 2, 3, 4, 5]);
    }
    expect(flipped).toBeGreaterThan(160);
    expect(flipped).toBeLessThan(240);
  });

  it('pads with unlabeled pixels (255) and mid-grey where a zoomed-out crop leaves the image', () => {
    const s = sample(8, 8, () => 4);
    // Scale 0.5 with the image centred: output pixel j's centre is at -4 + 2j + 1, on the image for j = 2..5.
    const c = cropSample(s, { width: 8, height: 8 }, { scale: 0.5, x0: -4, y0: -4, flip: false });
    for (let y = 0; y < 8; y++)
      for (let x = 0; x < 8; x++) {
        const on = x >= 2 && x <= 5 && y >= 2 && y <= 5;
        expect(c.labels![y * 8 + x]).toBe(on ? 4 : 255);
        if (!on) expect([...c.rgb.subarray((y * 8 + x) * 3, (y * 8 + x) * 3 + 3)]).toEqual([PAD_RGB, PAD_RGB, PAD_RGB]);
      }
    // Anywhere the random window lands at scale 0.5, the image covers exactly a quarter of the crop.
    const random = rng(5);
    for (let i = 0; i < 50; i++) {
      const a = augmentSample(s, { width: 8, height: 8 }, random, { ...still, scale: [0.5, 0.5] });
      expect(a.labels!.filter((v) => v === 255).length).toBe(48);
    }
  });

  it('resamples labels by nearest neighbour: never a class value the sample does not have', () => {
    const values = [0, 3, 7];
    const s = sample(40, 30, (x, y) => values[(Math.floor(x / 3) + Math.floor(y / 2)) % 3]!);
    const random = rng(9);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const a = augmentSample(s, { width: 16, height: 12 }, random, DEFAULT_AUGMENT, new ClassBalance([s], 8));
      for (const v of a.labels!) seen.add(v);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 3, 7, 255]);
  });

  it('jitter clamps to 0..255 (hand-computed) and leaves labels untouched', () => {
    // Brightness 1.25: 250 -> 312.5 clamps to 255 (a wrap would give 56); 10 -> 12.5 rounds to 13.
    expect([
      ...jitter(Uint8Array.from([250, 250, 250, 10, 10, 10]), { brightness: 1.25, contrast: 1, saturation: 1 }),
    ]).toEqual([255, 255, 255, 13, 13, 13]);
    // Contrast 0.5 around the mean grey 150: 100 -> 125, 200 -> 175.
    expect([
      ...jitter(Uint8Array.from([100, 100, 100, 200, 200, 200]), { brightness: 1, contrast: 0.5, saturation: 1 }),
    ]).toEqual([125, 125, 125, 175, 175, 175]);
    // Saturation 0: grey 0.299 * 255 = 76.2; saturation 2: red 255 + (255 - 76.2) clamps, others 0 - 76.2 clamp.
    expect([...jitter(Uint8Array.from([255, 0, 0]), { brightness: 1, contrast: 1, saturation: 0 })]).toEqual([
      76, 76, 76,
    ]);
    expect([...jitter(Uint8Array.from([255, 0, 0]), { brightness: 1, contrast: 1, saturation: 2 })]).toEqual([
      255, 0, 0,
    ]);

    const s = sample(20, 10, (x) => x % 4);
    const strong = { ...still, brightness: 0.9, contrast: 0.9, saturation: 0.9 };
    const a = augmentSample(s, { width: 20, height: 10 }, rng(2), strong);
    const b = augmentSample(s, { width: 20, height: 10 }, rng(2), still);
    expect([...a.labels!]).toEqual([...s.labels!]);
    expect([...b.rgb]).toEqual([...s.rgb]);
    expect([...a.rgb]).not.toEqual([...s.rgb]);
  });

  it('class-balanced crops show a one-pixel class at the rate the inverse frequency gives', () => {
    // 64x64: class 0 everywhere but one pixel of class 1. Crops of 16x16 at scales 0.5..2 (the whole image
    // reduced 2x to 8x: nearest sampling mostly misses that pixel unless the crop is placed through it).
    const s = sample(64, 64, (x, y) => (x === 40 && y === 21 ? 1 : 0));
    const balance = new ClassBalance([s], 2);
    const size = { width: 16, height: 16 };
    const N = 2000;
    const rate = (balanced: number, seed: number) => {
      const random = rng(seed);
      let hits = 0;
      for (let i = 0; i < N; i++)
        if (augmentSample(s, size, random, { ...DEFAULT_AUGMENT, balanced }, balance).labels!.includes(1)) hits++;
      return hits / N;
    };
    // Drawn inversely to frequency, class 1 (1 pixel of 4096) comes up with probability 4095/4096, and
    // a crop placed through its pixel always shows it.
    const pRare = 1 / 1 / (1 / 1 + 1 / 4095);
    const always = rate(1, 21);
    expect(always).toBeGreaterThanOrEqual(pRare - 4 * Math.sqrt((pRare * (1 - pRare)) / N) - 1 / N);
    const uniform = rate(0, 22);
    expect(uniform).toBeLessThan(0.2);
    const half = rate(0.5, 23);
    const expected = 0.5 * (pRare + (1 - pRare) * uniform) + 0.5 * uniform;
    // Binomial bound on `half`, plus the estimate's own error in `uniform` (weight 0.5).
    const sd = Math.sqrt((expected * (1 - expected)) / N) + 0.5 * Math.sqrt((uniform * (1 - uniform)) / N);
    expect(Math.abs(half - expected)).toBeLessThan(4 * sd);
  });

  it('repeats exactly with the same seed', () => {
    const s = sample(48, 36, (x, y) => (x + y) % 3);
    const balance = new ClassBalance([s], 3);
    const run = (seed: number) => {
      const random = rng(seed);
      return Array.from({ length: 5 }, () =>
        augmentSample(s, { width: 16, height: 12 }, random, DEFAULT_AUGMENT, balance),
      );
    };
    const [a, b, c] = [run(4), run(4), run(5)];
    expect(a.map((x) => [...x.rgb, ...x.labels!])).toEqual(b.map((x) => [...x.rgb, ...x.labels!]));
    expect(a.map((x) => [...x.rgb])).not.toEqual(c.map((x) => [...x.rgb]));
  });
});
