/**
 * Classes from mask imports are ordered by label value (issue 11, major 11), and class names load
 * from a classes.json's text through `classes.loadNames` (the app's "Load class names…").
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addClass, listClasses, updateClass } from '../../db/classes';
import { readClassFile } from '../../services/class-file';
import { importImages } from '../../services/import-images';
import { importMasks } from '../../services/import-masks';
import { makeImage, maskPng } from '../helpers/fixtures';
import { projectRegistry, tempProject } from '../helpers/project';

let t: ReturnType<typeof tempProject> | undefined;
afterEach(() => t?.close());

describe('class order and names', () => {
  it('orders classes created by a mask import by value, after the existing ones', async () => {
    t = tempProject();
    const db = t.project.db;
    addClass(db, 'sky', '#4080c0', 20);
    await importImages(db, [
      { name: 'a.png', read: () => makeImage(2, 2, 'png', 1) },
      { name: 'b.png', read: () => makeImage(2, 2, 'png', 2) },
    ]);
    // a.png shows 10, 0 and 1 first; b.png then adds 7 (first seen last).
    writeFileSync(join(t.dir, 'a_mask.png'), maskPng(2, 2, Uint8Array.from([10, 0, 1, 255])));
    writeFileSync(join(t.dir, 'b_mask.png'), maskPng(2, 2, Uint8Array.from([7, 7, 0, 20])));
    const r = await importMasks(db, [join(t.dir, 'a_mask.png'), join(t.dir, 'b_mask.png')], { createClasses: true });
    expect(r.errors).toEqual([]);
    expect(r.unmatched).toEqual([]);
    expect(listClasses(db).map((c) => [c.name, c.value])).toEqual([
      ['sky', 20],
      ['Class 0', 0],
      ['Class 1', 1],
      ['Class 7', 7],
      ['Class 10', 10],
    ]);
  });

  it('loads names and colors from a classes.json by value, and says plainly when the file is not one', async () => {
    t = tempProject();
    const { registry, close } = projectRegistry(t.project, join(t.dir, 'data'));
    addClass(t.project.db, 'Class 0', undefined, 0);
    addClass(t.project.db, 'Class 1', undefined, 1);
    const text = JSON.stringify({
      classes: [
        { index: 0, name: 'road', color: [128, 64, 128] },
        { index: 1, name: 'sky', color: '#4080c0' },
        { index: 2, name: 'car' },
      ],
    });
    const ok = await registry.invoke('classes.loadNames', { name: 'classes.json', text });
    expect(ok.ok).toBe(true);
    expect(listClasses(t.project.db).map((c) => [c.name, c.value, c.color])).toEqual([
      ['road', 0, '#804080'],
      ['sky', 1, '#4080c0'],
      ['car', 2, expect.stringMatching(/^#[0-9a-f]{6}$/)],
    ]);
    const bad = await registry.invoke('classes.loadNames', { name: 'notes.json', text: '{"names": ["a"]}' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    if (!bad.ok) expect(bad.error.message).toMatch(/^notes\.json is not a class list like \{"classes"/);
    const junk = await registry.invoke('classes.loadNames', { name: 'x.json', text: 'not json' });
    if (!junk.ok) expect(junk.error.message).toBe('x.json is not a JSON file');
    close();
  });

  it('refuses control characters in class names with one line on every path, and stores nothing', async () => {
    t = tempProject();
    const db = t.project.db;
    const { registry, close } = projectRegistry(t.project, join(t.dir, 'data'));
    const road = addClass(db, 'road');
    const names = ['\u0000road', 'a\u0000b', 'sky\u001b[31m', 'tab\there', 'line\nbreak', 'c1\u0085'];
    const refused = (r: { ok: boolean; error?: { code: string; message: string } }) => {
      expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect(r.error!.message).toMatch(/control character/);
      expect(r.error!.message).not.toMatch(/\n/);
    };
    for (const name of names) {
      refused(await registry.invoke('classes.add', { name }));
      refused(await registry.invoke('classes.update', { id: road.id, name }));
      const text = JSON.stringify({ classes: [{ index: 3, name }] });
      refused(await registry.invoke('classes.loadNames', { name: 'classes.json', text }));
      // The CLI's `import --classes` reads the file through the same parser.
      const file = join(t.dir, 'classes.json');
      writeFileSync(file, text);
      await expect(readClassFile(file)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: /control character/ });
      // The database functions refuse too: whatever path a name comes by.
      expect(() => addClass(db, name)).toThrow(/control character/);
      expect(() => updateClass(db, road.id, { name })).toThrow(/control character/);
    }
    expect(listClasses(db).map((c) => c.name)).toEqual(['road']);
    close();
  });
});
