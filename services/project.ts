/** An open project: its file, its database handle, and a summary for the UI and the CLI. */
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import type { ProjectInfo } from '../core/ipc/contract';
import { AppError } from '../core/ipc/errors';
import { countClasses } from '../db/classes';
import { countImages } from '../db/images';
import { getMeta, setMeta } from '../db/meta';
import { schemaVersion } from '../db/migrations';
import { markDeadRuns } from '../db/runs';
import { closeProjectDb, openProjectDb, PROJECT_EXTENSION, setQueryOnly, type ProjectDb } from '../db/open';
import { checkPathText, fsError } from './fs-guard';

const SIDECARS = ['', '-wal', '-shm', '-journal'];
const removeWithSidecars = (path: string) => {
  for (const s of SIDECARS) rmSync(path + s, { force: true });
};

export class Project {
  private constructor(
    readonly path: string,
    readonly db: ProjectDb,
    /** Why the project cannot be changed (no write permission, read-only disk), or null when it can. */
    readonly readOnly: string | null = null,
    private readonly cleanup: () => void = () => {},
  ) {}

  /**
   * Creates a new project file. The database is built under a temporary name beside the target and
   * published with link(2), which refuses atomically when anything exists at `path`: an existing file
   * (empty or another app's database) is never written to, and a create that fails part-way (disk full,
   * file-size limit) leaves nothing behind at `path`.
   */
  static create(path: string, nativeBinding?: string): Project {
    checkPathText(path, 'Project path');
    if (extname(path) !== PROJECT_EXTENSION) {
      throw new AppError('INVALID_INPUT', `Project files end in ${PROJECT_EXTENSION}: ${path}`);
    }
    if (exists(path)) throw new AppError('CONFLICT', `A file already exists at ${path}`);
    const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.creating`);
    try {
      const db = openProjectDb(tmp, { create: true, ...(nativeBinding ? { nativeBinding } : {}) });
      try {
        setMeta(db, 'name', basename(path, PROJECT_EXTENSION));
        setMeta(db, 'created_at', new Date().toISOString());
      } finally {
        closeProjectDb(db);
      }
      publish(tmp, path);
    } catch (err) {
      throw fsError(err, 'Cannot create project', path);
    } finally {
      removeWithSidecars(tmp);
    }
    return Project.open(path, nativeBinding);
  }

  /** Opens a project; read-only when it cannot be written, or when `options.readOnly` gives a reason. */
  static open(path: string, nativeBinding?: string, options: { readOnly?: string } = {}): Project {
    checkPathText(path, 'Project path');
    let st;
    try {
      st = statSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('NOT_FOUND', `No project at ${path}`);
      throw fsError(err, 'Cannot open project', path);
    }
    if (!st.isFile()) throw new AppError('UNSUPPORTED', `${path} is not a Maskwright project (not a regular file)`);
    const reason = options.readOnly ?? whyReadOnly(path);
    if (reason) return Project.openReadOnly(path, reason, nativeBinding);
    const db = openProjectDb(path, nativeBinding ? { nativeBinding } : {});
    markDeadRuns(db); // runs whose process is gone: interrupted, so the history tells the truth
    return new Project(path, db);
  }

  /**
   * A project the user may not write: SQLite would need to create `-wal`/`-shm` files beside it (and
   * leaves them read-only, which breaks the project once it is writable again). So it is read from a
   * private copy (a reflink where the file system offers one) with writes refused; nothing is created
   * beside the user's file.
   */
  private static openReadOnly(path: string, reason: string, nativeBinding?: string): Project {
    let dir: string;
    try {
      dir = mkdtempSync(join(tmpdir(), 'maskwright-ro-'));
    } catch (err) {
      throw fsError(err, 'Cannot open a read-only copy of', path);
    }
    const cleanup = () => rmSync(dir, { recursive: true, force: true });
    try {
      const copy = join(dir, basename(path));
      copyFileSync(path, copy, constants.COPYFILE_FICLONE);
      // A journal not yet folded into the file (the app was killed) holds saved edits: take it along.
      if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`, constants.COPYFILE_FICLONE);
      const db = openProjectDb(copy, nativeBinding ? { nativeBinding } : {});
      setQueryOnly(db);
      return new Project(path, db, reason, cleanup);
    } catch (err) {
      cleanup();
      throw fsError(err, 'Cannot open', path);
    }
  }

  /** Refuses a change to a read-only project with the reason (code READ_ONLY). */
  requireWritable(action = 'change it'): void {
    if (this.readOnly)
      throw new AppError('READ_ONLY', `${this.path} is read-only (${this.readOnly}): cannot ${action}`);
  }

  get name(): string {
    return getMeta(this.db, 'name') ?? basename(this.path, extname(this.path));
  }

  info(): ProjectInfo {
    return {
      path: this.path,
      name: this.name,
      schemaVersion: schemaVersion(this.db),
      imageCount: countImages(this.db),
      classCount: countClasses(this.db),
      ...(this.readOnly ? { readOnly: this.readOnly } : {}),
    };
  }

  close(): void {
    try {
      closeProjectDb(this.db);
    } finally {
      this.cleanup();
    }
  }
}

/** Why a project file cannot be written in place, or null. Checks the file, its folder (SQLite creates
 * `-wal` and `-shm` there) and existing sidecar files. */
function whyReadOnly(path: string): string | null {
  const check = (p: string, what: string): string | null => {
    try {
      accessSync(p, constants.W_OK);
      return null;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      if (code === 'EROFS') return 'the disk is read-only';
      return `${what} is not writable${code === 'EACCES' || code === 'EPERM' ? '' : ` (${code})`}`;
    }
  };
  return (
    check(path, 'the file') ??
    check(dirname(path), 'its folder') ??
    check(`${path}-shm`, `its ${basename(path)}-shm file`) ??
    check(`${path}-wal`, `its ${basename(path)}-wal file`)
  );
}

const exists = (path: string) => {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
};

/** Moves `tmp` to `path` unless something is there; link(2) is atomic, rename is the fallback where links fail. */
function publish(tmp: string, path: string): void {
  try {
    linkSync(tmp, path);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new AppError('CONFLICT', `A file already exists at ${path}`);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw err;
  }
  if (exists(path)) throw new AppError('CONFLICT', `A file already exists at ${path}`);
  renameSync(tmp, path);
}
