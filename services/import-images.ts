/** Importing image files into a project: per-file errors, duplicate detection by content hash. */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, extname, join, sep } from 'node:path';
import type { ImportReport } from '../core/ipc/contract';
import { AppError } from '../core/ipc/errors';
import { findImageBySha, getImage, insertImage } from '../db/images';
import type { ProjectDb } from '../db/open';
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

export interface ExpandOptions {
  /**
   * Also walk folder links that lead out of the chosen folder (`--follow-symlinks`). Without it such a
   * link is listed in `notFollowed`: `ln -s / up` in a photo folder must not import the whole disk.
   */
  followLinks?: boolean;
  /** Stops the search (CANCELLED) before the next folder entry. */
  signal?: AbortSignal | undefined;
  /** Called with the number of image files found so far, as the search finds them. */
  onFound?: (found: number) => void;
}

interface Walk {
  out: FoundFile[];
  errors: Errors;
  /** Folders walked, by device and inode: each once, so link cycles end. */
  seen: Set<string>;
  notFollowed: string[];
  options: ExpandOptions;
}

const displayPath = (p: FsPath) => (typeof p === 'string' ? p : p.toString('utf8'));
const isWithin = (path: string, root: string) =>
  path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

function throwIfCancelled(signal: AbortSignal | undefined, message: string): void {
  if (signal?.aborted) throw new AppError('CANCELLED', message);
}

/**
 * Walks a folder recursively for image files. Links to files are followed; links to folders only when
 * they stay inside `root` (the real path of the folder the user chose), unless `followLinks`; a folder
 * reached twice is walked once, so link loops end. An image-named entry that is not a regular file
 * (FIFO, socket, device, a dangling or looping link) is reported, never opened.
 */
async function walk(dir: FsPath, root: string, w: Walk): Promise<void> {
  const dirStat = await stat(dir);
  const key = `${dirStat.dev}:${dirStat.ino}`;
  if (w.seen.has(key)) return;
  w.seen.add(key);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
  } catch (err) {
    w.errors.push(failure(displayPath(dir), err));
    return;
  }
  const named = entries.map((e) => ({ e, raw: Buffer.from(e.name), name: Buffer.from(e.name).toString('utf8') }));
  named.sort((a, b) => a.name.localeCompare(b.name));
  for (const { e, raw, name } of named) {
    throwIfCancelled(w.options.signal, 'Import cancelled while looking for images: nothing was imported');
    if (name.startsWith('.')) continue;
    const p = childPath(dir, raw);
    let kind: Pick<Stats, 'isFile' | 'isDirectory'> = e;
    if (e.isSymbolicLink()) {
      try {
        kind = await stat(p);
        if (kind.isDirectory() && !w.options.followLinks && !isWithin(await realpath(p), root)) {
          w.notFollowed.push(displayPath(p));
          continue;
        }
      } catch (err) {
        if (isImageName(name)) w.errors.push(failure(name, err));
        continue;
      }
    }
    if (kind.isDirectory()) await walk(p, root, w);
    else if (!isImageName(name)) continue;
    else if (kind.isFile()) {
      w.out.push({ path: p, name });
      w.options.onFound?.(w.out.length);
    } else
      w.errors.push({ name, code: 'UNSUPPORTED', message: `${name} is not a regular file (a FIFO, socket or device)` });
  }
}

/**
 * Expands paths: files are taken as given (a non-image is reported, not skipped silently; reading checks
 * that it is a regular file), folders are walked recursively for image extensions (see `walk`; folder
 * links leading out of a chosen folder are listed in `notFollowed`).
 */
export async function expandPaths(
  paths: readonly string[],
  options: ExpandOptions = {},
): Promise<{ files: FoundFile[]; errors: Errors; notFollowed: string[] }> {
  const w: Walk = { out: [], errors: [], seen: new Set(), notFollowed: [], options };
  for (const p of paths) {
    try {
      checkPathText(p);
      const s = await stat(p);
      if (s.isDirectory()) await walk(p, await realpath(p), w);
      else w.out.push({ path: p, name: basename(p) });
    } catch (err) {
      if (err instanceof AppError && err.code === 'CANCELLED') throw err;
      const e = fsError(err, 'Cannot read', p);
      w.errors.push({ name: basename(p), code: e.code, message: e.message });
    }
  }
  return { files: w.out, errors: w.errors, notFollowed: w.notFollowed };
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
  signal?: AbortSignal,
): Promise<ImportReport> {
  const report: ImportReport = { imported: [], duplicates: [], errors: [] };
  let done = 0;
  for (const src of sources) {
    // Each image committed on its own: what was imported before a cancel stays.
    throwIfCancelled(
      signal,
      `Import cancelled: ${report.imported.length} of ${sources.length} images imported (they stay in the project)`,
    );
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
