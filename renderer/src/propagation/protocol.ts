/** Messages between the renderer and the propagation worker. */
import type { PropagationOptions } from '../../../core/propagation/types';

export interface PropagateRequest {
  /** RGBA pixels of the image (as a canvas gives them), row-major. */
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
  /** Class value per pixel, 255 = unlabeled: the labels propagation starts from. */
  seeds: Uint8Array;
  options: Omit<PropagationOptions, 'onProgress' | 'shouldCancel'>;
  /**
   * The part on screen, sampled every `step` pixels: sent first (a `view` message), before the whole
   * image (a large image's rest takes seconds more).
   */
  view?: ViewGrid;
}

/** A rectangle of the image sampled every `step` pixels (core/propagation's `region`). */
interface ViewGrid {
  x: number;
  y: number;
  width: number;
  height: number;
  step: number;
}

export type PropagateMessage =
  | { type: 'progress'; fraction: number }
  /** The `view` grid's labels and confidence, as the whole result will have them there. */
  | { type: 'view'; view: ViewGrid; labels: Uint8Array; confidence: Float32Array }
  | {
      type: 'done';
      labels: Uint8Array;
      confidence: Float32Array;
      converged: boolean;
      iterations: number;
      residual: number;
      warnings: string[];
      ms: number;
    }
  | { type: 'error'; message: string };
