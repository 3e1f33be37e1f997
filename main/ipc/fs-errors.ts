/**
 * File-system failures in plain words ("Cannot create the folder /x: permission denied.") instead of
 * Node's "EPERM: operation not permitted, mkdir '/x'" behind "Unexpected error in export.run".
 */
import { AppError } from '../../core/ipc/errors';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'it does not exist',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the disk is read-only',
  EEXIST: 'it already exists',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  EBUSY: 'it is in use by another program',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many files are open',
};

const ACTIONS: Record<string, string> = {
  mkdir: 'create the folder',
  open: 'open',
  write: 'write',
  read: 'read',
  rename: 'rename',
  unlink: 'delete',
  rmdir: 'delete the folder',
  copyfile: 'copy',
  scandir: 'list the folder',
  stat: 'find',
};

/** An AppError (IO) for a Node file-system error, or null when `err` is not one. */
export function fsError(err: unknown): AppError | null {
  if (!(err instanceof Error)) return null;
  const { code, syscall, path } = err as NodeJS.ErrnoException;
  if (!code || !REASONS[code]) return null;
  const action = (syscall && ACTIONS[syscall]) ?? 'use';
  const target = path ? ` ${path}` : '';
  return new AppError('IO', `Cannot ${action}${target}: ${REASONS[code]}.`);
}
