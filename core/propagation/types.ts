/**
 * Public types of the label-propagation engine.
 *
 * Conventions: images and label maps are row-major, index `i = y * width + x`. A label map is a
 * `Uint8Array` of length `width * height` holding a class index 0..254, or UNLABELED (255,
 * core/labelmap/types.ts).
 */

/** An 8-bit image, row-major, interleaved channels (1 = gray, 3 = RGB, 4 = RGBA; alpha is ignored). */
export interface PropagationImage {
  /** Length `width * height * channels`. */
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
}

/** Propagation methods. */
export type PropagationMethod = 'random-walker' | 'nearest';

export interface PropagationOptions {
  /**
   * `'random-walker'` (default): multilabel random walker, solved coarse to fine (direct banded Cholesky
   * on a coarse level, then Jacobi-preconditioned conjugate gradients), sharpened by a color model of the
   * painted pixels (see {@link appearanceWeight}). `'nearest'`: the class of the nearest painted pixel
   * (Euclidean), the fast floor.
   */
  readonly method?: PropagationMethod;
  /**
   * Edge contrast sensitivity: the weight between neighbours p, q is `exp(-beta * (d2(p,q) - shift) / s2)`
   * with `d2` the squared Lab color distance, `s2` its mean over the image and `shift` the largest of the
   * two nodes' nearest-neighbour distances. Any value in [1e-6, 1e6] is numerically safe.
   */
  readonly beta?: number;
  /** Alias of {@link beta} (the RBF `gamma` of scikit-learn). `beta` wins when both are given. */
  readonly gamma?: number;
  /**
   * Weight of the color prior (per class color histogram of the painted pixels), relative to an edge of
   * weight 1. Default 0: off (a tiny 1e-6 regulariser stays so that every system is well posed); on the
   * CamVid benchmark 1e-4 was neutral and 1e-3 or more hurt.
   */
  readonly priorWeight?: number;
  /**
   * Weight (exponent) of the appearance model: the walker's class probabilities are multiplied by
   * `P(class | color, image tile)^appearanceWeight`, estimated from the painted pixels' colors, and
   * renormalised. Default 0.8; 0 gives the plain random walker. Any value in [0, 100] is numerically safe.
   */
  readonly appearanceWeight?: number;
  /**
   * Conjugate-gradient iteration cap on the working level (default 25). The coarse levels (at most
   * 12 000 pixels) are solved directly, so a small cap already gives an accurate labeling.
   */
  readonly maxIter?: number;
  /** Relative residual `max_k ||r_k|| / ||b_k||` at which the working-level CG stops (default 0.05). */
  readonly tol?: number;
  /** Pixels whose confidence is below this (0..1) stay UNLABELED in `labels`. Default 0. */
  readonly confidenceThreshold?: number;
  /**
   * Largest number of pixels the solver works on; bigger images are solved at a reduced resolution and
   * upsampled with an edge-aware (joint bilateral) step. Default 50 000.
   */
  readonly maxWorkingPixels?: number;
  /** Called with the completed fraction (0..1), at most a few dozen times. */
  readonly onProgress?: (fraction: number) => void;
  /** Polled between solver iterations; returning true aborts with {@link PropagationCancelled}. */
  readonly shouldCancel?: () => boolean;
}

export interface PropagationResult {
  /** Length `width * height`: class per pixel, painted pixels unchanged, low-confidence pixels 255. */
  readonly labels: Uint8Array;
  /**
   * Length `width * height`, in [0, 1]: the probability of the chosen class (random walker times the
   * appearance model, renormalised; 1 for painted pixels; for `'nearest'` a decreasing function of the
   * distance to the nearest painted pixel).
   */
  readonly confidence: Float32Array;
  /** Whether the iterative solve reached `tol` within `maxIter` (true for non-iterative methods). */
  readonly converged: boolean;
  /** Conjugate-gradient iterations on the working level (0 for non-iterative methods). */
  readonly iterations: number;
  /** Final relative residual of the working-level solve (0 for non-iterative methods). */
  readonly residual: number;
  /** Human-readable notes (not converged, classes ignored, and so on). */
  readonly warnings: string[];
}
