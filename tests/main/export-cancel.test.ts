/** Cancel for a running export (issue 11, minor): it stops before the next image and says what it wrote. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addClass } from '../../db/classes';
import { saveLabelMap } from '../../db/labelmaps';
import { fakeImage, projectRegistry, tempProject } from '../helpers/project';

let t: ReturnType<typeof tempProject> | undefined;
afterEach(() => t?.close());

describe('export.cancel', () => {
  it('stops a running export with CANCELLED, and answers false when none runs', async () => {
    t = tempProject();
    const { registry, session, close } = projectRegistry(t.project, join(t.dir, 'data'));
    const road = addClass(t.project.db, 'road');
    for (let k = 0; k < 3; k++) {
      const id = fakeImage(t.project, 2, 2, `img${k}.png`);
      saveLabelMap(t.project.db, id, {
        width: 2,
        height: 2,
        classes: new Uint8Array(4).fill(road.value),
        provenance: new Uint8Array(4).fill(1),
      });
    }
    expect(await registry.invoke('export.cancel', undefined)).toEqual({ ok: true, value: { cancelling: false } });
    const dir = join(t.dir, 'out');
    const running = registry.invoke('export.run', { kind: 'masks', grant: session.grants.issue([dir], 'export.run') });
    expect(await registry.invoke('export.cancel', undefined)).toEqual({ ok: true, value: { cancelling: true } });
    const r = await running;
    expect(r).toEqual({
      ok: false,
      error: { code: 'CANCELLED', message: `Export cancelled: 0 files were written to ${dir} before it stopped.` },
    });
    expect(existsSync(join(dir, 'masks', 'img2.png'))).toBe(false);
    // A later export runs to the end (overwrite: the cancelled one left its empty masks/ and previews/).
    const again = await registry.invoke('export.run', {
      kind: 'masks',
      grant: session.grants.issue([dir], 'export.run'),
      overwrite: true,
    });
    expect(again).toMatchObject({
      ok: true,
      value: { files: 6 },
    });
    close();
  });
});
