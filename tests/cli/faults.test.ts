/**
 * The CLI against hostile input: every command with bad paths (FIFO, /dev/zero, /proc, folders, link
 * loops, missing folders, non-projects) and a full disk (a file-size limit). Each case must end in time
 * with the expected exit code and exactly one line on stderr, never a stack frame.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClass } from '../../db/classes';
import { Project } from '../../services/project';
import { maskPng, tempDir, writeImage } from '../helpers/fixtures';

const root = join(__dirname, '..', '..');
const bin = join(root, 'bin', 'maskwright.cjs');
const TIMEOUT_MS = 20_000;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  hung: boolean;
}

/** Runs the CLI, optionally under a file-size limit in KiB (SIGXFSZ ignored, so writes fail with EFBIG). */
function run(args: string[], fsizeKiB?: number): Promise<Outcome> {
  const cmd =
    fsizeKiB !== undefined
      ? spawn('bash', ['-c', `trap '' XFSZ; ulimit -f ${fsizeKiB}; exec "$0" "$@"`, process.execPath, bin, ...args])
      : spawn(process.execPath, [bin, ...args]);
  let stdout = '';
  let stderr = '';
  cmd.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  cmd.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      cmd.kill('SIGKILL');
      resolve({ code: null, stdout, stderr, hung: true });
    }, TIMEOUT_MS);
    cmd.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, hung: false });
    });
  });
}

describe('CLI fault suite: hostile paths', () => {
  const t = tempDir('mw-faults-');
  const p = (...s: string[]) => join(t.dir, ...s);
  const cases: { args: string[]; code: number; fsize?: number }[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), 'node'], { cwd: root });
    execFileSync(process.execPath, [bin, 'create', p('p.maskwright')]);
    mkdirSync(p('imgs'));
    await writeImage(p('imgs'), 'a.png', 8, 6, 1);
    // Noise does not compress: about 360 KB as PNG, over a 64 KiB file-size limit.
    const noise = Buffer.alloc(400 * 300 * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    await sharp(noise, { raw: { width: 400, height: 300, channels: 3 } })
      .png()
      .toFile(p('big.png'));
    mkdirSync(p('masks'));
    writeFileSync(p('masks', 'a.png'), maskPng(8, 6, new Uint8Array(48).fill(1)));
    const setup = [bin, 'import', p('p.maskwright'), p('imgs'), '--masks', p('masks')];
    try {
      execFileSync(process.execPath, [...setup, '--create-classes'], { stdio: 'ignore' });
    } catch {
      execFileSync(process.execPath, setup, { stdio: 'ignore' }); // a version without the flag
    }
    execFileSync('mkfifo', [p('fifo.png')]);
    execFileSync('mkfifo', [p('fifo.maskwright')]);
    execFileSync('mkfifo', [p('fifo.json')]);
    symlinkSync(p('loop-b.png'), p('loop-a.png'));
    symlinkSync(p('loop-a.png'), p('loop-b.png'));
    symlinkSync(p('loop-b.maskwright'), p('loop-a.maskwright'));
    symlinkSync(p('loop-a.maskwright'), p('loop-b.maskwright'));
    writeFileSync(p('notes.maskwright'), 'not a database at all');
    writeFileSync(p('bad.json'), '{"classes": [');
    writeFileSync(p('afile'), 'x');
    mkdirSync(p('fifodir'));
    execFileSync('mkfifo', [p('fifodir', 'm.png')]);

    const P = p('p.maskwright');
    const img = p('imgs', 'a.png');
    const scr = p('masks', 'a.png');
    const badProjects = [
      p('missing.maskwright'),
      p('fifo.maskwright'),
      '/dev/zero',
      p('imgs'),
      p('notes.maskwright'),
      p('loop-a.maskwright'),
      '/proc/self/status',
    ];
    for (const bad of badProjects) {
      cases.push({ args: ['info', bad], code: 1 });
      cases.push({ args: ['import', bad, img], code: 1 });
      cases.push({ args: ['export', bad, '--out', p('out-x')], code: 1 });
      cases.push({ args: ['train', bad, '--epochs', '1'], code: 1 });
      cases.push({ args: ['predict', bad, '--all'], code: 1 });
      cases.push({ args: ['propagate', bad], code: 1 });
    }
    for (const bad of ['/dev/zero', p('fifo.png'), p('loop-a.png'), p('missing.png'), p('fifodir')])
      cases.push({ args: ['import', P, bad], code: 1 });
    for (const bad of ['/dev/zero', p('fifo.json'), p('loop-a.png'), p('missing.json'), p('bad.json'), p('imgs')])
      cases.push({ args: ['import', P, '--classes', bad], code: 1 });
    cases.push(
      { args: ['create', p('nowhere', 'x.maskwright')], code: 1 },
      { args: ['create', p('afile', 'x.maskwright')], code: 1 },
      { args: ['create', '/proc/1/x.maskwright'], code: 1 },
      { args: ['create', P], code: 1 },
      { args: ['create', p('fifo.maskwright')], code: 1 },
      { args: ['create', p('x.txt')], code: 1 },
      { args: ['export', P, '--out', '/proc/1/x'], code: 1 },
      { args: ['export', P, '--out', p('afile', 'sub')], code: 1 },
      { args: ['export', P, '--out', '/dev/zero'], code: 1 },
      { args: ['export', P, '--what', 'model', '--out', p('model-out')], code: 1 },
      { args: ['predict', P, '--all'], code: 1 },
      { args: ['train', P, '--epochs', '1', '--resume', '99'], code: 1 },
      { args: ['train', P, '--epochs', '1', '--stem', '3'], code: 2 },
      { args: ['propagate', '--image', '/dev/zero', '--scribbles', scr, '--out', p('o.png')], code: 1 },
      { args: ['propagate', '--image', p('fifo.png'), '--scribbles', scr, '--out', p('o.png')], code: 1 },
      { args: ['propagate', '--image', img, '--scribbles', p('loop-a.png'), '--out', p('o.png')], code: 1 },
      { args: ['propagate', '--image', img, '--scribbles', scr, '--out', p('missing', 'dir', 'o.png')], code: 1 },
      { args: ['propagate', '--image', img, '--scribbles', scr, '--out', '/proc/1/o.png'], code: 1 },
      { args: ['eval', '--pred', p('missing'), '--gt', p('masks')], code: 1 },
      { args: ['eval', '--pred', '/dev/zero', '--gt', p('masks')], code: 1 },
      { args: ['eval', '--pred', p('fifodir'), '--gt', p('fifodir')], code: 1 },
      { args: ['weights', '--masks', p('fifodir')], code: 1 },
      { args: ['weights', '--masks', '/dev/zero'], code: 1 },
      // A full disk: a file-size limit stops every write part-way.
      { args: ['create', p('full.maskwright')], code: 1, fsize: 8 },
      { args: ['import', P, p('big.png')], code: 1, fsize: 64 },
      { args: ['export', P, '--out', p('full-export')], code: 1, fsize: 0 },
      { args: ['propagate', '--image', img, '--scribbles', scr, '--out', p('full.png')], code: 1, fsize: 0 },
    );
  }, 120_000);
  afterAll(() => t.cleanup());

  it('ends every case in time with the expected exit code and one stderr line, never a stack trace', async () => {
    const failures: string[] = [];
    let stacks = 0;
    let hangs = 0;
    for (const c of cases) {
      const r = await run(c.args, c.fsize);
      const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
      const stack = /\n\s+at /.test(r.stderr);
      if (stack) stacks++;
      if (r.hung) hangs++;
      if (r.hung || stack || r.code !== c.code || lines.length !== 1) {
        const label = `${c.fsize !== undefined ? `[ulimit -f ${c.fsize}] ` : ''}${c.args.join(' ').replaceAll(t.dir, '')}`;
        failures.push(
          `${label}: ${r.hung ? 'HUNG' : `exit ${r.code}`}, ${lines.length} stderr line(s): ${r.stderr.slice(0, 300)}`,
        );
      }
    }
    console.log(
      `CLI fault suite: ${cases.length} cases, ${cases.length - failures.length} clear errors, ${stacks} stack traces, ${hangs} hangs`,
    );
    expect(failures).toEqual([]);
  }, 600_000);

  it('shows terminal escape codes in names as text, never sends them to the terminal', async () => {
    const project = Project.open(p('p.maskwright'));
    // No path stores such a name any more (issue 25, item 9); a project from before may hold one.
    const { id } = addClass(project.db, 'red', '#ff0000');
    project.db.prepare('UPDATE classes SET name = ? WHERE id = ?').run('\u001b[2J\u001b[31mred\u0007', id);
    project.close();
    const r = await run(['info', p('p.maskwright')]);
    expect(r.code).toBe(0);
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(r.stdout).toContain('\\x1b[2J\\x1b[31mred\\x07');
    // JSON output escapes them as JSON does.
    const json = await run(['info', p('p.maskwright'), '--json']);
    expect(JSON.parse(json.stdout).classes.map((c: { name: string }) => c.name)).toContain(
      '\u001b[2J\u001b[31mred\u0007',
    );
  });
});
