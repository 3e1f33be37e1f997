/** Creating and opening project files on hostile paths: NUL bytes, existing files, failures mid-create. */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../core/ipc/errors';
import { Project } from '../../services/project';
import { tempDir } from '../helpers/fixtures';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? err.code : `not an AppError: ${String(err)}`;
  }
  return undefined;
};

describe('Project.create on hostile paths', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build.mjs'), 'node']);
  });
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  function foreignDb(name: string): { path: string; bytes: Buffer } {
    const path = join(t.dir, name);
    const db = new Database(path);
    db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('mine')");
    db.close();
    return { path, bytes: readFileSync(path) };
  }

  it('refuses a path with a NUL byte and leaves the file the NUL would cut to untouched', () => {
    const foreign = foreignDb('other.db');
    expect(codeOf(() => Project.create(`${foreign.path}\0.maskwright`))).toBe('INVALID_INPUT');
    expect(codeOf(() => Project.open(`${foreign.path}\0.maskwright`))).toBe('INVALID_INPUT');
    expect(readFileSync(foreign.path).equals(foreign.bytes)).toBe(true);
    expect(readdirSync(t.dir).sort()).toEqual(['other.db']);
  });

  it('never creates a project inside an existing file, empty or not', () => {
    const foreign = foreignDb('taken.maskwright');
    expect(codeOf(() => Project.create(foreign.path))).toBe('CONFLICT');
    expect(readFileSync(foreign.path).equals(foreign.bytes)).toBe(true);
    const empty = join(t.dir, 'empty.maskwright');
    writeFileSync(empty, '');
    expect(codeOf(() => Project.create(empty))).toBe('CONFLICT');
    expect(statSync(empty).size).toBe(0);
  });

  it('a create that fails part-way leaves nothing behind, so create and open still work afterwards', () => {
    // A file-size limit of 8 KiB: SQLite fails while writing the schema (EFBIG; SIGXFSZ ignored).
    const path = join(t.dir, 'small.maskwright');
    const bin = join(__dirname, '..', '..', 'bin', 'maskwright.cjs');
    const r = spawnSync(
      'bash',
      ['-c', `trap '' XFSZ; ulimit -f 8; exec "${process.execPath}" "$0" create "$1"`, bin, path],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(t.dir)).toEqual([]);
    const p = Project.create(path);
    p.close();
    expect(existsSync(path)).toBe(true);
    Project.open(path).close();
  });
});
