/**
 * The CLI's side of the second probe's faults (issue 25, items 11 and 12): folder links out of the chosen
 * folder, /proc/self, and the lines the CLI prints.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeImage } from '../helpers/fixtures';

const root = join(__dirname, '..', '..');
const bin = join(root, 'bin', 'maskwright.cjs');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe('CLI faults of the second probe', () => {
  const t = tempDir('mw-probe-');
  const p = (...s: string[]) => join(t.dir, ...s);
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), 'node'], { cwd: root });
    execFileSync(process.execPath, [bin, 'create', p('p.maskwright')]);
  }, 120_000);
  afterAll(() => t.cleanup());

  it('import stays in the chosen folder unless --follow-symlinks, and ends on /proc/self', async () => {
    mkdirSync(p('outside'));
    mkdirSync(p('chosen'));
    await writeImage(p('outside'), 'far.png', 4, 3, 1);
    await writeImage(p('chosen'), 'own.png', 4, 3, 2);
    symlinkSync('/', p('chosen', 'up'));
    symlinkSync(p('outside'), p('chosen', 'side'));
    const r = cli('import', p('p.maskwright'), p('chosen'));
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^Imported 1 image\(s\); skipped 0 duplicate\(s\); 0 error\(s\)$/m);
    expect(r.stdout).toContain(
      `  not followed: ${p('chosen', 'side')}, ${p('chosen', 'up')} (folder links leading out of the folder; --follow-symlinks follows them)`,
    );
    rmSync(p('chosen', 'up'));
    const follow = cli('import', p('p.maskwright'), p('chosen'), '--follow-symlinks');
    expect(follow).toMatchObject({ code: 0, stderr: '' });
    expect(follow.stdout).toMatch(/^Imported 1 image\(s\); skipped 1 duplicate\(s\); 0 error\(s\)$/m);
    expect(follow.stdout).not.toMatch(/not followed/);

    const proc = cli('import', p('p.maskwright'), '/proc/self');
    expect(proc.signal).toBeNull(); // not killed by the timeout: it ended
    expect(proc.stdout).toMatch(/^Imported 0 image\(s\)/m);
  });
});
