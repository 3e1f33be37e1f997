/** Pure helpers for training: class weights and validation metrics. */
export { assertClassWeights, classHistogram, medianFrequencyWeights, mergeClassWeights } from './weights';
export type { ClassWeightOverrides, MedianFrequencyWeights } from './weights';
export { accumulateEvaluation, emptyEvaluation, evaluationMetrics, softmaxMse, squaredErrorSum } from './metrics';
export type { EvaluationAccumulator, EvaluationMetrics } from './metrics';
