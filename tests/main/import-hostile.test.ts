/**
 * Import on hostile paths: devices, FIFOs, symlinks (to files, to folders, in loops, dangling), non-UTF-8
 * names, oversized files. Every case ends in an imported image or a per-file error, quickly; none hangs.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readClassFile } from '../../services/class-file';
import { expandPaths, fileSource, importImages } from '../../services/import-images';
import { importMasks } from '../../services/import-masks';
import { MAX_IMAGE_FILE_BYTES } from '../../services/fs-guard';
import { maskPng, writeImage } from '../helpers/fixtures';
import { tempProject } from '../helpers/project';

/** Fails a promise that has not settled within `ms` (a hang), instead of blocking the test run. */
const within = <T>(p: Promise<T>, ms = 5000): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`hung for ${ms} ms`)), ms))]);

describe('importing from hostile paths', () => {
  let t: ReturnType<typeof tempProject>;
  beforeEach(() => (t = tempProject()));
  afterEach(() => t.close());

  async function importPaths(paths: string[]) {
    const { files, errors } = await within(expandPaths(paths));
    const report = await within(importImages(t.project.db, files.map(fileSource)));
    return { ...report, errors: [...errors, ...report.errors] };
  }

  it('refuses /dev/zero and a FIFO named x.png without reading them', async () => {
    const fifo = join(t.dir, 'x.png');
    execFileSync('mkfifo', [fifo]);
    const r = await importPaths(['/dev/zero', fifo]);
    expect(r.imported).toHaveLength(0);
    expect(r.errors.map((e) => [e.name, e.code])).toEqual([
      ['zero', 'UNSUPPORTED'],
      ['x.png', 'UNSUPPORTED'],
    ]);
    expect(r.errors[0]!.message).toMatch(/device/);
    expect(r.errors[1]!.message).toMatch(/FIFO/);
  });

  it('a folder with a FIFO, a link loop and a dangling link still imports its images, with an error each', async () => {
    const dir = join(t.dir, 'imgs');
    mkdirSync(dir);
    await writeImage(dir, 'a.png', 4, 3, 1);
    execFileSync('mkfifo', [join(dir, 'b.png')]);
    symlinkSync('c.png', join(dir, 'd.png'));
    symlinkSync('d.png', join(dir, 'c.png'));
    symlinkSync('missing.png', join(dir, 'e.png'));
    const r = await importPaths([dir]);
    expect(r.imported.map((i) => i.name)).toEqual(['a.png']);
    expect(r.errors.map((e) => e.name).sort()).toEqual(['b.png', 'c.png', 'd.png', 'e.png']);
  });

  it('follows symlinks to images and to folders (once: a folder link loop ends)', async () => {
    const real = join(t.dir, 'real');
    const links = join(t.dir, 'links');
    mkdirSync(real);
    mkdirSync(links);
    await writeImage(real, 'a.png', 4, 3, 1);
    await writeImage(real, 'b.jpg', 4, 3, 2);
    symlinkSync(join(real, 'a.png'), join(links, 'one.png'));
    symlinkSync(join(real, 'b.jpg'), join(links, 'two.jpg'));
    symlinkSync(links, join(links, 'again')); // a loop through a folder link
    const r = await importPaths([links]);
    expect(r.imported.map((i) => i.name).sort()).toEqual(['one.png', 'two.jpg']);
    expect(r.errors).toEqual([]);
  });

  it('does not leave the chosen folder through a folder link unless asked (issue 25, item 11)', async () => {
    const outside = join(t.dir, 'outside');
    const chosen = join(t.dir, 'chosen');
    mkdirSync(join(outside, 'deep'), { recursive: true });
    mkdirSync(join(chosen, 'sub'), { recursive: true });
    await writeImage(outside, 'far.png', 4, 3, 1);
    await writeImage(join(outside, 'deep'), 'farther.png', 4, 3, 2);
    await writeImage(join(chosen, 'sub'), 'own.png', 4, 3, 3);
    symlinkSync('/', join(chosen, 'up')); // the probe's `ln -s / up`
    symlinkSync(outside, join(chosen, 'side'));
    symlinkSync(join(chosen, 'sub'), join(chosen, 'inside')); // stays in the tree: followed (once)
    symlinkSync(join(outside, 'far.png'), join(chosen, 'file-link.png')); // file links are followed
    const found = await within(expandPaths([chosen]));
    expect(found.files.map((f) => f.name).sort()).toEqual(['file-link.png', 'own.png']);
    expect(found.errors).toEqual([]);
    expect(found.notFollowed.sort()).toEqual([join(chosen, 'side'), join(chosen, 'up')]);
    // Asked to (`--follow-symlinks`): the link to `outside` is walked; a cycle still ends.
    symlinkSync(chosen, join(outside, 'back'));
    rmSync(join(chosen, 'up'));
    const followed = await within(expandPaths([chosen], { followLinks: true }));
    expect(followed.files.map((f) => f.name).sort()).toEqual(['far.png', 'farther.png', 'file-link.png', 'own.png']);
    expect(followed.notFollowed).toEqual([]);
  });

  it('ends on /proc/self, and a cancel stops the walk and the import (issue 25, item 11)', async () => {
    const proc = await within(expandPaths(['/proc/self']), 20_000);
    expect(proc.files).toEqual([]);
    const dir = join(t.dir, 'many');
    mkdirSync(dir);
    for (let i = 0; i < 6; i++) await writeImage(dir, `m${i}.png`, 4, 3, i);
    const abort = new AbortController();
    const seen: number[] = [];
    const walk = expandPaths([dir], { signal: abort.signal, onFound: (n) => seen.push(n) });
    const { files } = await within(walk);
    expect(seen.at(-1)).toBe(6);
    const progress: number[] = [];
    const done = importImages(
      t.project.db,
      files.map(fileSource),
      (n) => {
        progress.push(n);
        if (n === 2) abort.abort();
      },
      abort.signal,
    );
    await expect(within(done)).rejects.toMatchObject({
      code: 'CANCELLED',
      message: 'Import cancelled: 2 of 6 images imported (they stay in the project)',
    });
    expect(progress).toEqual([1, 2]);
    await expect(within(expandPaths([dir], { signal: abort.signal }))).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('imports a file whose name is not valid UTF-8', async () => {
    const dir = join(t.dir, 'latin1');
    mkdirSync(dir);
    const png = await writeImage(t.dir, 'src.png', 4, 3, 5);
    // "caf\xe9.png" in Latin-1: not decodable as UTF-8.
    const name = Buffer.concat([Buffer.from(`${dir}/caf`), Buffer.from([0xe9]), Buffer.from('.png')]);
    copyFileSync(png, name);
    expect(readdirSync(dir, { encoding: 'buffer' })[0]).toEqual(
      Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x70, 0x6e, 0x67]),
    );
    const r = await importPaths([dir]);
    expect(r.errors).toEqual([]);
    expect(r.imported).toHaveLength(1);
    expect(r.imported[0]!.name).toBe('caf\ufffd.png');
  });

  it('refuses a file over the size limit before reading it', async () => {
    const big = join(t.dir, 'huge.png');
    writeFileSync(big, '');
    truncateSync(big, MAX_IMAGE_FILE_BYTES + 1); // sparse: no disk used, reading it would take 1 GiB of memory
    const before = process.memoryUsage().rss;
    const r = await importPaths([big]);
    expect(r.errors.map((e) => e.code)).toEqual(['TOO_LARGE']);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('mask import refuses a FIFO and a device, and follows a symlinked mask', async () => {
    const dir = join(t.dir, 'imgs');
    mkdirSync(dir);
    await writeImage(dir, 'a.png', 2, 2, 1);
    await importPaths([join(dir, 'a.png')]);
    const masks = join(t.dir, 'masks');
    mkdirSync(masks);
    writeFileSync(join(t.dir, 'real-mask.png'), maskPng(2, 2, Uint8Array.from([0, 0, 1, 255])));
    symlinkSync(join(t.dir, 'real-mask.png'), join(masks, 'a.png'));
    execFileSync('mkfifo', [join(masks, 'b.png')]);
    const r = await within(importMasks(t.project.db, [masks, '/dev/zero'], { createClasses: true }));
    expect(r.applied.map((a) => a.maskName)).toEqual(['a.png']);
    expect(r.errors.map((e) => [e.name, e.code])).toEqual([['b.png', 'UNSUPPORTED']]);
    expect(r.unmatched).toEqual(['zero']);
    // Applied to a chosen image, the device is opened, and refused without reading.
    const imageId = r.applied[0]!.imageId;
    const z = await within(importMasks(t.project.db, ['/dev/zero'], { imageId, createClasses: true }));
    expect(z.errors.map((e) => [e.name, e.code])).toEqual([['zero', 'UNSUPPORTED']]);
  });

  it('class files: a device, a FIFO and an oversized file are refused without hanging', async () => {
    const fifo = join(t.dir, 'classes.json');
    execFileSync('mkfifo', [fifo]);
    const big = join(t.dir, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, 64 * 1024 * 1024);
    for (const p of ['/dev/zero', fifo, big]) {
      await expect(within(readClassFile(p))).rejects.toMatchObject({ name: 'AppError' });
    }
  });
});
