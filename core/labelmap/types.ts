/**
 * The label map: one class value and one provenance code per pixel, row-major (index = y * width + x).
 * The same shape is stored by the database layer (db/labelmaps.ts), so these codes are a file format.
 *
 * Coordinates: pixel (x, y) covers the square [x, x+1) x [y, y+1) in image coordinates; its centre is
 * (x + 0.5, y + 0.5). All geometric tools (brush, polygon) sample pixel centres.
 */

/** Class value of a pixel that carries no label. Class indices are 0..254. */
export const UNLABELED = 255;

/** Where a pixel's label came from. `None` exactly when the class is UNLABELED. */
export const Provenance = {
  None: 0,
  Painted: 1,
  Propagated: 2,
  Predicted: 3,
  Imported: 4,
} as const;
export type Provenance = (typeof Provenance)[keyof typeof Provenance];

/** `classes` and `provenance` are `width * height` bytes each. */
export interface LabelMap {
  readonly width: number;
  readonly height: number;
  readonly classes: Uint8Array;
  readonly provenance: Uint8Array;
}

/** Axis-aligned pixel rectangle: columns x..x+width-1, rows y..y+height-1. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A fully unlabeled map (classes 255, provenance None). Cost: O(w*h). */
export function createLabelMap(width: number, height: number): LabelMap {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`Label map size must be positive integers, got ${width}x${height}`);
  }
  const classes = new Uint8Array(width * height).fill(UNLABELED);
  return { width, height, classes, provenance: new Uint8Array(width * height) };
}

/**
 * Throws unless `value` is a class index 0..254 or UNLABELED (255, which erases).
 * Returns the provenance a tool writes with it: Painted, or None when erasing.
 */
export function paintProvenance(value: number): Provenance {
  if (!Number.isInteger(value) || value < 0 || value > UNLABELED) {
    throw new RangeError(`Class value must be an integer 0..255, got ${value}`);
  }
  return value === UNLABELED ? Provenance.None : Provenance.Painted;
}

/**
 * Class picker: the class value (255 = unlabeled) of the pixel containing image point (x, y), or
 * null outside the image. O(1).
 */
export function classAt(map: LabelMap, x: number, y: number): number | null {
  const px = Math.floor(x);
  const py = Math.floor(y);
  if (!(px >= 0 && py >= 0 && px < map.width && py < map.height)) return null;
  return map.classes[py * map.width + px]!;
}
