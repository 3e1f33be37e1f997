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
}

export type PropagateMessage =
  | { type: 'progress'; fraction: number }
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
