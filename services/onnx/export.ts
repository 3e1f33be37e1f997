/**
 * `--what onnx`: a checkpoint as model.onnx (./graph.ts) with its metadata in the model (ONNX
 * metadata_props, strings) and beside it (metadata.json), so that code outside Maskwright knows the classes,
 * the input size rule and the normalisation without Maskwright.
 */
import type { CheckpointRow } from '../../db/runs';
import { modelDescription } from '../model-description';
import { buildOnnxModel, inputMultiple } from './graph';

const ONNX_LAYOUT =
  'input "image": float32 [N, 3, H, W], RGB normalized as "normalization" says, H and W multiples of "input_multiple"; output "logits": float32 [N, C, H, W]; softmax over axis 1 gives class probabilities, argmax the class index';

/** The files of an ONNX export of `c`: name -> bytes. */
export function onnxExportFiles(c: CheckpointRow): Map<string, Uint8Array> {
  const meta = c.metadata;
  const multiple = inputMultiple(c.modelTopology);
  const description = {
    ...modelDescription(c),
    inputMultiple: multiple,
    normalization: meta.normalization ?? null,
    layout: ONNX_LAYOUT,
  };
  const model = buildOnnxModel({
    modelTopology: c.modelTopology,
    weightSpecs: meta.weightSpecs,
    weights: c.weights,
    description: `Maskwright U-Net, checkpoint ${c.id} (run ${c.runId}, epoch ${c.epoch + 1}). ${ONNX_LAYOUT}.`,
    metadata: {
      'maskwright.classes': JSON.stringify(description.classes),
      'maskwright.class_names': JSON.stringify(meta.classNames),
      'maskwright.input_size': `${meta.inputSize[0]}x${meta.inputSize[1]}`,
      'maskwright.input_multiple': String(multiple),
      'maskwright.normalization': meta.normalization ?? '',
      'maskwright.layout': ONNX_LAYOUT,
      'maskwright.checkpoint': String(c.id),
    },
  });
  return new Map([
    ['model.onnx', model],
    ['metadata.json', new TextEncoder().encode(JSON.stringify(description, null, 2))],
  ]);
}
