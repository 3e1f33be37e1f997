/**
 * What a label format reader (one file per format here) gives the import (../import-labels.ts): the
 * class map read from the files, and one item per labeled image, decoded only when asked.
 */

export interface FileClass {
  name: string;
  /** The color the files give it, if any (used for a class the import creates). */
  rgb?: [number, number, number] | undefined;
}

export interface LabelItem {
  /** What messages name: the file (and, for a file of many images, the image). */
  source: string;
  /** File name matched against the project's images (by stem, case-insensitively). */
  imageName: string;
  /** Size the file says the image has, when it says one (COCO). */
  size?: { width: number; height: number } | undefined;
  /**
   * The labels as class indices into `classes` (255 = unlabeled) at the image's size; throws an AppError
   * with one line saying what is wrong (a broken RLE, a polygon outside the image, a wrong size...).
   */
  read(width: number, height: number): Promise<Uint8Array>;
}

export interface LabelSource {
  /** Class index -> class (sparse: a format may skip ids). */
  classes: Map<number, FileClass>;
  items: LabelItem[];
  /** Files that could not be read at all, one line each. */
  errors: { name: string; code: string; message: string }[];
}
