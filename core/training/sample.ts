/**
 * One image as training and validation take it: plain arrays at the working size (`rgb`: H*W*3 bytes,
 * `labels`: H*W class indices 0..C-1, 255 = unlabeled). services/dataset.ts loads them from a project
 * (with the image's id, name and split), trainer/run/ batches them.
 */
export interface Sample {
  width: number;
  height: number;
  rgb: Uint8Array;
  /** Class indices, 255 = unlabeled or an untrusted source; null = no labels at all. */
  labels: Uint8Array | null;
  sampleWeight: number;
  /**
   * The labels at the image's own size (validation images): metrics are computed there, from the
   * probabilities upsampled as prediction upsamples them. Absent: metrics at the sample's size.
   */
  full?: { width: number; height: number; labels: Uint8Array };
}
