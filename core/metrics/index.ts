/** Segmentation metrics (pixel accuracy, mean class accuracy, IoU, mIoU). */
export { accumulateConfusion, confusionMatrix, emptyConfusion, segmentationMetrics } from './segmentation';
export type { ConfusionMatrix, SegmentationMetrics } from './segmentation';
