/** A valid checkpoint metadata (core/training/checkpoint.ts) for tests that store checkpoints by hand. */
import type { CheckpointMeta } from '../../core/training/checkpoint';

export const checkpointMeta: CheckpointMeta = {
  weightSpecs: [{ name: 'conv/kernel', shape: [1], dtype: 'float32' }],
  classValues: [1, 2],
  classNames: ['a', 'b'],
  classColors: ['#ff0000', '#00ff00'],
  inputSize: [64, 64],
};
