/** An open project: its file, its database handle, and a summary for the UI and the CLI. */
import { basename, extname } from 'node:path';
import type { ProjectInfo } from '../../core/ipc/contract';
import { AppError } from '../../core/ipc/errors';
import { countImages } from '../../db/images';
import { getMeta, setMeta } from '../../db/meta';
import { schemaVersion } from '../../db/migrations';
import { markDeadRuns } from '../../db/runs';
import { closeProjectDb, openProjectDb, PROJECT_EXTENSION, type ProjectDb } from '../../db/open';

export class Project {
  private constructor(
    readonly path: string,
    readonly db: ProjectDb,
  ) {}

  static create(path: string, nativeBinding?: string): Project {
    if (extname(path) !== PROJECT_EXTENSION) {
      throw new AppError('INVALID_INPUT', `Project files end in ${PROJECT_EXTENSION}: ${path}`);
    }
    const db = openProjectDb(path, { create: true, ...(nativeBinding ? { nativeBinding } : {}) });
    setMeta(db, 'name', basename(path, PROJECT_EXTENSION));
    setMeta(db, 'created_at', new Date().toISOString());
    return new Project(path, db);
  }

  static open(path: string, nativeBinding?: string): Project {
    const db = openProjectDb(path, nativeBinding ? { nativeBinding } : {});
    markDeadRuns(db); // runs whose process is gone: interrupted, so the history tells the truth
    return new Project(path, db);
  }

  get name(): string {
    return getMeta(this.db, 'name') ?? basename(this.path, extname(this.path));
  }

  info(): ProjectInfo {
    const { n } = this.db.prepare('SELECT count(*) AS n FROM classes').get() as { n: number };
    return {
      path: this.path,
      name: this.name,
      schemaVersion: schemaVersion(this.db),
      imageCount: countImages(this.db),
      classCount: n,
    };
  }

  close(): void {
    closeProjectDb(this.db);
  }
}
