/**
 * SIGKILL at random moments of every writing command (propagate, import, import --masks, train,
 * predict --accept, export). After each kill the next command opens the project cleanly, the file passes
 * SQLite's integrity check, no painted pixel changed, no run is left "running", and the export folder holds
 * only whole files once the next export has run.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode } from 'fast-png';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Provenance } from '../../core/labelmap/types';
import { listImages } from '../../db/images';
import { loadLabelMap, saveLabelMap } from '../../db/labelmaps';
import { integrityCheck } from '../../db/open';
import { listRuns } from '../../db/runs';
import { Project } from '../../services/project';
import { maskPng, tempDir } from '../helpers/fixtures';
import { makeProject } from '../helpers/training';
import { cli, cliWithin, root, Tally } from './helpers';

/** Painted pixels of every image: image id -> [index, class] pairs. */
function painted(path: string): Map<number, [number, number][]> {
  const p = Project.open(path);
  try {
    const out = new Map<number, [number, number][]>();
    for (const img of listImages(p.db)) {
      const m = loadLabelMap(p.db, img.id);
      if (!m) continue;
      const list: [number, number][] = [];
      for (let i = 0; i < m.classes.length; i++)
        if (m.provenance[i] === Provenance.Painted) list.push([i, m.classes[i]!]);
      out.set(img.id, list);
    }
    return out;
  } finally {
    p.close();
  }
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

describe('SIGKILL at random points of every writing command', () => {
  const t = tempDir();
  const tally = new Tally('SIGKILL');
  let project: string;
  let images: string;
  let masks: string;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), 'node'], { cwd: root });
    // The training project (3 labeled 32x32 images), one checkpoint, and painted seeds on image 1.
    project = await makeProject(t.dir, 'kill.maskwright');
    const r = await cli(['train', project, '--epochs', '1', '--size', '32x32', '--backend', 'cpu', '--width-base', '4'])
      .done;
    expect(r.code, r.stderr).toBe(0);
    const p = Project.open(project);
    const classes = new Uint8Array(32 * 32).fill(255);
    const provenance = new Uint8Array(32 * 32);
    for (let i = 0; i < 32 * 32; i += 7) {
      classes[i] = i % 2;
      provenance[i] = Provenance.Painted;
    }
    saveLabelMap(p.db, 1, { width: 32, height: 32, classes, provenance });
    p.close();
    // Files to import: noise images (slow to hash and thumbnail) and masks for them.
    images = join(t.dir, 'imgs');
    masks = join(t.dir, 'masks');
    execFileSync('mkdir', ['-p', images, masks]);
    for (let k = 0; k < 6; k++) {
      writeFileSync(
        join(images, `n${k}.png`),
        await sharp(randomBytes(32 * 32 * 3), { raw: { width: 32, height: 32, channels: 3 } })
          .png()
          .toBuffer(),
      );
      writeFileSync(
        join(masks, `img${k % 3}.png`),
        maskPng(
          32,
          32,
          new Uint8Array(32 * 32).map((_, i) => i % 2),
        ),
      );
    }
  }, 120_000);
  afterAll(() => {
    tally.print();
    t.cleanup();
  });

  const commands: [string, () => string[]][] = [
    ['propagate', () => ['propagate', project]],
    ['import', () => ['import', project, images]],
    ['import --masks', () => ['import', project, '--masks', masks]],
    ['train', () => ['train', project, '--epochs', '3', '--size', '32x32', '--backend', 'cpu', '--width-base', '4']],
    ['predict --accept', () => ['predict', project, '--all', '--accept', '--backend', 'cpu']],
    ['export dataset', () => ['export', project, '--what', 'dataset', '--out', join(t.dir, 'ds'), '--overwrite']],
  ];

  it.each(commands)('%s', async (_name, args) => {
    const before = painted(project);
    // Three kill points per command, spread over its run (0.3 s to 6 s after start).
    for (const delay of [300 + Math.random() * 700, 1000 + Math.random() * 2000, 3000 + Math.random() * 3000]) {
      const run = cli(args(), { detached: true });
      const timer = setTimeout(() => {
        try {
          process.kill(-run.child.pid!, 'SIGKILL');
        } catch {
          // it ended before the kill
        }
      }, delay);
      await run.done;
      clearTimeout(timer);
      await new Promise((r) => setTimeout(r, 200));
      // The next command opens it cleanly.
      const info = await cliWithin(['info', project], 30_000);
      tally.record(info);
      expect(info.code, info.stderr).toBe(0);
      const p = Project.open(project);
      try {
        expect(integrityCheck(p.db)).toEqual(['ok']);
        expect(listRuns(p.db).filter((r) => r.status === 'running' || r.status === 'queued')).toEqual([]);
      } finally {
        p.close();
      }
      const after = painted(project);
      let lost = 0;
      for (const [id, list] of before) {
        const now = new Map(after.get(id) ?? []);
        for (const [i, c] of list) if (now.get(i) !== c) lost++;
      }
      tally.labelsLost += lost;
      expect(lost).toBe(0);
    }
  });

  it('the next export leaves only whole files (a killed one leaves hidden temporary files at most)', async () => {
    const r = await cliWithin(
      ['export', project, '--what', 'dataset', '--out', join(t.dir, 'ds'), '--overwrite'],
      60_000,
    );
    tally.record(r);
    expect(r.code, r.stderr).toBe(0);
    for (const f of files(join(t.dir, 'ds'))) {
      expect(f).not.toMatch(/\.tmp$/);
      expect(statSync(f).size).toBeGreaterThan(0);
      if (f.endsWith('.png')) decode(readFileSync(f));
    }
  });
});
