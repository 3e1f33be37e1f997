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

/**
 * How long a statement waits for another connection's write lock before SQLite answers "busy" (the
 * better-sqlite3 `timeout`, i.e. `PRAGMA busy_timeout`). Short enough that the app's main process never
 * freezes for long; `writeTransaction` retries once more before giving up with a clear message.
 */
const BUSY_TIMEOUT_MS = 5000;
const WRITE_ATTEMPTS = 2;

function configure(db: ProjectDb): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
}

/** Whether `err` is SQLite's "database is locked / busy" (another connection holds the lock). */
function isBusyError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** A write gave up because another connection kept the project's write lock (after waiting and a retry). */
class ProjectBusyError extends AppError {
  constructor(readonly waitedMs: number) {
    super(
      'IO',
      `The project file is locked by another program (waited ${Math.round(waitedMs / 1000)} s); close the other program or try again`,
    );
  }
}

/**
 * For a process that must not give up (a training run saving its epochs): runs `write` until it gets
 * through, calling `onWait` with a readable line after each busy timeout, so the wait is never silent.
 * Gives up (rethrows) when `giveUp()` says so.
 */
export async function retryWhileBusy<T>(
  write: () => T,
  onWait: (message: string) => void,
  giveUp: () => boolean = () => false,
  pauseMs = 1000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      return write();
    } catch (err) {
      if (!(err instanceof ProjectBusyError) || giveUp()) throw err;
      onWait(
        `The project file is locked by another program; waited ${Math.round((Date.now() - started) / 1000)} s so far, still retrying`,
      );
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }
}

/**
 * Runs `fn` as one write transaction that takes the write lock first (`BEGIN IMMEDIATE`): it waits for
 * other writers (busy timeout) instead of failing half way, and what `fn` reads is what it commits over.
 * `fn` may run more than once (after a busy timeout it is retried from the start), so it must only read and
 * write the database. Nested calls become savepoints of the outer transaction.
 */
export function writeTransaction<T>(db: ProjectDb, fn: () => T): T {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return db.transaction(fn).immediate();
    } catch (err) {
      if (!isBusyError(err) || db.inTransaction) throw err;
      if (attempt >= WRITE_ATTEMPTS) throw new ProjectBusyError(Date.now() - started);
    }
  }
}

/** The tables every project has once migrated; a file without one was damaged (or edited by hand). */
const TABLES = [
  'meta',
  'classes',
  'images',
  'image_blobs',
  'label_maps',
  'training_runs',
  'epoch_metrics',
  'checkpoints',
] as const;

/** Refuses a damaged project at open, in words, instead of a "no such table" from whatever reads it first. */
function checkTables(db: ProjectDb, path: string): void {
  const present = new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name),
  );
  const missing = TABLES.find((t) => !present.has(t));
  if (missing)
    throw new AppError(
      'UNSUPPORTED',
      `${path} is damaged: table "${missing}" is missing; restore the project from a backup`,
    );
}

export function openProjectDb(path: string, options: OpenOptions = {}): ProjectDb {
  const exists = existsSync(path);
  if (options.create && exists) throw new AppError('CONFLICT', `A file already exists at ${path}`);
  if (!options.create && !exists) throw new AppError('NOT_FOUND', `No project at ${path}`);
  let db: ProjectDb;
  try {
    db = new Database(path, {
      timeout: BUSY_TIMEOUT_MS,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
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
    checkTables(db, path);
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

/**
 * Checkpoints the WAL into the main file and closes; the file is then self-contained. When the disk
 * takes no more (full, file-size limit: an I/O error), the connection still closes and the WAL keeps
 * every committed change (the next open folds it in); the error says so, in one line.
 */
export function closeProjectDb(db: ProjectDb): void {
  if (!db.open) return;
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch (e) {
    db.close();
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_FULL' || (typeof code === 'string' && code.startsWith('SQLITE_IOERR')))
      throw new AppError(
        'IO',
        `The changes are saved in ${db.name}-wal but could not be folded back into ${db.name} (${code}: the disk is full or the file-size limit is reached); keep both files together, free some space and open the project again`,
      );
    throw e;
  }
  db.close();
}

export function integrityCheck(db: ProjectDb): string[] {
  return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
}

/** Makes the connection refuse every write (a read-only copy of a project). */
export function setQueryOnly(db: ProjectDb): void {
  db.pragma('query_only = ON');
}
