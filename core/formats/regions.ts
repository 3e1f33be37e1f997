/**
 * Connected regions of a class plane as polygons along pixel edges, holes included, for the formats that
 * store outlines (YOLO-seg, COCO polygons).
 *
 * A region is a 4-connected set of pixels of one value. Its outline runs along pixel edges (vertex (x, y)
 * is the corner between pixels), so the polygon filled at pixel centres (core/labelmap/polygon.ts) gives
 * back exactly the region's pixels: thin lines and single pixels included. Boundaries are traced with the
 * region on the right of travel (clockwise on screen, y down); at a corner where two pixels of the region
 * touch only diagonally the trace turns right, keeping them apart as 4-connectivity does.
 */

export interface Region {
  value: number;
  /** Pixels in the region. */
  pixels: number;
  /** [x0, y0, x1, y1, ...] corners of the outer boundary (clockwise on screen). */
  outer: number[];
  /** Each hole's corners (counter-clockwise on screen). */
  holes: number[][];
}

/** Directions of travel: right, down, left, up (y down). */
const DX = [1, 0, -1, 0];
const DY = [0, 1, 0, -1];
/** Turns tried at each corner, in order: right, straight, left. */
const TURNS = [1, 0, 3];

/** Regions of every value but `skip` (unlabeled), in raster order of their first pixel. O(pixels). */
export function traceRegions(width: number, height: number, plane: Uint8Array, skip = 255): Region[] {
  const comp = labelComponents(width, plane, skip);
  const regions: Region[] = [];
  for (let i = 0; i < plane.length; i++) {
    const c = comp[i]!;
    if (c < 0) continue;
    if (c === regions.length) regions.push({ value: plane[i]!, pixels: 0, outer: [], holes: [] });
    regions[c]!.pixels++;
  }
  // Outgoing boundary edges per vertex, one bit per direction: the edge leaving (x, y) in direction d
  // with a region pixel on its right and a different value (or the border) on its left.
  const W = width + 1;
  const out = new Uint8Array(W * (height + 1));
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= width || y >= height ? -1 : plane[y * width + x]!);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = plane[y * width + x]!;
      if (v === skip) continue;
      if (at(x, y - 1) !== v) out[y * W + x]! |= 1; // top: (x,y) -> (x+1,y)
      if (at(x + 1, y) !== v) out[y * W + x + 1]! |= 2; // right: (x+1,y) -> (x+1,y+1)
      if (at(x, y + 1) !== v) out[(y + 1) * W + x + 1]! |= 4; // bottom: (x+1,y+1) -> (x,y+1)
      if (at(x - 1, y) !== v) out[(y + 1) * W + x]! |= 8; // left: (x,y+1) -> (x,y)
    }
  }
  /** The pixel on the right of the edge leaving vertex (x, y) in direction d. */
  const rightPixel = (x: number, y: number, d: number) => {
    const px = d === 0 || d === 3 ? x : x - 1;
    const py = d === 0 || d === 1 ? y : y - 1;
    return py * width + px;
  };
  for (let v0 = 0; v0 < out.length; v0++) {
    while (out[v0]) {
      const d0 = 31 - Math.clz32(out[v0]! & -out[v0]!); // lowest direction bit
      const x0 = v0 % W;
      const y0 = (v0 - x0) / W;
      const start = rightPixel(x0, y0, d0);
      const value = plane[start]!;
      const ring = traceRing(x0, y0, d0, value);
      const region = regions[comp[start]!]!;
      if (signedArea(ring) > 0) region.outer = ring;
      else region.holes.push(ring);
    }
  }
  return regions;

  function traceRing(x0: number, y0: number, d0: number, value: number): number[] {
    const ring: number[] = [];
    let x = x0;
    let y = y0;
    let d = d0;
    for (;;) {
      out[y * W + x]! &= ~(1 << d);
      x += DX[d]!;
      y += DY[d]!;
      // Right turn first, then straight, then left: the region is on the right.
      let next = -1;
      for (const turn of TURNS) {
        const nd = (d + turn) & 3;
        const open = (out[y * W + x]! >> nd) & 1 || (x === x0 && y === y0 && nd === d0);
        if (open && plane[rightPixel(x, y, nd)] === value) {
          next = nd;
          break;
        }
      }
      if (next < 0) throw new Error(`Boundary trace lost at (${x}, ${y})`); // cannot happen on a closed boundary
      if (next !== d) ring.push(x, y);
      if (x === x0 && y === y0 && next === d0) return ring;
      d = next;
    }
  }
}

/** 4-connected components of equal values (not `skip`), numbered in raster order; -1 for `skip`. */
function labelComponents(width: number, plane: Uint8Array, skip: number): Int32Array {
  const comp = new Int32Array(plane.length).fill(-1);
  const stack = new Int32Array(plane.length);
  let count = 0;
  for (let i = 0; i < plane.length; i++) {
    if (comp[i] !== -1 || plane[i] === skip) continue;
    const v = plane[i]!;
    let top = 0;
    stack[top++] = i;
    comp[i] = count;
    while (top) {
      const p = stack[--top]!;
      const x = p % width;
      const visit = (q: number) => {
        if (comp[q] === -1 && plane[q] === v) {
          comp[q] = count;
          stack[top++] = q;
        }
      };
      if (x > 0) visit(p - 1);
      if (x < width - 1) visit(p + 1);
      if (p >= width) visit(p - width);
      if (p < plane.length - width) visit(p + width);
    }
    count++;
  }
  return comp;
}

/** Shoelace area of [x0, y0, ...]: positive for a clockwise ring on screen (y down). */
function signedArea(ring: readonly number[]): number {
  let a = 0;
  for (let i = 0; i < ring.length; i += 2) {
    const j = (i + 2) % ring.length;
    a += ring[i]! * ring[j + 1]! - ring[j]! * ring[i + 1]!;
  }
  return a / 2;
}

/**
 * One polygon for a region with holes: each hole joined to the outline by a cut to its nearest vertex,
 * walked there and back. The cut encloses no area, so the polygon filled at pixel centres by the
 * even-odd or the nonzero rule is the region (the holes run the other way round). For formats that
 * hold one polygon per object (YOLO-seg; COCO's polygons, which pycocotools unites).
 */
export function bridgeHoles(region: Pick<Region, 'outer' | 'holes'>): number[] {
  let poly = region.outer.slice();
  for (const hole of region.holes) {
    let best = Infinity;
    let bi = 0;
    let bj = 0;
    for (let i = 0; i < poly.length; i += 2) {
      for (let j = 0; j < hole.length; j += 2) {
        const dx = poly[i]! - hole[j]!;
        const dy = poly[i + 1]! - hole[j + 1]!;
        if (dx * dx + dy * dy < best) [best, bi, bj] = [dx * dx + dy * dy, i, j];
      }
    }
    const rotated = [...hole.slice(bj), ...hole.slice(0, bj), hole[bj]!, hole[bj + 1]!];
    poly = [...poly.slice(0, bi + 2), ...rotated, ...poly.slice(bi)];
  }
  return poly;
}
