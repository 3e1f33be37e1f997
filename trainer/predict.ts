/**
 * Inference with a trained segmentation model: an RGB image of any size is resized to the model's
 * input size, normalised like training, and the class probabilities are resized back (bilinear) before
 * the argmax, so the mask has the image's own size.
 */
import * as tf from '@tensorflow/tfjs';
import { normalizeImages } from './model';

export interface Prediction {
  /** width*height class indices 0..C-1. */
  classes: Uint8Array;
  /** width*height softmax probability of the chosen class. */
  confidence: Float32Array;
}

/** `rgb`: width*height*3 bytes; `inputSize`: [height, width] the model was trained at. */
export async function predictImage(
  model: tf.LayersModel,
  rgb: Uint8Array,
  width: number,
  height: number,
  inputSize: [number, number],
): Promise<Prediction> {
  const [classes, confidence] = tf.tidy(() => {
    const img = tf.tensor4d(rgb, [1, height, width, 3], 'float32');
    const x = normalizeImages(tf.image.resizeBilinear(img, inputSize, true));
    const out = model.predict(x) as tf.Tensor | tf.Tensor[];
    const logits = (Array.isArray(out) ? out[0] : out) as tf.Tensor4D;
    const probs = tf.image.resizeBilinear(tf.softmax(logits, -1) as tf.Tensor4D, [height, width], true);
    return [tf.argMax(probs, -1), tf.max(probs, -1)];
  });
  try {
    // Asynchronous reads: webgpu cannot read synchronously in Node.
    const [c, p] = await Promise.all([classes.data(), confidence.data()]);
    return { classes: Uint8Array.from(c), confidence: Float32Array.from(p) };
  } finally {
    tf.dispose([classes, confidence]);
  }
}
