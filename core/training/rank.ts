/**
 * "Label next": which image gains most from being labeled by hand. The expected gain of an image is
 * the model's uncertainty over its unlabeled pixels, as a share of the image:
 *
 *   gain = (1 / N) * sum over unlabeled pixels i of (1 - confidence_i)
 *
 * so a fully labeled image gains 0 however unsure the model is, and an unlabeled image the model is
 * unsure about gains most. A share rather than a pixel count, because training resizes every image to
 * the same working size: each image weighs the same there, whatever its resolution.
 */
import { UNLABELED } from '../labelmap/types';

export interface LabelNextScore {
  /** Share of pixels with a label (any source), 0..1. */
  labeledFraction: number;
  /** The model's mean confidence over all pixels, 0..1. */
  meanConfidence: number;
  /** Expected gain, 0..1 (see above). */
  gain: number;
}

/**
 * `confidence`: the predicted class's probability per pixel, 0..1 (`scale` 1) or 0..255 (`scale`
 * 255). `classes`: the stored label per pixel (UNLABELED = 255), or null when the image has no labels.
 */
export function labelNextScore(confidence: ArrayLike<number>, classes: Uint8Array | null, scale = 1): LabelNextScore {
  const n = confidence.length;
  if (classes && classes.length !== n)
    throw new Error(`labels (${classes.length}) and prediction (${n}) differ in size`);
  let sum = 0;
  let open = 0;
  let labeled = 0;
  for (let i = 0; i < n; i++) {
    const c = confidence[i]! / scale;
    sum += c;
    if (classes && classes[i] !== UNLABELED) labeled++;
    else open += 1 - c;
  }
  return n === 0
    ? { labeledFraction: 0, meanConfidence: 0, gain: 0 }
    : { labeledFraction: labeled / n, meanConfidence: sum / n, gain: open / n };
}

/** Most gain first; ties (e.g. no unlabeled pixels at all) go to the less labeled image, then the lower id. */
export function byExpectedGain<T extends LabelNextScore & { imageId: number }>(a: T, b: T): number {
  return b.gain - a.gain || a.labeledFraction - b.labeledFraction || a.imageId - b.imageId;
}
