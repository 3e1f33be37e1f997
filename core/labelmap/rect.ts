/** Small helpers on pixel rectangles. A rectangle with width or height <= 0 is empty. */
import type { LabelMap, Rect } from './types';

function rectIsEmpty(r: Rect): boolean {
  return r.width <= 0 || r.height <= 0;
}

/** Smallest rectangle containing both; `null` acts as the empty rectangle. */
export function unionRect(a: Rect | null, b: Rect | null): Rect | null {
  if (!a || rectIsEmpty(a)) return b && !rectIsEmpty(b) ? b : null;
  if (!b || rectIsEmpty(b)) return a;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  const right = Math.max(a.x + a.width, b.x + b.width);
  const bottom = Math.max(a.y + a.height, b.y + b.height);
  return { x, y, width: right - x, height: bottom - y };
}

/** Intersection, or null when empty. */
export function intersectRect(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : null;
}

/** `r` clipped to the map, or null when nothing is left. Throws on non-integer rectangles. */
function clipToMap(map: LabelMap, r: Rect): Rect | null {
  if (![r.x, r.y, r.width, r.height].every(Number.isInteger)) {
    throw new RangeError(`Rect must have integer fields, got ${JSON.stringify(r)}`);
  }
  return intersectRect(r, { x: 0, y: 0, width: map.width, height: map.height });
}

/** Throws unless `r` is a non-empty integer rectangle inside the map. */
export function assertInside(map: LabelMap, r: Rect): void {
  const c = clipToMap(map, r);
  if (!c || c.x !== r.x || c.y !== r.y || c.width !== r.width || c.height !== r.height) {
    throw new RangeError(`Rect ${JSON.stringify(r)} is not inside ${map.width}x${map.height}`);
  }
}
