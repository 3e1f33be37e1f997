/**
 * The metrics stored with each epoch (db `epoch_metrics.metrics`, JSON) and shown in the training panel.
 * JSON turns NaN into null, and older rows may lack a field: the schema reads any of that as null (or an
 * empty list), so the renderer and the CLI get one typed shape.
 */
import { z } from 'zod';
import type { EpochResult } from './messages';

const num = z.number().nullable().catch(null);
const list = z.array(num).catch([]);

export const epochMetricsSchema = z.object({
  pixelAccuracy: num,
  meanClassAccuracy: num,
  meanIoU: num,
  classAccuracy: list,
  iou: list,
  pixels: num,
  mse: num,
  brier: num,
  /** Flat C*C pixel counts, `confusion[g * C + p]`; [] when absent. */
  confusion: z.array(z.number().catch(0)).catch([]),
  /** Which images the metrics were computed on: validation, or training when there were none. */
  metricsOn: z.enum(['val', 'train']).nullable().catch(null),
  /** Seconds the epoch took. */
  seconds: num,
});
export type EpochMetrics = z.infer<typeof epochMetricsSchema>;

/** What the training process writes per epoch. */
export type EpochMetricsRecord = EpochResult['metrics'] & { metricsOn: 'val' | 'train'; seconds: number };

/** Stored (or live) metrics as the typed shape: NaN and missing values are null. */
export function parseEpochMetrics(raw: unknown): EpochMetrics {
  return epochMetricsSchema.parse(raw !== null && typeof raw === 'object' ? raw : {});
}
