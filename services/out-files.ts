/**
 * Writing files the user asked for (exports, predicted masks, propagation output) so that a failure
 * leaves nothing half-written: each file goes to a temporary name in its target folder and is renamed
 * over the final name only when complete; folders are created one level at a time (Node's recursive
 * mkdir loops for ever on paths such as /proc/1/x); file-system errors become one readable line (fs-guard).
 */
import { lstat, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, parse, resolve } from 'node:path';
import { fsError } from './fs-guard';

/** Creates `dir` and missing parents, one level at a time: bounded by the path's depth, never a loop. */
export async function makeDirs(dir: string): Promise<void> {
  const target = resolve(dir);
  const missing: string[] = [];
  for (let p = target; ; p = dirname(p)) {
    const st = await lstat(p).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw fsError(err, 'Cannot use the folder', p);
    });
    if (st) {
      // A symlink to a folder is fine: check what it points to.
      const isDir = st.isDirectory() || (st.isSymbolicLink() && (await isDirectory(p)));
      if (!isDir) throw fsError(Object.assign(new Error(), { code: 'ENOTDIR' }), 'Cannot create the folder', target);
      break;
    }
    missing.push(p);
    if (p === parse(p).root) break;
  }
  for (const p of missing.reverse()) {
    try {
      await mkdir(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && (await isDirectory(p))) continue;
      throw fsError(err, 'Cannot create the folder', p);
    }
  }
}

function isDirectory(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Names in `dir` (an existing folder). */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    throw fsError(err, 'Cannot read the folder', dir);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let tmpCounter = 0;
const TMP_NAME = /^\..+\.(\d+)\.\d+\.tmp$/;

/**
 * Removes temporary files in `dir` left by a writer that was killed mid-write (`.NAME.PID.N.tmp` whose
 * process no longer runs). Returns how many were removed.
 */
export async function sweepTempFiles(dir: string): Promise<number> {
  let removed = 0;
  for (const name of await listDir(dir)) {
    const m = TMP_NAME.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || pidAlive(pid)) continue;
    await rm(join(dir, name), { force: true });
    removed++;
  }
  return removed;
}

/**
 * Writes `data` to `path` through a temporary file in the same folder (`.NAME.PID.N.tmp`), flushed to
 * disk, then renamed over `path`: readers see the old file or the whole new one, and a failure (full
 * disk, no permission) removes the temporary file and leaves no 0-byte or half-written file.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  return writeFilesAtomic([{ path, data }]);
}

/**
 * Writes files that only make sense together (a model's model.json and weights.bin) as
 * `writeFileAtomic` does, all or none: every one goes to its temporary file first, and only when all
 * are complete are they renamed over their names. A failure removes the temporary files.
 */
export async function writeFilesAtomic(files: readonly { path: string; data: Uint8Array | string }[]): Promise<void> {
  const staged: { tmp: string; path: string }[] = [];
  let current = files[0]?.path ?? '';
  try {
    for (const { path, data } of files) {
      current = path;
      const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${tmpCounter++}.tmp`);
      const fh = await open(tmp, 'wx');
      staged.push({ tmp, path });
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    for (const { tmp, path } of staged) {
      current = path;
      await rename(tmp, path);
    }
  } catch (err) {
    await Promise.all(staged.map(({ tmp }) => rm(tmp, { force: true }).catch(() => {})));
    throw fsError(err, 'Cannot write', current);
  }
}
