/**
 * What the project file stores beside a checkpoint's weights: the weight manifest, the classes the model
 * predicts (in output order) and the input it expects. Written by the training process, read (parsed
 * here, once, in db/runs.ts) by prediction, resuming and export.
 */
import { z } from 'zod';

/** One tensor of the concatenated weight data (TF.js `WeightsManifestEntry`). */
const weightSpecSchema = z
  .object({
    name: z.string(),
    shape: z.array(z.number().int().nonnegative()),
    dtype: z.enum(['float32', 'int32', 'bool', 'string', 'complex64']),
  })
  .passthrough();
export type WeightSpec = z.infer<typeof weightSpecSchema>;

export const checkpointMetaSchema = z
  .object({
    weightSpecs: z.array(weightSpecSchema),
    /** Project label value of each output channel. */
    classValues: z.array(z.number().int().min(0).max(255)),
    classNames: z.array(z.string()),
    classColors: z.array(z.string()),
    /** [height, width] the network was trained at. */
    inputSize: z.tuple([z.number().int().positive(), z.number().int().positive()]),
    normalization: z.string().optional(),
    classWeights: z.array(z.number()).optional(),
    epoch: z.number().int().nonnegative().optional(),
  })
  .passthrough();
export type CheckpointMeta = z.infer<typeof checkpointMetaSchema>;
