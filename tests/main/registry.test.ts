import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CHANNELS } from '../../core/ipc/channels';
import { createAppRegistry } from '../../main/ipc/handlers';
import { createRegistry, type Handlers } from '../../main/ipc/registry';
import { truncatedJpeg, tempDir, writeImage } from '../helpers/fixtures';

function setup(dir: string) {
  const dialogs = {
    createProject: vi.fn(async () => join(dir, 'p.maskwright')),
    openProject: vi.fn(async () => join(dir, 'p.maskwright')),
    pickImages: vi.fn(async () => [] as string[]),
    pickFolder: vi.fn(async () => null as string | null),
  };
  const app = createAppRegistry({ version: 't', platform: 'test', dataDir: join(dir, 'data'), dialogs });
  const call = async (channel: string, payload?: unknown) => app.registry.invoke(channel, payload);
  const ok = async (channel: string, payload?: unknown) => {
    const env = await call(channel, payload);
    if (!env.ok) throw new Error(`${channel}: ${env.error.code} ${env.error.message}`);
    return env.value as any;
  };
  return { ...app, dialogs, call, ok };
}

describe('IPC registry', () => {
  let t: ReturnType<typeof tempDir>;
  let r: ReturnType<typeof setup>;
  beforeEach(() => {
    t = tempDir();
    r = setup(t.dir);
  });
  afterEach(() => {
    r.session.close();
    t.cleanup();
  });

  it('answers unknown channels and malformed payloads with typed errors', async () => {
    expect(await r.call('shell.exec', { cmd: 'rm -rf /' })).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_CHANNEL' },
    });
    expect(await r.call('project.create', { grant: 42 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', issues: [{ path: ['grant'] }] },
    });
    expect(await r.call('classes.add', { name: '   ' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await r.call('classes.update', { id: 1, color: 'red' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await r.call('images.setSplit', { ids: [1], split: 'test' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await r.call('masks.import', { grant: 'g_xxxxxxxxxxxxxxxxxxxxxxxx', voidValue: 300 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
  });

  it('never throws, whatever arrives on any channel', async () => {
    const junk: unknown[] = [
      undefined,
      null,
      0,
      -1,
      1e308,
      NaN,
      '',
      'x'.repeat(10_000),
      [],
      [1, 2],
      {},
      { path: {} },
      { grant: 'g_AAAAAAAAAAAAAAAAAAAAAAAA' },
      { ids: 'all' },
      { __proto__: { path: '/etc/passwd' } },
    ];
    for (const channel of CHANNELS) {
      if (channel.startsWith('dialog.')) continue; // dialogs take no input and would only call the stubs
      for (const payload of junk) {
        const env = await r.call(channel, payload);
        expect(typeof env.ok).toBe('boolean');
        if (!env.ok)
          expect(['INVALID_INPUT', 'NO_PROJECT', 'NOT_FOUND', 'CONFLICT', 'NOT_READY', 'IO', 'UNSUPPORTED']).toContain(
            env.error.code,
          );
      }
    }
  });

  it('turns unexpected handler failures into INTERNAL errors', async () => {
    const handlers = {
      'app.info': () => {
        throw new TypeError('boom');
      },
    } as unknown as Handlers;
    const log = vi.fn();
    const registry = createRegistry(handlers, log);
    expect(await registry.invoke('app.info', undefined)).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'Unexpected error in app.info: boom' },
    });
    expect(log).toHaveBeenCalledOnce();
  });

  it('answers I/O failures as IO or NOT_FOUND, not INTERNAL, and keeps every message to one short line', async () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      syscall: 'write',
      path: '/mnt/full/x.png',
    });
    const enoent = Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT', path: '/gone' });
    const handlers = {
      'app.info': () => {
        throw enospc;
      },
      'project.current': () => {
        throw enoent;
      },
      'images.list': () => {
        throw new Error(`${'x'.repeat(40_000)}\n    at glue (wasm.js:1:1)\u001b[31m`);
      },
    } as unknown as Handlers;
    const log = vi.fn();
    const registry = createRegistry(handlers, log);
    expect(await registry.invoke('app.info', undefined)).toEqual({
      ok: false,
      error: { code: 'IO', message: 'Cannot write /mnt/full/x.png: the disk is full' },
    });
    expect(await registry.invoke('project.current', undefined)).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    const bug = await registry.invoke('images.list', undefined);
    expect(bug).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    const message = (bug as { error: { message: string } }).error.message;
    expect(message.length).toBeLessThan(400);
    // eslint-disable-next-line no-control-regex
    expect(message).not.toMatch(/[\n\u001b]/);
    expect(log).toHaveBeenCalledOnce(); // only the real bug is logged
  });

  it('needs an open project for project data', async () => {
    expect(await r.call('images.list')).toMatchObject({ ok: false, error: { code: 'NO_PROJECT' } });
    expect(await r.ok('project.current')).toBeNull();
  });

  it('runs the whole foundation workflow on a real project file', async () => {
    const path = join(t.dir, 'p.maskwright');
    const created = await r.ok('dialog.createProject');
    expect(created).toEqual({ grant: expect.stringMatching(/^g_/), label: path, count: 1 });
    expect(await r.ok('project.create', { grant: created.grant })).toMatchObject({
      name: 'p',
      imageCount: 0,
      classCount: 0,
    });
    const files = [
      await writeImage(t.dir, 'a.png', 32, 24, 1),
      await writeImage(t.dir, 'b.jpg', 20, 30, 2),
      join(t.dir, 'bad.jpg'),
    ];
    writeFileSync(files[2]!, await truncatedJpeg());
    r.dialogs.pickImages.mockResolvedValueOnce(files);
    const picked = await r.ok('dialog.pickImages');
    expect(picked).toMatchObject({ label: '3 files', count: 3 });
    const report = await r.ok('images.import', { grant: picked.grant });
    expect(report.imported.map((i: { name: string }) => i.name)).toEqual(['a.png', 'b.jpg']);
    expect(report.errors.map((e: { name: string }) => e.name)).toEqual(['bad.jpg']);

    const thumb = await r.ok('images.thumbnail', { id: report.imported[0].id });
    expect(thumb.dataUrl).toMatch(/^data:image\/jpeg;base64,\/9j\//); // JPEG magic FF D8 FF
    expect(await r.call('images.thumbnail', { id: 999 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    const road = await r.ok('classes.add', { name: 'Road' });
    const car = await r.ok('classes.add', { name: 'Car', color: '#ff0000' });
    await r.ok('classes.reorder', { ids: [car.id, road.id] });
    await r.ok('images.setSplit', { ids: [report.imported[1].id], split: 'val' });

    // Drag-and-drop path: bytes instead of file paths.
    const dropped = await r.ok('images.importFiles', {
      files: [
        { name: 'dropped.png', data: new Uint8Array(await import('node:fs').then((fs) => fs.readFileSync(files[0]!))) },
      ],
    });
    expect(dropped.duplicates).toEqual([{ name: 'dropped.png', existingName: 'a.png' }]);

    // Close and reopen: everything is still there.
    expect(await r.ok('project.close')).toEqual({ closed: true });
    const reopened = setup(t.dir);
    const [entry] = await reopened.ok('project.recent');
    expect(entry).toMatchObject({ path, name: 'p', exists: true, grant: expect.stringMatching(/^g_/) });
    await reopened.ok('project.open', { grant: entry.grant });
    const images = await reopened.ok('images.list');
    expect(images.map((i: { name: string; split: string }) => [i.name, i.split])).toEqual([
      ['a.png', 'unassigned'],
      ['b.jpg', 'val'],
    ]);
    expect((await reopened.ok('classes.list')).map((c: { name: string }) => c.name)).toEqual(['Car', 'Road']);
    reopened.session.close();
  });
});
