/** Label propagation: fill unlabeled pixels from painted strokes. */
export { propagateLabels, propagateWithTuning } from './propagate';
export { NoLabelsError, PropagationCancelled, PropagationInputError } from './errors';
export { UNLABELED } from '../labelmap/types';
export type { PropagationImage, PropagationMethod, PropagationOptions, PropagationResult } from './types';
export type { RandomWalkerTuning } from './randomWalker';
export { DEFAULT_TUNING } from './randomWalker';
export { countSeeds, isReplaceable, mergePatch, mergePropagation, seedsOf, thresholdLabels } from './merge';
export type { MergePatch } from './merge';
