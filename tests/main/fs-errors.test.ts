/** File-system failures reach the user in plain words with code IO (issue 11, minor). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry, type Handlers } from '../../main/ipc/registry';
import { diskFullReason, sqliteError } from '../../services/fs-guard';
import { projectRegistry, tempProject } from '../helpers/project';

let t: ReturnType<typeof tempProject> | undefined;
afterEach(() => t?.close());

describe('file-system errors', () => {
  it('say what could not be done and why, not the Node error', async () => {
    t = tempProject();
    const { registry, session, close } = projectRegistry(t.project, join(t.dir, 'data'));
    // A real failure: exporting into a "folder" under a file.
    const file = join(t.dir, 'a-file');
    writeFileSync(file, 'x');
    const r = await registry.invoke('export.run', {
      kind: 'masks',
      grant: session.grants.issue([join(file, 'out')], 'export.run'),
    });
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'IO',
        message: `Cannot use the folder ${join(file, 'out')}: a part of the path is not a folder`,
      },
    });
    close();
  });

  it('maps permission errors, and leaves other errors INTERNAL', async () => {
    const eperm = Object.assign(new Error("EPERM: operation not permitted, mkdir '/mnt/x'"), {
      code: 'EPERM',
      syscall: 'mkdir',
      path: '/mnt/x',
    });
    const handlers = { 'app.info': () => Promise.reject(eperm) } as unknown as Handlers;
    const registry = createRegistry(handlers, () => {});
    expect(await registry.invoke('app.info', undefined)).toEqual({
      ok: false,
      error: { code: 'IO', message: 'Cannot create the folder /mnt/x: permission denied' },
    });
  });

  it('name a full disk as such, never claiming that nothing was saved (issue 25, item 10)', () => {
    const sqlite = (code: string) => Object.assign(new Error('x'), { code });
    expect(diskFullReason(sqlite('SQLITE_FULL'))).toBe('the disk is full');
    expect(diskFullReason(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toBe('the disk is full');
    expect(diskFullReason(Object.assign(new Error('x'), { code: 'EFBIG' }))).toBe('the file-size limit is reached');
    expect(diskFullReason(sqlite('SQLITE_IOERR_WRITE'))).toMatch(/^the project file could not be written/);
    expect(diskFullReason(sqlite('SQLITE_CONSTRAINT'))).toBeNull();
    expect(sqliteError(Object.assign(new Error('no such table: classes'), { code: 'SQLITE_ERROR' }))!.message).toBe(
      'The project file: it is damaged (no such table: classes); restore it from a backup',
    );
    expect(sqliteError(Object.assign(new Error('near "x": syntax error'), { code: 'SQLITE_ERROR' }))).toBeNull();
    expect(sqliteError(sqlite('SQLITE_FULL'))!.message).toBe(
      'The project file: the disk is full, so this change was not saved',
    );
  });
});
