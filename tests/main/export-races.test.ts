/**
 * An export while the project changes under it (issue 25, item 12): closing the project stops it with
 * CANCELLED (was INTERNAL, a closed connection), and an image removed meanwhile is skipped (was a
 * TypeError reported as IO).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addClass } from '../../db/classes';
import { removeImages } from '../../db/images';
import { saveLabelMap } from '../../db/labelmaps';
import { makeImage } from '../helpers/fixtures';
import { projectRegistry, tempProject } from '../helpers/project';
import { importImages } from '../../services/import-images';
import type * as OutFiles from '../../services/out-files';

/** Called before each file an export writes (set per test). */
let beforeWrite: ((path: string) => void) | null = null;
vi.mock('../../services/out-files', async (original) => {
  const actual = await original<typeof OutFiles>();
  return {
    ...actual,
    writeFileAtomic: async (path: string, data: Uint8Array | string) => {
      beforeWrite?.(path);
      return actual.writeFileAtomic(path, data);
    },
  };
});

let t: ReturnType<typeof tempProject> | undefined;
afterEach(() => {
  beforeWrite = null;
  t?.close();
  t = undefined;
});

async function labeledProject(n: number) {
  t = tempProject();
  const road = addClass(t.project.db, 'road');
  const ids: number[] = [];
  for (let k = 0; k < n; k++) {
    const bytes = await makeImage(4, 3, 'png', k);
    const r = await importImages(t.project.db, [{ name: `img${k}.png`, read: async () => bytes }]);
    const id = r.imported[0]!.id;
    ids.push(id);
    saveLabelMap(t.project.db, id, {
      width: 4,
      height: 3,
      classes: new Uint8Array(12).fill(road.value),
      provenance: new Uint8Array(12).fill(1),
    });
  }
  return { t, ids };
}

describe('export while the project changes', () => {
  it.each(['masks', 'dataset'] as const)('project.close during a %s export: CANCELLED, one line', async (kind) => {
    const { t } = await labeledProject(3);
    const { registry, session } = projectRegistry(t.project, join(t.dir, 'data'));
    const dir = join(t.dir, `out-${kind}`);
    const running = registry.invoke('export.run', { kind, grant: session.grants.issue([dir], 'export.run') });
    expect(await registry.invoke('project.close', undefined)).toEqual({ ok: true, value: { closed: true } });
    const r = await running;
    expect(r).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    if (!r.ok) expect(r.error.message).toMatch(/^Export stopped: the project was closed/);
    // The test's own project handle is closed already.
    t.project = { close: () => {} } as unknown as typeof t.project;
  });

  it.each(['masks', 'dataset'] as const)('an image removed during a %s export is skipped', async (kind) => {
    const { t, ids } = await labeledProject(3);
    const { registry, session, close } = projectRegistry(t.project, join(t.dir, 'data'));
    const dir = join(t.dir, `out-${kind}`);
    // Removed while the first image's files are written (as the app's images.remove can between awaits).
    beforeWrite = () => {
      beforeWrite = null;
      removeImages(t.project.db, [ids[1]!]);
    };
    const r = await registry.invoke('export.run', { kind, grant: session.grants.issue([dir], 'export.run') });
    expect(r).toMatchObject({ ok: true, value: { skipped: ['img1.png'] } });
    expect(readdirSync(join(dir, 'masks')).sort()).toEqual(['img0.png', 'img2.png']);
    close();
  });
});
