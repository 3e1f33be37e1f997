/**
 * Label planes for the format tests, and decoders written from each format's specification (not from
 * our writers): COCO RLE (column-major runs, pycocotools' compressed strings) and polygons filled at
 * pixel centres by an even-odd point-in-polygon test.
 */

/**
 * A 13x9 plane (odd sizes) with: a ring of class 1 with a hole holding an island of class 1 (a hole,
 * and a region inside it); a one-pixel-wide line of class 2 (thin); two blocks of class 3 that touch
 * along an edge (one region) and one that touches them only at a corner (its own region); 255 pixels.
 */
export function fixturePlane(): { width: number; height: number; values: Uint8Array } {
  const rows = [
    '1111111.2....',
    '1.....1.2.33.',
    '1.111.1.2.33.',
    '1.1.1.1.2..33',
    '1.111.1.2..33',
    '1.....1.2...3',
    '1111111.2..3.',
    '........2..3.',
    '00000000000..',
  ];
  const width = rows[0]!.length;
  const values = new Uint8Array(width * rows.length);
  rows.forEach((r, y) => [...r].forEach((c, x) => (values[y * width + x] = c === '.' ? 255 : Number(c))));
  return { width, height: rows.length, values };
}

/** Pixels of `plane` equal to `value`, as a 0/1 plane. */
export const binary = (plane: Uint8Array, value: number) => Uint8Array.from(plane, (v) => (v === value ? 1 : 0));

/** Decodes COCO's uncompressed RLE: counts alternate 0s and 1s, column by column (Fortran order). */
export function specDecodeRle(height: number, width: number, counts: number[]): Uint8Array {
  const columnMajor: number[] = [];
  counts.forEach((c, k) => {
    for (let i = 0; i < c; i++) columnMajor.push(k % 2);
  });
  if (columnMajor.length !== width * height) throw new Error(`runs cover ${columnMajor.length} pixels`);
  const rowMajor = new Uint8Array(width * height);
  for (let x = 0; x < width; x++)
    for (let y = 0; y < height; y++) rowMajor[y * width + x] = columnMajor[x * height + y]!;
  return rowMajor;
}

/** pycocotools' compressed counts (maskApi.c rleFrString), read character by character. */
export function specCountsFromString(s: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let value = 0n;
    let shift = 0n;
    let c: number;
    do {
      c = s.charCodeAt(p++) - 48;
      value |= BigInt(c & 0x1f) << shift;
      shift += 5n;
    } while (c & 0x20);
    if (c & 0x10) value -= 1n << shift; // the last group's 0x10 bit is the sign
    let n = Number(value);
    if (counts.length > 2) n += counts[counts.length - 2]!;
    counts.push(n);
  }
  return counts;
}

/** Pixels whose centre lies inside any of `polygons` (each [x0, y0, ...] in pixels), even-odd per polygon. */
export function specRasterise(width: number, height: number, polygons: number[][]): Uint8Array {
  const out = new Uint8Array(width * height);
  for (const poly of polygons) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const px = x + 0.5;
        const py = y + 0.5;
        let inside = false;
        for (let i = 0, j = poly.length - 2; i < poly.length; j = i, i += 2) {
          const [xi, yi, xj, yj] = [poly[i]!, poly[i + 1]!, poly[j]!, poly[j + 1]!];
          if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
        }
        if (inside) out[y * width + x] = 1;
      }
    }
  }
  return out;
}

export function iou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && b[i]) inter++;
    if (a[i] || b[i]) union++;
  }
  return union ? inter / union : 1;
}
