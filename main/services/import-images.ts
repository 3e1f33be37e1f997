/** Importing image files into a project: per-file errors, duplicate detection by content hash. */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join, sep } from 'node:path';
import type { ImportReport } from '../../core/ipc/contract';
import { AppError } from '../../core/ipc/errors';
import { findImageBySha, getImage, insertImage } from '../../db/images';
import type { ProjectDb } from '../../db/open';
import { IMAGE_EXTENSIONS, inspectImage } from './decode';
import { checkPathText, fsError, MAX_IMAGE_FILE_BYTES, readRegularFile, type FsPath } from './fs-guard';

export interface ImportSource {
  name: string;
  /** Reads the bytes; called once, lazily, so large folders are not held in memory at once. */
  read(): Promise<Uint8Array>;
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const isImageName = (name: string) => (IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());

/** A file found by `expandPaths`: its path (bytes when the name is not valid UTF-8) and its display name. */
export interface FoundFile {
  path: FsPath;
  name: string;
}

const SEP = Buffer.from(sep);
/** A child path: a string when the name decodes losslessly, else the raw bytes (non-UTF-8 file names). */
function childPath(dir: FsPath, name: Buffer): FsPath {
  const text = name.toString('utf8');
  if (typeof dir === 'string' && Buffer.from(text, 'utf8').equals(name)) return join(dir, text);
  const d = typeof dir === 'string' ? Buffer.from(dir, 'utf8') : dir;
  return Buffer.concat([d, SEP, name]);
}

type Errors = ImportReport['errors'];
const failure = (name: string, err: unknown): Errors[number] => {
  const e = fsError(err, 'Cannot read', name);
  return { name, code: e.code, message: e.message };
};

/**
 * Walks a folder recursively for image files. Symlinks are followed (to files and to folders; a folder
 * reached twice is walked once, so link loops end); an image-named entry that is not a regular file
 * (FIFO, socket, device, a dangling or looping link) is reported, never opened.
 */
async function walk(dir: FsPath, out: FoundFile[], errors: Errors, seen: Set<string>): Promise<void> {
  const dirStat = await stat(dir);
  const key = `${dirStat.dev}:${dirStat.ino}`;
  if (seen.has(key)) return;
  seen.add(key);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
  } catch (err) {
    const name = typeof dir === 'string' ? dir : dir.toString('utf8');
    errors.push(failure(name, err));
    return;
  }
  const named = entries.map((e) => ({ e, raw: Buffer.from(e.name), name: Buffer.from(e.name).toString('utf8') }));
  named.sort((a, b) => a.name.localeCompare(b.name));
  for (const { e, raw, name } of named) {
    if (name.startsWith('.')) continue;
    const p = childPath(dir, raw);
    let kind: Pick<Stats, 'isFile' | 'isDirectory'> = e;
    if (e.isSymbolicLink()) {
      try {
        kind = await stat(p);
      } catch (err) {
        if (isImageName(name)) errors.push(failure(name, err));
        continue;
      }
    }
    if (kind.isDirectory()) await walk(p, out, errors, seen);
    else if (!isImageName(name)) continue;
    else if (kind.isFile()) out.push({ path: p, name });
    else
      errors.push({ name, code: 'UNSUPPORTED', message: `${name} is not a regular file (a FIFO, socket or device)` });
  }
}

/**
 * Expands paths: files are taken as given (a non-image is reported, not skipped silently; reading checks
 * that it is a regular file), folders are walked recursively for image extensions.
 */
export async function expandPaths(paths: readonly string[]): Promise<{ files: FoundFile[]; errors: Errors }> {
  const files: FoundFile[] = [];
  const errors: Errors = [];
  const seen = new Set<string>();
  for (const p of paths) {
    try {
      checkPathText(p);
      const s = await stat(p);
      if (s.isDirectory()) await walk(p, files, errors, seen);
      else files.push({ path: p, name: basename(p) });
    } catch (err) {
      const e = fsError(err, 'Cannot read', p);
      errors.push({ name: basename(p), code: e.code, message: e.message });
    }
  }
  return { files, errors };
}

/** A file to import, read lazily, bounded, and only when it is a regular file. */
export function fileSource(file: FoundFile | string): ImportSource {
  const { path, name } = typeof file === 'string' ? { path: file, name: basename(file) } : file;
  return { name, read: () => readRegularFile(path, MAX_IMAGE_FILE_BYTES) };
}

/** Imports each source independently: one bad file never stops the others, and each image commits on its own. */
export async function importImages(
  db: ProjectDb,
  sources: readonly ImportSource[],
  onProgress?: (done: number, total: number) => void,
): Promise<ImportReport> {
  const report: ImportReport = { imported: [], duplicates: [], errors: [] };
  let done = 0;
  for (const src of sources) {
    try {
      const bytes = await src.read();
      if (bytes.byteLength === 0) throw new AppError('UNSUPPORTED', 'File is empty');
      const sha = sha256Hex(bytes);
      const existing = findImageBySha(db, sha);
      if (existing) {
        report.duplicates.push({ name: src.name, existingName: existing.name });
      } else {
        const info = await inspectImage(bytes);
        const id = insertImage(db, { name: src.name, sha256: sha, ...info, original: bytes });
        report.imported.push(getImage(db, id)!);
      }
    } catch (err) {
      const e = err instanceof AppError ? err : fsError(err, 'Cannot import', src.name);
      report.errors.push({ name: src.name, code: e.code, message: e.message });
    }
    onProgress?.(++done, sources.length);
  }
  return report;
}
