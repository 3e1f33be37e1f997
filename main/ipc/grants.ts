/**
 * Paths are capabilities. The renderer never sends a path to main: it sends an opaque grant id that main
 * issued when the path came from a trusted source (a native dialog, the recent-projects list, a drop the
 * preload resolved). A grant is random, belongs to one window session, names the path(s) and the one use
 * it was issued for, and cannot be used for another (a folder picked to export into cannot be imported
 * from). Imports nothing from Electron, so tests and the e2e harness use the same table.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../../core/ipc/errors';
import type { GrantUse } from '../../core/ipc/contract';

interface Grant {
  paths: string[];
  use: GrantUse;
}

/** Oldest grants are dropped past this many (a long session of dialogs keeps the newest). */
const MAX_GRANTS = 2000;

export class GrantTable {
  private readonly grants = new Map<string, Grant>();

  /** Issues a grant for `paths` (one project, a folder, or the files picked at once) and one use. */
  issue(paths: readonly string[], use: GrantUse): string {
    if (paths.length === 0) throw new AppError('INVALID_INPUT', 'A grant needs at least one path');
    const id = `g_${randomBytes(18).toString('base64url')}`;
    this.grants.set(id, { paths: [...paths], use });
    if (this.grants.size > MAX_GRANTS) this.grants.delete(this.grants.keys().next().value!);
    return id;
  }

  /** The paths behind `id` for `use`; refuses an unknown id and one issued for another use. */
  resolve(id: string, use: GrantUse): string[] {
    const g = this.grants.get(id);
    if (!g) throw new AppError('INVALID_INPUT', 'Unknown or expired file grant: choose the file again');
    if (g.use !== use) {
      throw new AppError('INVALID_INPUT', `This file grant was issued for ${g.use}, not for ${use}`);
    }
    return [...g.paths];
  }

  /** The one path of a single-path grant (a project file, a folder). */
  resolveOne(id: string, use: GrantUse): string {
    const paths = this.resolve(id, use);
    if (paths.length !== 1) throw new AppError('INVALID_INPUT', `This file grant holds ${paths.length} paths, not one`);
    return paths[0]!;
  }

  revoke(id: string): void {
    this.grants.delete(id);
  }

  clear(): void {
    this.grants.clear();
  }
}
