/**
 * Class definitions from a dataset's classes.json. Accepted shape (CamVid's and Maskwright's export):
 * `{ "classes": [{ "index" | "value": n, "name": "...", "color": [r, g, b] | "#rrggbb" }], "void_index"?: n }`.
 */
import { z } from 'zod';
import { className } from '../core/ipc/contract';
import { AppError } from '../core/ipc/errors';
import { MAX_CLASS_FILE_BYTES, readRegularFile } from './fs-guard';
import { rgbToHex } from '../core/palette';
import { addClass, getClassByValue, listClasses, reserveValue, updateClass } from '../db/classes';
import { writeTransaction, type ProjectDb } from '../db/open';

const channel = z.number().int().min(0).max(255);
const schema = z.object({
  classes: z
    .array(
      z.object({
        index: z.number().int().min(0).max(255).optional(),
        value: z.number().int().min(0).max(255).optional(),
        name: className,
        color: z.union([z.tuple([channel, channel, channel]), z.string().regex(/^#[0-9a-fA-F]{6}$/)]).optional(),
      }),
    )
    .min(1),
  void_index: z.number().int().min(0).max(255).optional(),
});

export interface ClassFile {
  classes: { value: number; name: string; color?: string | undefined }[];
  voidValue?: number | undefined;
}

export async function readClassFile(path: string): Promise<ClassFile> {
  const bytes = await readRegularFile(path, MAX_CLASS_FILE_BYTES, 'Cannot read class file');
  return parseClassFile(bytes.toString('utf8'), path);
}

/** A classes.json's text (`source` names it in messages: a path or a file name). */
export function parseClassFile(text: string, source: string): ClassFile {
  let raw: unknown;
  try {
    // Editors on Windows save UTF-8 with a byte order mark; JSON.parse refuses it.
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new AppError('INVALID_INPUT', `${source} is not a JSON file`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    const where = i.path.length ? ` at ${i.path.join('.')}` : '';
    throw new AppError(
      'INVALID_INPUT',
      `${source} is not a class list like {"classes": [{"index": 0, "name": "road", "color": [128, 64, 128]}]}${where}: ${i.message}`,
    );
  }
  const voidValue = parsed.data.void_index;
  const classes = parsed.data.classes
    .map((c, i) => ({
      value: c.value ?? c.index ?? i,
      name: c.name,
      color: Array.isArray(c.color) ? rgbToHex(...c.color) : c.color,
    }))
    .filter((c) => c.value !== voidValue && c.value !== 255);
  return { classes, voidValue };
}

/** Creates the file's classes (or renames/recolors existing ones with the same label value). */
export function applyClassFile(db: ProjectDb, file: ClassFile): number {
  return writeTransaction(db, () => {
    let changed = 0;
    for (const c of file.classes) {
      const existing = getClassByValue(db, c.value);
      const clash = listClasses(db).find((k) => k.name.toLowerCase() === c.name.toLowerCase() && k.value !== c.value);
      if (clash) throw new AppError('CONFLICT', `Class "${c.name}" already exists with label value ${clash.value}`);
      if (existing) updateClass(db, existing.id, { name: c.name, color: c.color });
      else addClass(db, c.name, c.color, c.value);
      changed++;
    }
    if (file.voidValue !== undefined && file.voidValue !== 255) reserveValue(db, file.voidValue);
    return changed;
  });
}
