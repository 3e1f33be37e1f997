/**
 * The metrics stored with each epoch (db `epoch_metrics.metrics`, JSON) and shown in the training panel.
 * JSON turns NaN into null, and older rows may lack a field: the schema reads any of that as null (or an
 * empty list), so the renderer and the CLI get one typed shape.
 */
import { z } from 'zod';
import type { EpochResult } from '../jobs/train';

const num = z.number().nullable().catch(null);
const list = z.array(num).catch([]);

const epochMetricsSchema = z.object({
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

/**
 * The best epoch by validation mIoU: the highest `meanIoU` among epochs measured on validation images,
 * the later one on a tie (equal on validation, and trained longer). Null when no epoch has validation
 * metrics (a run without validation images): then the newest is what a run offers.
 */
export function bestEpoch(
  epochs: readonly { epoch: number; metrics: Pick<EpochMetrics, 'meanIoU' | 'metricsOn'> }[],
): number | null {
  let best: { epoch: number; miou: number } | null = null;
  for (const e of epochs) {
    const miou = e.metrics.meanIoU;
    if (e.metrics.metricsOn !== 'val' || miou === null || !Number.isFinite(miou)) continue;
    if (!best || miou > best.miou || (miou === best.miou && e.epoch > best.epoch)) best = { epoch: e.epoch, miou };
  }
  return best?.epoch ?? null;
}
