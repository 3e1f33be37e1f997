import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLabelMap } from '../../db/labelmaps';
import { integrityCheck } from '../../db/open';
import { Project } from '../../services/project';
import { tempDir, writeImage } from '../helpers/fixtures';

/** Runs the writer until it has reported `minWrites` lines, then SIGKILLs it; returns what it reported. */
function runAndKill(script: string, args: string[], minWrites: number, extraDelayMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // The bundle sits in a temp folder: let it find the project's native packages.
      env: { ...process.env, NODE_PATH: join(__dirname, '..', '..', 'node_modules') },
    });
    let out = '';
    let err = '';
    let killing = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!killing && out.split('\n').length > minWrites) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), extraDelayMs);
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code}: ${err}`));
      // Only complete lines count as reported writes.
      else resolve(out.split('\n').slice(0, -1));
    });
  });
}

describe('a process killed during import or save', () => {
  const t = tempDir();
  let script: string;
  let image: string;
  beforeAll(async () => {
    script = join(t.dir, 'writer.cjs');
    await build({
      entryPoints: [join(__dirname, 'crash-writer.ts')],
      outfile: script,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      packages: 'external',
      logLevel: 'error',
    });
    image = await writeImage(t.dir, 'base.png', 320, 240, 3);
  });
  afterAll(() => t.cleanup());

  // Several kill points: right after a reported write, and a little later (mid-import or mid-save).
  it.each([
    [3, 0],
    [6, 7],
    [10, 23],
  ])('leaves a sound project with every reported write (after %i writes, +%i ms)', async (minWrites, delay) => {
    const path = join(t.dir, `crash-${minWrites}.maskwright`);
    Project.create(path).close();
    const lines = await runAndKill(script, [path, image], minWrites, delay);
    expect(lines.length).toBeGreaterThanOrEqual(minWrites);

    const project = Project.open(path);
    try {
      expect(integrityCheck(project.db)).toEqual(['ok']);
      const stroked = new Set(lines.filter((l) => l.startsWith('stroke ')).map((l) => l.split(' ')[2]));
      for (const line of lines) {
        const [kind, i, id] = line.split(' ');
        const row = project.db.prepare('SELECT name FROM images WHERE id = ?').get(Number(id)) as
          { name: string } | undefined;
        expect(row?.name).toBe(`img${i}.png`);
        if (kind === 'labels') {
          const map = loadLabelMap(project.db, Number(id))!;
          expect(map.classes[0]).toBe(Number(i) % 200);
          // the stroke over the bottom right corner, when reported, is there (unreported: there or not)
          const last = map.classes[map.classes.length - 1];
          if (stroked.has(id)) expect(last).toBe((Number(i) + 1) % 200);
          else expect([Number(i) % 200, (Number(i) + 1) % 200]).toContain(last);
        }
      }
    } finally {
      project.close();
    }
  });
});
