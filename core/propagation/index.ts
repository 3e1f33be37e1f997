/** Label propagation: fill unlabeled pixels from painted strokes. */
export { preparePropagation, propagateLabels, propagateWithTuning } from './propagate';
export { NoLabelsError, PropagationCancelled, PropagationInputError } from './errors';
export { UNLABELED } from '../labelmap/types';
export type { PropagationImage, PropagationMethod } from './types';
export type { RandomWalkerTuning } from './randomWalker';
export { sampledSize } from './randomWalker';
export type { SampledRect } from './randomWalker';
export { countSeeds, seedsOf } from './seeds';
