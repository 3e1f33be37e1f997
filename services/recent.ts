/** Recent projects, kept in `<dataDir>/recent.json` (written atomically: temp file + rename). */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { RecentProject } from '../core/ipc/contract';

const MAX_RECENT = 12;

export class RecentProjects {
  private readonly file: string;
  constructor(dataDir: string) {
    this.file = join(dataDir, 'recent.json');
  }

  private read(): Omit<RecentProject, 'exists' | 'grant'>[] {
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
      if (!Array.isArray(parsed)) return [];
      return parsed.filter(
        (r): r is Omit<RecentProject, 'exists' | 'grant'> =>
          typeof r === 'object' && r !== null && typeof r.path === 'string' && typeof r.openedAt === 'string',
      );
    } catch {
      return []; // missing or unreadable: start a new list rather than fail the app
    }
  }

  private write(list: Omit<RecentProject, 'exists' | 'grant'>[]): void {
    mkdirSync(join(this.file, '../main'), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(list, null, 2));
    renameSync(tmp, this.file);
  }

  list(): Omit<RecentProject, 'grant'>[] {
    return this.read().map((r) => ({ ...r, exists: existsSync(r.path) }));
  }

  touch(path: string): void {
    const name = basename(path, extname(path));
    const rest = this.read().filter((r) => r.path !== path);
    this.write([{ path, name, openedAt: new Date().toISOString() }, ...rest].slice(0, MAX_RECENT));
  }

  forget(path: string): void {
    this.write(this.read().filter((r) => r.path !== path));
  }
}
