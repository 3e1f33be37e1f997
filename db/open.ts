/**
 * Opening a project file: one project = one SQLite file (`*.maskwright`), WAL journal, foreign keys on,
 * synchronous FULL (a committed write survives a crash of the process or of the machine).
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { AppError } from '../core/ipc/errors';
import { migrate } from './migrations';

export type ProjectDb = Database.Database;

/** `PRAGMA application_id` of every Maskwright project: ASCII "MSKW". */
export const APPLICATION_ID = 0x4d534b57;
export const PROJECT_EXTENSION = '.maskwright';

export interface OpenOptions {
  /** Create the file when it does not exist (and refuse when it does). */
  create?: boolean;
  /** Path of a better-sqlite3 addon built for another runtime (Electron's ABI); default: the package's own. */
  nativeBinding?: string;
}

function configure(db: ProjectDb): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
}

export function openProjectDb(path: string, options: OpenOptions = {}): ProjectDb {
  const exists = existsSync(path);
  if (options.create && exists) throw new AppError('CONFLICT', `A file already exists at ${path}`);
  if (!options.create && !exists) throw new AppError('NOT_FOUND', `No project at ${path}`);
  let db: ProjectDb;
  try {
    db = new Database(path, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  } catch (err) {
    throw new AppError('IO', `Cannot open ${path}: ${(err as Error).message}`);
  }
  try {
    if (options.create) {
      db.pragma(`application_id = ${APPLICATION_ID}`);
    } else {
      const appId = db.pragma('application_id', { simple: true }) as number;
      if (appId !== APPLICATION_ID) {
        throw new AppError('UNSUPPORTED', `${path} is not a Maskwright project`);
      }
    }
    configure(db);
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof AppError) throw err;
    const msg = (err as Error).message;
    if (/not a database|malformed|file is encrypted/i.test(msg)) {
      throw new AppError('UNSUPPORTED', `${path} is not a Maskwright project (${msg})`);
    }
    throw new AppError('IO', `Cannot open ${path}: ${msg}`);
  }
}

/** Checkpoints the WAL into the main file and closes; the file is then self-contained. */
export function closeProjectDb(db: ProjectDb): void {
  if (!db.open) return;
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

export function integrityCheck(db: ProjectDb): string[] {
  return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
}
