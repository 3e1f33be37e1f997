/**
 * Settings of a training run, with the defaults behind the one-click "Train" and their bounds.
 * Validated wherever they enter (IPC, CLI, the training process).
 */
import { z } from 'zod';

export const PIXEL_SOURCES = ['painted', 'propagated', 'predicted', 'imported'] as const;
export type PixelSource = (typeof PIXEL_SOURCES)[number];

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;

export const trainSettingsSchema = z
  .object({
    /** Working size; both must be multiples of 2^depth. Null: chosen from the images (long side 256). */
    width: z.number().int().min(16).max(2048).nullable().default(null),
    height: z.number().int().min(16).max(2048).nullable().default(null),
    epochs: z.number().int().min(1).max(10_000).optional(),
    minutes: z
      .number()
      .positive()
      .max(7 * 24 * 60)
      .optional(),
    batchSize: z.number().int().min(1).max(256).default(4),
    learningRate: z.number().positive().max(1).default(1e-3),
    baseFilters: z.number().int().min(2).max(256).default(16),
    depth: z.number().int().min(1).max(6).default(3),
    dropout: z.number().min(0).max(0.9).default(0.1),
    /** Which label sources train: painted, propagated, accepted predictions, imported. */
    sources: z.array(z.enum(PIXEL_SOURCES)).min(1).default(['painted', 'propagated', 'imported']),
    reduction: z.enum(['sumPerImageMeanOverBatch', 'weightedMean']).default('weightedMean'),
    /** Weight of the reconstruction (autoencoder) loss on all images, labeled or not; 0 = off. */
    reconstructionWeight: z.number().min(0).max(100).default(0),
    flips: z.boolean().default(true),
    /** Random scale and crop, photometric jitter and class-balanced crops (trainer/run/augment.ts). */
    augment: z.boolean().default(true),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(1),
    backend: z.enum(BACKEND_CHOICES).default('auto'),
    /** Continue from this checkpoint's weights (same classes and architecture). */
    resumeFrom: z.number().int().positive().optional(),
  })
  .refine((s) => s.epochs !== undefined || s.minutes !== undefined, { message: 'set epochs or minutes' });

export type TrainSettingsInput = z.input<typeof trainSettingsSchema>;
export type TrainSettings = z.output<typeof trainSettingsSchema>;

/** The one-click defaults: at most 30 epochs or 10 minutes. */
export const DEFAULT_TRAIN_SETTINGS: TrainSettingsInput = { epochs: 30, minutes: 10 };

/**
 * Working size for images of `width` x `height`: the long side scaled to `longSide` (never up), both
 * rounded to multiples of 2^depth (at least one step).
 */
export function workingSize(
  width: number,
  height: number,
  depth: number,
  longSide = 256,
): { width: number; height: number } {
  const step = 2 ** depth;
  const scale = Math.min(1, longSide / Math.max(width, height));
  const round = (v: number) => Math.max(step, Math.round((v * scale) / step) * step);
  return { width: round(width), height: round(height) };
}
