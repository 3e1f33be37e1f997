/** Importing image files into a project: per-file errors, duplicate detection by content hash. */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { ImportReport } from '../../core/ipc/contract';
import { AppError } from '../../core/ipc/errors';
import { findImageBySha, getImage, insertImage } from '../../db/images';
import type { ProjectDb } from '../../db/open';
import { IMAGE_EXTENSIONS, inspectImage } from './decode';

export interface ImportSource {
  name: string;
  /** Reads the bytes; called once, lazily, so large folders are not held in memory at once. */
  read(): Promise<Uint8Array>;
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const isImageName = (name: string) => (IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile() && isImageName(e.name)) out.push(p);
  }
}

/**
 * Expands paths: files are taken as given (a non-image is reported, not skipped silently), folders are
 * walked recursively for image extensions.
 */
export async function expandPaths(
  paths: readonly string[],
): Promise<{ files: string[]; errors: ImportReport['errors'] }> {
  const files: string[] = [];
  const errors: ImportReport['errors'] = [];
  for (const p of paths) {
    try {
      const s = await stat(p);
      if (s.isDirectory()) await walk(p, files);
      else files.push(p);
    } catch (err) {
      errors.push({
        name: basename(p),
        code: 'IO',
        message: `Cannot read ${p}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      });
    }
  }
  return { files, errors };
}

export const fileSource = (path: string): ImportSource => ({ name: basename(path), read: () => readFile(path) });

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
      const code = err instanceof AppError ? err.code : 'IO';
      report.errors.push({ name: src.name, code, message: (err as Error).message });
    }
    onProgress?.(++done, sources.length);
  }
  return report;
}
