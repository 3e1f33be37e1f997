/**
 * File-system failures that reach the registry unhandled, in plain words ("Cannot create the folder
 * /x: operation not permitted (EPERM)") instead of "Unexpected error in export.run: EPERM ... mkdir".
 * The wording is out-files.ts's, which the exports use directly.
 */
import type { AppError } from '../../core/ipc/errors';
import { fsError as describeFsError } from '../services/out-files';

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

/** An AppError (IO) for a Node file-system error (one with an errno code and a syscall), else null. */
export function fsError(err: unknown): AppError | null {
  if (!(err instanceof Error)) return null;
  const { code, syscall, path } = err as NodeJS.ErrnoException;
  if (!code || !syscall || !/^E[A-Z]+$/.test(code)) return null;
  return describeFsError(err, ACTIONS[syscall] ?? 'use', path ?? 'a file');
}
