/**
 * A full disk during training (issue 25, item 10), simulated by a file-size limit (`ulimit -f`, SIGXFSZ
 * ignored: every write past it fails with EFBIG, as on a full disk): whatever the moment the limit is
 * reached, the command says one true line (what was saved), exits 1, and never prints a stack.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrityCheck } from '../../db/open';
import { getRun, listCheckpoints, listRuns } from '../../db/runs';
import { Project } from '../../services/project';
import { tempDir } from '../helpers/fixtures';
import { buildTrainingWorker, makeProject } from '../helpers/training';
import { bin, hasStackTrace } from './helpers';

const TRAIN = ['--size', '32x32', '--backend', 'cpu', '--width-base', '4', '--depth', '2', '--epochs', '8'];

/** `maskwright train` under a file-size limit in KiB. */
function trainLimited(path: string, kib: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('bash', [
    '-c',
    `trap '' XFSZ; ulimit -f ${kib}; exec "$0" "$@"`,
    process.execPath,
    bin,
    'train',
    path,
    ...TRAIN,
  ]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('training on a full disk', () => {
  const t = tempDir('mw-disk-full-');
  let original = '';
  beforeAll(async () => {
    buildTrainingWorker();
    original = await makeProject(t.dir, 'p.maskwright');
  }, 120_000);
  afterAll(() => t.cleanup());

  // From a limit hit before the first checkpoint to one hit while closing after the last epoch.
  it.each([100, 150, 250, 400, 520, 560, 600])(
    'at %i KiB: one true line, exit 1, what was saved said',
    async (kib) => {
      const path = join(t.dir, `p${kib}.maskwright`);
      copyFileSync(original, path);
      const r = await trainLimited(path, kib);
      expect(hasStackTrace(r.stdout + r.stderr), r.stderr).toBe(false);
      const p = Project.open(path);
      try {
        expect(integrityCheck(p.db)).toEqual(['ok']);
        const run = getRun(p.db, listRuns(p.db).at(-1)!.id);
        const saved = listCheckpoints(p.db, run.id);
        if (r.code === 0) {
          // The limit was never reached while it mattered: a completed run, all 8 epochs saved.
          expect(r.stderr).toBe('');
          expect(run.status).toBe('completed');
          expect(r.stdout).toMatch(/Run 1 completed/);
          return;
        }
        expect(r.code).toBe(1);
        const lines = r.stderr.split('\n').filter((l) => l.trim());
        expect(lines, r.stderr).toHaveLength(1);
        expect(r.stdout).not.toMatch(/completed/);
        const epochs = r.stdout.split('\n').filter((l) => /^epoch \d+:/.test(l)).length;
        expect(lines[0]).toMatch(/disk is full or the file-size limit is reached/);
        if (epochs === 0) expect(lines[0]).toMatch(/no epoch of this run was saved/);
        else {
          const last = saved.at(-1)!;
          expect(lines[0]).toContain(
            `${epochs} epoch(s) of this run were saved, the last as checkpoint ${last.id} (epoch ${last.epoch + 1})`,
          );
          expect(last.epoch + 1).toBe(epochs);
        }
      } finally {
        p.close();
      }
    },
    120_000,
  );

  // A real full disk (ENOSPC, SQLITE_FULL): a small tmpfs, which needs root to mount.
  it.skipIf(process.getuid?.() !== 0)(
    'on a full tmpfs (ENOSPC): one true line, exit 1',
    async () => {
      const mnt = join(t.dir, 'tmpfs');
      mkdirSync(mnt);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=400k', 'tmpfs', mnt]);
      try {
        const path = join(mnt, 'p.maskwright');
        copyFileSync(original, path);
        const child = spawn(process.execPath, [bin, 'train', path, ...TRAIN]);
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
        expect(hasStackTrace(stdout + stderr), stderr).toBe(false);
        expect(code, stderr).toBe(1);
        const lines = stderr.split('\n').filter((l) => l.trim());
        expect(lines, stderr).toHaveLength(1);
        expect(lines[0]).toMatch(/the disk is full|could not be written/);
        const epochs = stdout.split('\n').filter((l) => /^epoch \d+:/.test(l)).length;
        expect(lines[0]).toContain(
          epochs ? `${epochs} epoch(s) of this run were saved` : 'no epoch of this run was saved',
        );
      } finally {
        execFileSync('umount', [mnt]);
      }
    },
    120_000,
  );
});
