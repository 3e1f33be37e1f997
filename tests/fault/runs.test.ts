/**
 * Honest run records: a training command killed with SIGKILL, its parent killed alone, and Ctrl+C to the
 * terminal's process group. Whatever happens, the next command that opens the project sees the truth:
 * `interrupted` (checkpoints usable) or `stopped`, never "running" for ever.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRun, listCheckpoints, listRuns } from '../../db/runs';
import { Project } from '../../services/project';
import { tempDir } from '../helpers/fixtures';
import { makeProject } from '../helpers/training';
import { cli, cliWithin, hasStackTrace, root, Tally } from './helpers';

const TRAIN = ['--size', '32x32', '--backend', 'cpu', '--width-base', '4', '--depth', '2', '--epochs', '500'];

/** Starts `maskwright train` in its own process group; resolves once `epochs` epochs are reported. */
function trainUntil(path: string, epochs: number) {
  let seen = 0;
  let reached!: () => void;
  const ready = new Promise<void>((r) => (reached = r));
  const run = cli(['train', path, ...TRAIN], {
    detached: true,
    onLine: (line) => {
      if (/^epoch \d+:/.test(line) && ++seen === epochs) reached();
    },
  });
  return { ...run, ready };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The newest run as a fresh command sees it (opening the project marks dead runs). */
function lastRun(path: string) {
  const p = Project.open(path);
  try {
    const run = listRuns(p.db).at(-1)!;
    return { ...getRun(p.db, run.id), checkpoints: listCheckpoints(p.db, run.id) };
  } finally {
    p.close();
  }
}

describe('run records after kills and Ctrl+C (CLI)', () => {
  const t = tempDir();
  const tally = new Tally('run records');
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), 'node'], { cwd: root });
  });
  afterAll(() => {
    tally.print();
    t.cleanup();
  });

  it('SIGKILL of the whole command (CLI and training process): the next open marks it interrupted, its checkpoints work', async () => {
    const path = await makeProject(t.dir, 'killed.maskwright');
    const run = trainUntil(path, 1);
    await run.ready;
    process.kill(-run.child.pid!, 'SIGKILL');
    const r = await run.done;
    expect(r.signal).toBe('SIGKILL');
    await sleep(300); // the training process too
    const info = await cliWithin(['info', path], 30_000);
    tally.record(info);
    expect(info.code, info.stderr).toBe(0);
    const after = lastRun(path);
    expect(after.status).toBe('interrupted');
    expect(after.message).toMatch(/checkpoint\(s\) are usable/);
    expect(after.checkpoints.length).toBeGreaterThanOrEqual(1);
    const c = after.checkpoints[0]!.id;
    const exported = await cliWithin(
      ['export', path, '--what', 'model', '--checkpoint', String(c), '--out', join(t.dir, 'model')],
      60_000,
    );
    tally.record(exported);
    expect(exported.code, exported.stderr).toBe(0);
  });

  it('SIGKILL of the CLI alone: the training process notices, ends the run as interrupted and exits', async () => {
    const path = await makeProject(t.dir, 'orphan.maskwright');
    const run = trainUntil(path, 1);
    await run.ready;
    process.kill(run.child.pid!, 'SIGKILL');
    await run.done;
    await expect.poll(() => lastRun(path).status, { timeout: 60_000, interval: 500 }).toBe('interrupted');
    expect(lastRun(path).message).toMatch(/the app or command that started the run ended/);
  });

  it('Ctrl+C to the process group records the run as stopped', async () => {
    const path = await makeProject(t.dir, 'ctrl-c.maskwright');
    const run = trainUntil(path, 1);
    await run.ready;
    process.kill(-run.child.pid!, 'SIGINT');
    const r = await run.done;
    expect(hasStackTrace(r.stdout + r.stderr)).toBe(false);
    expect(r.stdout).toMatch(/Run \d+ stopped/);
    expect(r.code).toBe(0);
    const after = lastRun(path);
    expect(after.status).toBe('stopped');
    expect(after.checkpoints.length).toBeGreaterThanOrEqual(1);
  });
});
