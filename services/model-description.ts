/**
 * What every model export says about its checkpoint (metadata.json of the TF.js and ONNX exports): which
 * checkpoint, the classes in output order with their label values and colors, the input size and the
 * normalization.
 */
import type { CheckpointRow } from '../db/runs';

export function modelDescription(c: CheckpointRow) {
  const meta = c.metadata;
  return {
    checkpoint: c.id,
    run: c.runId,
    epoch: c.epoch + 1, // counted from 1, as the app and the CLI show it
    classes: meta.classNames.map((name, i) => ({
      index: i,
      name,
      color: meta.classColors[i],
      value: meta.classValues[i],
    })),
    inputSize: { height: meta.inputSize[0], width: meta.inputSize[1] },
  };
}
