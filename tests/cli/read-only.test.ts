/**
 * A project the user may not write: inspect it, view and export it; every change is refused with one line
 * that says why; nothing is created beside the file (a read-only -shm used to break it after chmod).
 * Runs the CLI without privileges (root ignores file permissions): when the tests run as root, as root
 * with every capability dropped (setpriv), so file modes bind it as they bind any user, while it can still
 * reach the checkout wherever that lives (`nobody` cannot enter a clone in a 0700 temporary folder).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeImage } from '../helpers/fixtures';

const root = join(__dirname, '..', '..');
const bin = join(root, 'bin', 'maskwright.cjs');
const isRoot = process.getuid?.() === 0;
const NO_CAPABILITIES = ['--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all'];

function cli(...args: string[]) {
  const cmd = isRoot
    ? spawnSync('setpriv', [...NO_CAPABILITIES, process.execPath, bin, ...args], { encoding: 'utf8' })
    : spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: cmd.status, stdout: cmd.stdout, stderr: cmd.stderr };
}

describe.skipIf(process.platform === 'win32')('read-only projects', () => {
  const t = tempDir('mw-ro-');
  const dir = join(t.dir, 'projects');
  const project = join(dir, 'ro.maskwright');
  let image: string;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), 'node'], { cwd: root });
    chmodSync(t.dir, 0o755);
    mkdirSync(dir);
    image = await writeImage(t.dir, 'a.png', 6, 4, 1);
    chmodSync(image, 0o644);
    expect(cli('create', project).code).toBe(0);
    const classes = join(t.dir, 'classes.json');
    writeFileSync(classes, JSON.stringify({ classes: [{ index: 0, name: 'Sky', color: [0, 0, 255] }] }));
    chmodSync(classes, 0o644);
    expect(cli('import', project, image, '--classes', classes).code).toBe(0);
    chmodSync(project, 0o444);
  }, 120_000);
  afterAll(() => t.cleanup());

  it('can be inspected and exported, says why editing is off, and refuses changes in one line', () => {
    const info = cli('info', project);
    expect(info.stderr).toBe('');
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/Images {4}1 /);
    expect(info.stdout).toMatch(/Read-only the file is not writable: viewing and export work, editing is off/);
    const json = JSON.parse(cli('info', project, '--json').stdout);
    expect(json.readOnly).toBe('the file is not writable');

    const out = join(t.dir, 'export');
    mkdirSync(out);
    const exported = cli('export', project, '--out', out, '--what', 'dataset');
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);

    for (const args of [
      ['import', project, image],
      ['train', project, '--epochs', '1'],
    ]) {
      const r = cli(...args);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/is read-only \(the file is not writable\): cannot /);
    }
    // Nothing was created beside the file: no -wal or -shm that would stay read-only.
    expect(readdirSync(dir)).toEqual(['ro.maskwright']);

    // Writable again, it works as before.
    chmodSync(project, 0o644);
    const again = cli('import', project, image);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/skipped 1 duplicate/);
  });

  it('a read-only folder: the file opens for viewing', () => {
    chmodSync(project, 0o644);
    chmodSync(dir, 0o555);
    try {
      const info = cli('info', project, '--json');
      expect(info.stderr).toBe('');
      expect(JSON.parse(info.stdout).readOnly).toBe('its folder is not writable');
    } finally {
      chmodSync(dir, 0o755);
    }
  });
});
