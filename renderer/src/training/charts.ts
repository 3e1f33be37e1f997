/** The series the training charts draw, from live or stored epochs. */
import type { ClassInfo } from '../../../core/ipc/contract';
import type { EpochPoint } from './training.svelte';

export interface Series {
  name: string;
  color: string;
  values: (number | null)[];
  /** x of each value; defaults to the index. */
  x?: number[];
  dashed?: boolean;
}

export const TRAIN_COLOR = '#4c9ffe';
const VAL_COLOR = '#e0a43a';
const MIOU_COLOR = '#3fb37f';

export function epochLossSeries(epochs: EpochPoint[]): Series[] {
  const x = epochs.map((e) => e.epoch + 1);
  const series: Series[] = [{ name: 'train loss', color: TRAIN_COLOR, values: epochs.map((e) => e.trainLoss), x }];
  if (epochs.some((e) => e.valLoss !== null))
    series.push({ name: 'val loss', color: VAL_COLOR, values: epochs.map((e) => e.valLoss), x, dashed: true });
  return series;
}

export function miouSeries(epochs: EpochPoint[]): Series[] {
  return [{ name: 'mIoU', color: MIOU_COLOR, values: epochs.map((e) => e.meanIoU), x: epochs.map((e) => e.epoch + 1) }];
}

/** One line per class, in the class's color; index i is the i-th class in sidebar order. */
export function classIouSeries(epochs: EpochPoint[], classes: ClassInfo[]): Series[] {
  const x = epochs.map((e) => e.epoch + 1);
  const count = Math.max(0, ...epochs.map((e) => e.iou.length));
  return Array.from({ length: count }, (_, i) => ({
    name: classes[i]?.name ?? `class ${i + 1}`,
    color: classes[i]?.color ?? '#888888',
    values: epochs.map((e) => e.iou[i] ?? null),
    x,
  }));
}
