/**
 * Hostile-path guards shared by everything that reads or writes user-chosen paths (import, masks, class
 * files, projects, export): check the path text, stat before reading, regular files only (a symlink to one
 * counts), a size limit before the read, bounded reads, and every failure surfaced as an AppError with a
 * one-line message. (Output folders and files: out-files.ts.)
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { AppError, type ErrorCode } from '../core/ipc/errors';

export type FsPath = string | Buffer;

/** What an errno means, in words a user can act on. */
const ERRNO_TEXT: Record<string, [ErrorCode, string]> = {
  ENOENT: ['NOT_FOUND', 'does not exist (or its folder does not)'],
  ENOTDIR: ['IO', 'a part of the path is not a folder'],
  EISDIR: ['IO', 'is a folder'],
  EACCES: ['IO', 'permission denied'],
  EPERM: ['IO', 'permission denied'],
  EROFS: ['IO', 'the file system is read-only'],
  ENOSPC: ['IO', 'the disk is full'],
  EDQUOT: ['IO', 'the disk quota is exceeded'],
  EFBIG: ['IO', 'the file is larger than the file system or the process limit allows'],
  ELOOP: ['IO', 'too many levels of symbolic links (a link loop)'],
  ENAMETOOLONG: ['INVALID_INPUT', 'the path is too long'],
  EEXIST: ['CONFLICT', 'already exists'],
  EMFILE: ['IO', 'too many open files'],
  ENXIO: ['IO', 'no such device'],
  ENODEV: ['IO', 'no such device'],
  EBUSY: ['IO', 'the file is busy'],
  EIO: ['IO', 'input/output error'],
  EINVAL: ['IO', 'invalid argument for this file system'],
};

const display = (p: FsPath) => (typeof p === 'string' ? p : p.toString('utf8'));

/** Converts a Node file-system error (or anything) into an AppError: `<what> <path>: <reason>`. */
export function fsError(err: unknown, what: string, path: FsPath): AppError {
  if (err instanceof AppError) return err;
  const errno = (err as NodeJS.ErrnoException | undefined)?.code;
  const known = errno ? ERRNO_TEXT[errno] : undefined;
  if (known) return new AppError(known[0], `${what} ${display(path)}: ${known[1]}`);
  const msg = err instanceof Error ? err.message.split('\n')[0]! : String(err);
  return new AppError('IO', `${what} ${display(path)}: ${msg}`);
}

/** What the failed system call was doing, as the verb of "Cannot ... <path>". */
const SYSCALL_VERBS: Record<string, string> = {
  open: 'open',
  read: 'read',
  write: 'write',
  fsync: 'write',
  close: 'write',
  mkdir: 'create the folder',
  rename: 'rename',
  link: 'create',
  unlink: 'remove',
  rmdir: 'remove the folder',
  scandir: 'read the folder',
  copyfile: 'copy',
};

/** A Node errno error as one line: "Cannot <what the call did> <path>: <reason>". */
export function errnoError(err: NodeJS.ErrnoException): AppError {
  const verb = SYSCALL_VERBS[err.syscall ?? ''] ?? 'access';
  return fsError(err, `Cannot ${verb}`, err.path ?? '(no path)');
}

/** True for a Node errno error (ENOENT, ENOSPC, ...), i.e. an I/O failure rather than a bug. */
export const isErrnoError = (err: unknown): err is NodeJS.ErrnoException =>
  err instanceof Error &&
  typeof (err as NodeJS.ErrnoException).code === 'string' &&
  /^E[A-Z]+$/.test((err as NodeJS.ErrnoException).code!);

/** Refuses a path no file system can hold as given: empty, or with a NUL byte (C code would cut it there). */
export function checkPathText(path: string, what = 'Path'): void {
  if (typeof path !== 'string' || path.length === 0) throw new AppError('INVALID_INPUT', `${what} is empty`);
  if (path.includes('\0')) throw new AppError('INVALID_INPUT', `${what} contains a NUL byte`);
  if (path.length > 4096) throw new AppError('INVALID_INPUT', `${what} is longer than 4096 characters`);
}

function kindOf(s: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string {
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a named pipe (FIFO)';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads a whole regular file, at most `maxBytes`. The file is opened without blocking (a FIFO does not
 * hang the open), then checked on the open descriptor: not a regular file (FIFO, device, folder, socket)
 * or over the limit is refused before any byte is read; a file that grows while read is cut at its
 * size when opened. Symlinks are followed (a link loop fails with ELOOP).
 */
export async function readRegularFile(path: FsPath, maxBytes: number, what = 'Cannot read'): Promise<Buffer> {
  if (typeof path === 'string') checkPathText(path);
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0));
  } catch (err) {
    throw fsError(err, what, path);
  }
  try {
    const s = await fh.stat();
    if (!s.isFile()) throw new AppError('UNSUPPORTED', `${what} ${display(path)}: ${kindOf(s)}, not a file`);
    if (s.size > maxBytes) {
      throw new AppError(
        'TOO_LARGE',
        `${what} ${display(path)}: ${formatBytes(s.size)} is over the limit of ${formatBytes(maxBytes)}`,
      );
    }
    const buf = Buffer.alloc(s.size);
    let off = 0;
    while (off < buf.length) {
      const { bytesRead } = await fh.read(buf, off, buf.length - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return off === buf.length ? buf : buf.subarray(0, off);
  } catch (err) {
    throw fsError(err, what, path);
  } finally {
    await fh.close().catch(() => {});
  }
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/** Largest image file import reads (100 megapixels of uncompressed 16-bit RGBA TIFF is 800 MB). */
export const MAX_IMAGE_FILE_BYTES = 1024 ** 3;
/** Largest mask file (100 megapixels of 8-bit RGBA, uncompressed, with room for PNG overhead). */
export const MAX_MASK_FILE_BYTES = 512 * 1024 ** 2;
/** Largest class definitions file (classes.json). */
export const MAX_CLASS_FILE_BYTES = 4 * 1024 ** 2;

/**
 * Why a write failed when the disk took no more (full, over a quota, at the file-size limit), in words;
 * null for any other error. SQLite reports only "I/O error" for a write past the file-size limit.
 */
export function diskFullReason(err: unknown): string | null {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return 'the disk is full';
  if (code === 'EFBIG') return 'the file-size limit is reached';
  if (typeof code === 'string' && code.startsWith('SQLITE_IOERR'))
    return `the project file could not be written (${code}: the disk is full or the file-size limit is reached, or the disk was removed)`;
  return null;
}

/** SQLite result codes a user can act on, as one line; null for anything else (a bug). */
export function sqliteError(err: unknown): AppError | null {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  const say = (c: ErrorCode, text: string) => new AppError(c, `The project file: ${text}`);
  if (code.startsWith('SQLITE_READONLY')) return say('READ_ONLY', 'it is read-only, so this change was not saved');
  if (code === 'SQLITE_FULL') return say('IO', 'the disk is full, so this change was not saved');
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return say('CONFLICT', 'another program is writing it; try again');
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN'))
    return say('IO', `input/output error (${code}: disk full, removed, or no permission)`);
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB')
    return say('UNSUPPORTED', 'it is damaged or not a project');
  // A table or column gone while the project was open (opening checks the tables: db/open.ts).
  const message = err instanceof Error ? err.message : '';
  if (code === 'SQLITE_ERROR' && /^no such (table|column)/.test(message))
    return say('UNSUPPORTED', `it is damaged (${message}); restore it from a backup`);
  return null;
}
