/** Classes: a stable label value (what label maps store), a name, a color, a display position. */
import type { ClassInfo } from '../core/ipc/contract';
import { className, LIMITS } from '../core/ipc/contract';
import { AppError } from '../core/ipc/errors';
import { defaultColor } from '../core/palette';
import { remapClass } from './labelmaps';
import { getMeta, setMeta } from './meta';
import { writeTransaction, type ProjectDb } from './open';

interface ClassRow {
  id: number;
  value: number;
  name: string;
  color: string;
  position: number;
  weight_override: number | null;
}

const toInfo = (r: ClassRow): ClassInfo => ({
  id: r.id,
  value: r.value,
  name: r.name,
  color: r.color,
  position: r.position,
  weightOverride: r.weight_override,
});

export function listClasses(db: ProjectDb): ClassInfo[] {
  return (db.prepare('SELECT * FROM classes ORDER BY position, id').all() as ClassRow[]).map(toInfo);
}

export function getClass(db: ProjectDb, id: number): ClassInfo {
  const row = db.prepare('SELECT * FROM classes WHERE id = ?').get(id) as ClassRow | undefined;
  if (!row) throw new AppError('NOT_FOUND', `No class with id ${id}`);
  return toInfo(row);
}

export function getClassByValue(db: ProjectDb, value: number): ClassInfo | undefined {
  const row = db.prepare('SELECT * FROM classes WHERE value = ?').get(value) as ClassRow | undefined;
  return row && toInfo(row);
}

/** The name as stored (trimmed), or INVALID_INPUT saying why it cannot be one: the contract's rule, for every caller. */
function checkedName(name: string): string {
  const parsed = className.safeParse(name);
  if (!parsed.success)
    throw new AppError('INVALID_INPUT', `Class name ${JSON.stringify(name)}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

function assertNameFree(db: ProjectDb, name: string, exceptId?: number): void {
  const row = db.prepare('SELECT id FROM classes WHERE name = ? COLLATE NOCASE').get(name) as
    { id: number } | undefined;
  if (row && row.id !== exceptId) throw new AppError('CONFLICT', `A class named "${name}" already exists`);
}

/** Label values a mask import or a class file called void (e.g. CamVid's 11): no new class gets one. */
function reservedValues(db: ProjectDb): number[] {
  const raw = getMeta(db, 'reserved_values');
  return raw ? (JSON.parse(raw) as number[]) : [];
}

/** Keeps `value` (a void of imported masks) from being given to a class added later. */
export function reserveValue(db: ProjectDb, value: number): void {
  const now = reservedValues(db);
  if (!now.includes(value)) setMeta(db, 'reserved_values', JSON.stringify([...now, value].sort((a, b) => a - b)));
}

/**
 * Adds a class with the smallest free label value that no import called void (or `value` when given and
 * free: a class file or mask may name any value).
 */
export function addClass(db: ProjectDb, name: string, color?: string, value?: number): ClassInfo {
  return writeTransaction(db, () => {
    const trimmed = checkedName(name);
    assertNameFree(db, trimmed);
    const used = new Set((db.prepare('SELECT value FROM classes').all() as { value: number }[]).map((r) => r.value));
    if (used.size >= LIMITS.maxClasses) throw new AppError('CONFLICT', 'A project holds at most 255 classes');
    let v = value;
    if (v !== undefined && used.has(v)) throw new AppError('CONFLICT', `Label value ${v} is already used`);
    const reserved = new Set(reservedValues(db));
    if (v === undefined) for (v = 0; used.has(v) || reserved.has(v); v++);
    if (v > 254) throw new AppError('CONFLICT', 'No label value is free (255 means unlabeled)');
    const { n } = db.prepare('SELECT coalesce(max(position) + 1, 0) AS n FROM classes').get() as { n: number };
    const { lastInsertRowid } = db
      .prepare('INSERT INTO classes (value, name, color, position) VALUES (?, ?, ?, ?)')
      .run(v, trimmed, color ?? defaultColor(used.size), n);
    return getClass(db, Number(lastInsertRowid));
  });
}

export function updateClass(
  db: ProjectDb,
  id: number,
  patch: { name?: string | undefined; color?: string | undefined; weightOverride?: number | null | undefined },
): ClassInfo {
  return writeTransaction(db, () => {
    getClass(db, id);
    if (patch.name !== undefined) {
      const name = checkedName(patch.name);
      assertNameFree(db, name, id);
      db.prepare('UPDATE classes SET name = ? WHERE id = ?').run(name, id);
    }
    if (patch.color !== undefined) db.prepare('UPDATE classes SET color = ? WHERE id = ?').run(patch.color, id);
    if (patch.weightOverride !== undefined) {
      db.prepare('UPDATE classes SET weight_override = ? WHERE id = ?').run(patch.weightOverride, id);
    }
    return getClass(db, id);
  });
}

/** Sets display order; `ids` must list every class exactly once. */
export function reorderClasses(db: ProjectDb, ids: readonly number[]): ClassInfo[] {
  return writeTransaction(db, () => {
    const all = listClasses(db).map((c) => c.id);
    const given = new Set(ids);
    if (given.size !== ids.length || all.length !== ids.length || !all.every((id) => given.has(id))) {
      throw new AppError('INVALID_INPUT', 'Reorder must list every class exactly once');
    }
    const stmt = db.prepare('UPDATE classes SET position = ? WHERE id = ?');
    ids.forEach((id, i) => stmt.run(i, id));
    return listClasses(db);
  });
}

/** Deletes a class and clears its pixels to unlabeled in every label map, atomically. */
export function removeClass(db: ProjectDb, id: number): { removed: ClassInfo; clearedPixels: number } {
  return writeTransaction(db, () => {
    const cls = getClass(db, id);
    const clearedPixels = remapClass(db, cls.value, 255);
    db.prepare('DELETE FROM classes WHERE id = ?').run(id);
    return { removed: cls, clearedPixels };
  });
}

/** Relabels every pixel of `from` as `into` (keeping provenance) and deletes `from`, atomically. */
export function mergeClasses(db: ProjectDb, from: number, into: number): { into: ClassInfo; movedPixels: number } {
  if (from === into) throw new AppError('INVALID_INPUT', 'Cannot merge a class into itself');
  return writeTransaction(db, () => {
    const src = getClass(db, from);
    const dst = getClass(db, into);
    const movedPixels = remapClass(db, src.value, dst.value);
    db.prepare('DELETE FROM classes WHERE id = ?').run(from);
    return { into: dst, movedPixels };
  });
}

export function countClasses(db: ProjectDb): number {
  return (db.prepare('SELECT count(*) AS n FROM classes').get() as { n: number }).n;
}

/** True when a class has this name, ignoring case (names are unique that way). */
export function classNameTaken(db: ProjectDb, name: string): boolean {
  return db.prepare('SELECT 1 FROM classes WHERE name = ? COLLATE NOCASE').get(name) !== undefined;
}

/** The label values of all classes, in no particular order. */
export function classValues(db: ProjectDb): number[] {
  return (db.prepare('SELECT value FROM classes').all() as { value: number }[]).map((r) => r.value);
}
