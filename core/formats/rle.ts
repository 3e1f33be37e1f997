/**
 * COCO's run-length encoding of a binary mask (pycocotools' maskApi.c): runs counted in column-major
 * order (down each column, then the next column), alternating 0s and 1s and starting with a run of 0s
 * (of length 0 when the first pixel is set). The compressed string form writes each count, minus the
 * count two places before it from the third on (`i > 2`, as maskApi.c does), in 5-bit groups, least
 * significant first, each group + 48 as one character; 0x20 in a group means another group follows,
 * 0x10 in the last group is the sign.
 */

export interface Rle {
  /** [height, width], as COCO writes it. */
  size: [number, number];
  counts: number[];
}

/** Runs of `mask[i] === value` in column-major order over a row-major `width x height` plane. */
export function encodeRle(width: number, height: number, plane: Uint8Array, value: number): Rle {
  const counts: number[] = [];
  let current = false; // runs start with unset pixels
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let i = x, y = 0; y < height; y++, i += width) {
      const set = plane[i] === value;
      if (set !== current) {
        counts.push(run);
        run = 0;
        current = set;
      }
      run++;
    }
  }
  counts.push(run);
  return { size: [height, width], counts };
}

/**
 * The row-major mask (1 = set) of an RLE; throws a RangeError when the runs do not cover the image
 * exactly (a broken or foreign RLE), so a caller can name the file.
 */
export function decodeRle(rle: Rle): Uint8Array {
  const [height, width] = rle.size;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1)
    throw new RangeError(`RLE size ${JSON.stringify(rle.size)} is not [height, width]`);
  const n = width * height;
  const out = new Uint8Array(n);
  let pos = 0;
  let set = false;
  for (const c of rle.counts) {
    if (!Number.isInteger(c) || c < 0) throw new RangeError(`RLE count ${c} is not a non-negative integer`);
    if (pos + c > n) throw new RangeError(`RLE runs cover more than the ${width}x${height} image`);
    if (set) {
      for (let k = pos; k < pos + c; k++) out[(k % height) * width + Math.floor(k / height)] = 1;
    }
    pos += c;
    set = !set;
  }
  if (pos !== n) throw new RangeError(`RLE runs cover ${pos} of the ${n} pixels of a ${width}x${height} image`);
  return out;
}

/** Counts as pycocotools' compressed string (`rleToString`). */
export function rleToString(counts: readonly number[]): string {
  let s = '';
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i]!;
    if (i > 2) x -= counts[i - 2]!;
    for (let more = true; more;) {
      let c = x & 0x1f;
      x >>= 5; // arithmetic shift: a negative difference ends at -1
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      s += String.fromCharCode(c + 48);
    }
  }
  return s;
}

/** Counts from pycocotools' compressed string (`rleFrString`); throws a RangeError on a malformed one. */
export function rleFromString(s: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    for (let more = true; more;) {
      if (p >= s.length) throw new RangeError('RLE string ends inside a count');
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) throw new RangeError(`RLE string has a character out of range at ${p}`);
      if (k >= 6) throw new RangeError('RLE string has a count too large'); // 30 bits: masks up to 500 MP
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x |= -1 << (5 * k);
    }
    if (counts.length > 2) x += counts[counts.length - 2]!;
    counts.push(x);
  }
  return counts;
}
