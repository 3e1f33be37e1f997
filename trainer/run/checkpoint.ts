/**
 * Models to and from bytes in the TF.js layers format: the topology (model.json's `modelTopology`),
 * the weight manifest (`weightSpecs`) and the concatenated weight data. What the project file stores
 * per checkpoint, and what an export writes as model.json + weights.bin.
 */
import * as tf from '@tensorflow/tfjs';

export interface SerializedModel {
  modelTopology: unknown;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: Uint8Array;
}

export async function serializeModel(model: tf.LayersModel): Promise<SerializedModel> {
  let captured: SerializedModel | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const buffers = data === undefined ? [] : Array.isArray(data) ? data : [data];
      const total = buffers.reduce((n, b) => n + b.byteLength, 0);
      const weightData = new Uint8Array(total);
      let offset = 0;
      for (const b of buffers) {
        weightData.set(new Uint8Array(b), offset);
        offset += b.byteLength;
      }
      captured = { modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs ?? [], weightData };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!captured) throw new Error('model.save did not produce artifacts');
  return captured;
}

/** Loads a serialized model as a plain `tf.LayersModel` (stock layers). */
export function deserializeModel(s: SerializedModel): Promise<tf.LayersModel> {
  const weightData = s.weightData.buffer.slice(
    s.weightData.byteOffset,
    s.weightData.byteOffset + s.weightData.byteLength,
  ) as ArrayBuffer;
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: s.modelTopology as tf.io.ModelJSON['modelTopology'],
      weightSpecs: s.weightSpecs,
      weightData,
    }),
  );
}

/** Copies the weights of a serialized model into `target` (same architecture), e.g. to resume training. */
export async function loadWeightsInto(target: tf.LayersModel, s: SerializedModel): Promise<void> {
  const loaded = await deserializeModel(s);
  try {
    target.setWeights(loaded.getWeights());
  } finally {
    loaded.dispose();
  }
}
