/**
 * An import in the app shows what it does and can be stopped (issue 25, item 11): progress while the
 * folder is searched, then per file; `images.cancelImport` stops it, and what was imported stays.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventPayloads } from '../../core/ipc/events';
import { listImages } from '../../db/images';
import { createHandlers, Session } from '../../main/ipc/handlers';
import { createRegistry } from '../../main/ipc/registry';
import { writeImage } from '../helpers/fixtures';
import { tempProject } from '../helpers/project';

let t: ReturnType<typeof tempProject> | undefined;
afterEach(() => t?.close());

describe('images.cancelImport', () => {
  it('stops a running import with CANCELLED; progress says what was found and imported', async () => {
    t = tempProject();
    const dir = join(t.dir, 'photos');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    for (let i = 0; i < 5; i++) await writeImage(i < 2 ? dir : join(dir, 'sub'), `p${i}.png`, 4, 3, i);
    const events: EventPayloads['import.progress'][] = [];
    let cancelled: Promise<unknown> | undefined;
    const none = async () => null;
    const session = new Session({
      version: 'test',
      platform: 'test',
      dataDir: join(t.dir, 'data'),
      dialogs: { createProject: none, openProject: none, pickImages: async () => [], pickFolder: none },
      emit: (event, payload) => {
        if (event !== 'import.progress') return;
        const p = payload as EventPayloads['import.progress'];
        events.push(p);
        // Cancel the first import once its second image is in.
        if (p.done === 2 && !cancelled) cancelled = registry.invoke('images.cancelImport', undefined);
      },
    });
    session.project = t.project;
    const registry = createRegistry(createHandlers(session), () => {});
    expect(await registry.invoke('images.cancelImport', undefined)).toEqual({ ok: true, value: { cancelling: false } });

    const r = await registry.invoke('images.import', { grant: session.grants.issue([dir], 'images.import') });
    expect(r).toEqual({
      ok: false,
      error: { code: 'CANCELLED', message: 'Import cancelled: 2 of 5 images imported (they stay in the project)' },
    });
    expect(await cancelled).toEqual({ ok: true, value: { cancelling: true } });
    expect(listImages(t.project.db)).toHaveLength(2);
    // The search reported what it found before any file was imported.
    expect(events.filter((e) => e.done === 0).map((e) => e.found)).toContain(5);
    expect(events.filter((e) => e.done > 0).map((e) => [e.done, e.total])).toEqual([
      [1, 5],
      [2, 5],
    ]);
    // A later import runs to the end (the first two are duplicates).
    events.length = 0;
    const again = await registry.invoke('images.import', { grant: session.grants.issue([dir], 'images.import') });
    expect(again).toMatchObject({ ok: true, value: { duplicates: [{}, {}] } });
    expect(listImages(t.project.db)).toHaveLength(5);
    session.project = null;
  });
});
