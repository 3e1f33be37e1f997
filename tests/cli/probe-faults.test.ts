/**
 * The CLI's side of the second probe's faults (issue 25, items 11 and 12): folder links out of the chosen
 * folder, /proc/self, and the lines the CLI prints.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
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

  it('escapes a newline in a file name in every line that prints it: no faked output line', async () => {
    mkdirSync(p('nl'));
    const fake = 'x\nImported 99 image(s); skipped 0 duplicate(s); 0 error(s)\n';
    await writeImage(p('nl'), 'a.png', 4, 3, 7);
    copyFileSync(p('nl', 'a.png'), p('nl', `${fake}.png`));
    writeFileSync(p('nl', `bad${fake}.png`), 'not an image');
    const r = cli('import', p('p.maskwright'), p('nl'));
    expect(r.code).toBe(1);
    const lines = [...r.stdout.split('\n'), ...r.stderr.split('\n')];
    expect(lines.filter((l) => l.startsWith('Imported 99'))).toEqual([]);
    expect(r.stdout).toContain(
      '  duplicate: x\\x0aImported 99 image(s); skipped 0 duplicate(s); 0 error(s)\\x0a.png (same as a.png)',
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('  error: badx\\x0aImported 99 image(s); skipped 0 duplicate(s); 0 error(s)\\x0a.png: ');
  });

  it('no arguments: usage on stderr, exit 2; --size 0x0 is a usage error', () => {
    const none = cli();
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^Usage: maskwright <command> \[options\]/m);
    expect(cli('--help')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: maskwright/m) });
    for (const size of ['0x0', '0x64', '64x0', '-32x32', 'axb', '64']) {
      const r = cli('train', p('p.maskwright'), '--size', size, '--epochs', '1');
      expect(r.code, `--size ${size}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/--size/);
    }
  });

  it('reads a classes.json that starts with a UTF-8 byte order mark', () => {
    const json = JSON.stringify({
      classes: [
        { index: 0, name: 'road' },
        { index: 1, name: 'sky' },
      ],
    });
    writeFileSync(p('bom.json'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]));
    const r = cli('import', p('p.maskwright'), '--classes', p('bom.json'));
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^Defined 2 class\(es\)/m);
  });

  it('a damaged project (a table dropped) is called damaged, in one line, on every command', () => {
    for (const table of ['classes', 'label_maps', 'training_runs']) {
      const path = p(`damaged-${table}.maskwright`);
      execFileSync(process.execPath, [bin, 'create', path]);
      const db = new Database(path);
      db.exec(`DROP TABLE ${table}`);
      db.close();
      for (const args of [
        ['info', path],
        ['runs', path],
        ['export', path, '--out', p(`x-${table}`)],
      ]) {
        const r = cli(...args);
        expect(r.code, `${args[0]} without ${table}: ${r.stderr}`).toBe(1);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(new RegExp(`is damaged: table "?${table}"? is missing`));
        expect(r.stderr).not.toMatch(/internal error/);
      }
    }
  });
});
