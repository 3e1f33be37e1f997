/**
 * Paths are capabilities: channels take grants that main issued for dialog answers, never paths; a grant
 * serves only the use it was issued for, only in the session that issued it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GrantTable } from '../../main/ipc/grants';
import { createAppRegistry, grantDropped } from '../../main/ipc/handlers';
import { tempDir, writeImage } from '../helpers/fixtures';

describe('file grants', () => {
  let t: ReturnType<typeof tempDir>;
  let app: ReturnType<typeof createAppRegistry>;
  const dialogs = {
    createProject: vi.fn(async () => null as string | null),
    openProject: vi.fn(async () => null as string | null),
    pickImages: vi.fn(async () => [] as string[]),
    pickFolder: vi.fn(async (_purpose: string) => null as string | null),
  };
  const call = (channel: string, payload?: unknown) => app.registry.invoke(channel, payload);
  const ok = async (channel: string, payload?: unknown) => {
    const env = await call(channel, payload);
    if (!env.ok) throw new Error(`${channel}: ${env.error.code} ${env.error.message}`);
    return env.value as any;
  };

  beforeEach(async () => {
    t = tempDir();
    app = createAppRegistry({ version: 't', platform: 'test', dataDir: join(t.dir, 'data'), dialogs });
    dialogs.createProject.mockResolvedValueOnce(join(t.dir, 'p.maskwright'));
    await ok('project.create', { grant: (await ok('dialog.createProject')).grant });
  });
  afterEach(() => {
    app.session.close();
    t.cleanup();
  });

  it('refuses a raw path on every channel that touches files', async () => {
    const img = await writeImage(t.dir, 'a.png', 4, 3, 1);
    for (const [channel, payload] of [
      ['project.open', { path: join(t.dir, 'p.maskwright') }],
      ['project.open', { grant: join(t.dir, 'p.maskwright') }],
      ['project.create', { path: join(t.dir, 'q.maskwright') }],
      ['images.import', { paths: [img] }],
      ['images.import', { grant: img }],
      ['masks.import', { paths: [t.dir] }],
      ['export.run', { kind: 'masks', dir: t.dir }],
      ['export.run', { kind: 'masks', grant: '/tmp' }],
      ['project.forgetRecent', { path: join(t.dir, 'p.maskwright') }],
    ] as const) {
      expect(await call(channel, payload), `${channel} ${JSON.stringify(payload)}`).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT' },
      });
    }
    expect(await ok('images.list')).toEqual([]);
  });

  it('refuses a grant used for another purpose, a forged id, and one from another window', async () => {
    const out = join(t.dir, 'out');
    mkdirSync(out);
    await writeImage(out, 'a.png', 4, 3, 1);
    dialogs.pickFolder.mockResolvedValueOnce(out);
    const exportGrant = (await ok('dialog.pickFolder', { purpose: 'export.run' })).grant;
    expect(dialogs.pickFolder).toHaveBeenLastCalledWith('export.run');
    // A folder chosen to export into is no licence to read images from it, or masks.
    expect(await call('images.import', { grant: exportGrant })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: 'This file grant was issued for export.run, not for images.import' },
    });
    expect(await call('masks.import', { grant: exportGrant })).toMatchObject({ ok: false });
    expect(await call('project.open', { grant: exportGrant })).toMatchObject({ ok: false });
    // ...nor is a new-project grant one to open (and so overwrite-check) an existing file.
    dialogs.createProject.mockResolvedValueOnce(join(t.dir, 'other.maskwright'));
    const createGrant = (await ok('dialog.createProject')).grant;
    expect(await call('project.open', { grant: createGrant })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });

    expect(await call('export.run', { kind: 'masks', grant: 'g_AAAAAAAAAAAAAAAAAAAAAAAA' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: 'Unknown or expired file grant: choose the file again' },
    });
    const other = createAppRegistry({ version: 't', platform: 'test', dataDir: join(t.dir, 'data2'), dialogs });
    expect(await other.registry.invoke('export.run', { kind: 'masks', grant: exportGrant })).toMatchObject({
      ok: false,
    });

    // Used for its purpose, it works.
    dialogs.pickFolder.mockResolvedValueOnce(out);
    const importGrant = (await ok('dialog.pickFolder', { purpose: 'images.import' })).grant;
    expect((await ok('images.import', { grant: importGrant })).imported).toHaveLength(1);
  });

  it('a drop (paths from the preload) becomes a grant to import, and only to import', async () => {
    const dir = join(t.dir, 'dropped');
    mkdirSync(dir);
    await writeImage(dir, 'a.png', 4, 3, 1);
    expect(grantDropped(app.session, { paths: ['relative.png'] })).toMatchObject({ ok: false });
    expect(grantDropped(app.session, { paths: [`${dir}\0x`] })).toMatchObject({ ok: false });
    expect(grantDropped(app.session, { paths: [] })).toMatchObject({ ok: false });
    const env = grantDropped(app.session, { paths: [dir] });
    if (!env.ok || !env.value) throw new Error('no grant');
    expect(await call('export.run', { kind: 'masks', grant: env.value.grant })).toMatchObject({ ok: false });
    expect((await ok('images.import', { grant: env.value.grant })).imported).toHaveLength(1);
  });

  it('issues unguessable ids and keeps the table bounded', () => {
    const g = new GrantTable();
    const ids = new Set(Array.from({ length: 3000 }, (_, i) => g.issue([`/p/${i}`], 'project.open')));
    expect(ids.size).toBe(3000);
    for (const id of ids) expect(id).toMatch(/^g_[A-Za-z0-9_-]{24}$/);
    const [first] = ids;
    expect(() => g.resolve(first!, 'project.open')).toThrow(/Unknown or expired/);
    expect(g.resolveOne([...ids].at(-1)!, 'project.open')).toBe('/p/2999');
  });
});
