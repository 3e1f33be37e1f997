import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppRegistry } from '../../main/ipc/handlers';
import { makeImage, tempDir } from '../helpers/fixtures';

describe('editor channels: images.original, labels.load, labels.save', () => {
  let t: ReturnType<typeof tempDir>;
  let app: ReturnType<typeof createAppRegistry>;
  const ok = async (channel: string, payload?: unknown) => {
    const env = await app.registry.invoke(channel, payload);
    if (!env.ok) throw new Error(`${env.error.code}: ${env.error.message}`);
    return env.value as any;
  };
  const fails = async (channel: string, payload: unknown) => {
    const env = await app.registry.invoke(channel, payload);
    if (env.ok) throw new Error(`${channel} succeeded`);
    return env.error;
  };

  beforeEach(async () => {
    t = tempDir();
    const none = async () => null;
    app = createAppRegistry({
      version: 't',
      platform: 'test',
      dataDir: join(t.dir, 'data'),
      dialogs: { createProject: none, openProject: none, pickImages: async () => [], pickFolder: none },
    });
    await ok('project.create', { grant: app.session.grants.issue([join(t.dir, 'p.maskwright')], 'project.create') });
  });
  afterEach(() => {
    app.session.close();
    t.cleanup();
  });

  async function importBytes(name: string, data: Buffer) {
    const r = await ok('images.importFiles', { files: [{ name, data: new Uint8Array(data) }] });
    return r.imported[0];
  }

  it('gives browsers the original bytes, and TIFF as PNG with the same pixels', async () => {
    const png = await makeImage(6, 4, 'png', 1);
    const a = await importBytes('a.png', png);
    const orig = await ok('images.original', { id: a.id });
    expect(orig).toMatchObject({ mime: 'image/png', width: 6, height: 4 });
    expect(Buffer.compare(Buffer.from(orig.data), png)).toBe(0);

    const tiff = await makeImage(6, 4, 'tiff', 2);
    const b = await importBytes('b.tiff', tiff);
    const conv = await ok('images.original', { id: b.id });
    expect(conv.mime).toBe('image/png');
    const [fromPng, fromTiff] = await Promise.all([
      sharp(Buffer.from(conv.data)).raw().toBuffer(),
      sharp(tiff).raw().toBuffer(),
    ]);
    expect(Buffer.compare(fromPng, fromTiff)).toBe(0);
  });

  it('loads an empty map for a new image and round-trips a saved one', async () => {
    const img = await importBytes('a.png', await makeImage(3, 2, 'png', 1));
    const road = await ok('classes.add', { name: 'Road' });
    const empty = await ok('labels.load', { imageId: img.id });
    expect(empty).toMatchObject({ width: 3, height: 2, revision: 0 });
    expect([...empty.classes]).toEqual([255, 255, 255, 255, 255, 255]);

    const classes = Uint8Array.from([road.value, road.value, 255, 255, 255, road.value]);
    const provenance = Uint8Array.from([1, 2, 0, 0, 0, 4]);
    expect(await ok('labels.save', { imageId: img.id, classes, provenance, baseRevision: 0 })).toEqual({
      revision: 1,
      labeledFraction: 3 / 6,
    });
    const back = await ok('labels.load', { imageId: img.id });
    expect([...back.classes]).toEqual([...classes]);
    expect([...back.provenance]).toEqual([...provenance]);
    expect((await ok('images.list'))[0].labeledFraction).toBeCloseTo(0.5, 12);
  });

  it('refuses inconsistent saves and keeps what was saved', async () => {
    const img = await importBytes('a.png', await makeImage(2, 2, 'png', 1));
    const road = await ok('classes.add', { name: 'Road' });
    const good = {
      imageId: img.id,
      classes: Uint8Array.from([road.value, 255, 255, 255]),
      provenance: Uint8Array.from([1, 0, 0, 0]),
    };
    await ok('labels.save', good);

    const cases: [unknown, string, RegExp][] = [
      [{ ...good, classes: new Uint8Array(3) }, 'INVALID_INPUT', /4 bytes/],
      [{ ...good, classes: Uint8Array.from([7, 255, 255, 255]) }, 'INVALID_INPUT', /not a class/],
      [{ ...good, provenance: Uint8Array.from([0, 0, 0, 0]) }, 'INVALID_INPUT', /provenance 0/],
      [{ ...good, provenance: Uint8Array.from([9, 0, 0, 0]) }, 'INVALID_INPUT', /provenance 9/],
      [{ ...good, baseRevision: 0 }, 'CONFLICT', /changed elsewhere/],
      [{ ...good, classes: [0, 255, 255, 255] }, 'INVALID_INPUT', /bytes/],
      [{ ...good, imageId: 99 }, 'NOT_FOUND', /No image/],
    ];
    for (const [payload, code, message] of cases) {
      const err = await fails('labels.save', payload);
      expect(err.code).toBe(code);
      expect(err.message).toMatch(message);
    }
    const back = await ok('labels.load', { imageId: img.id });
    expect(back.revision).toBe(1);
    expect([...back.classes]).toEqual([road.value, 255, 255, 255]);
  });
});
