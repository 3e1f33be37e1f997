/**
 * Another program holding the project open (a database browser): a held write lock makes training wait
 * and say so, then go on; an open read transaction does not slow it at all.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEpochs, listRuns } from '../../db/runs';
import { Project } from '../../services/project';
import { tempDir } from '../helpers/fixtures';
import { makeProject } from '../helpers/training';
import { bundle, cli, hasStackTrace, root, start } from './helpers';

describe('training while another program holds the project', () => {
  const t = tempDir();
  let holder: string;
  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), 'node'], { cwd: root });
    holder = await bundle(join(__dirname, 'lock-holder.ts'), t.dir);
  });
  afterAll(() => t.cleanup());

  /** Trains 2 tiny epochs; once the run has started, `lock` starts the holder. */
  async function trainWhile(path: string, mode: 'read' | 'write', holdMs: number) {
    let held: Promise<unknown> | null = null;
    const r = await cli(
      ['train', path, '--epochs', '2', '--size', '32x32', '--backend', 'cpu', '--width-base', '4', '--depth', '2'],
      {
        onLine: (line) => {
          if (!held && /^Run \d+: backend/.test(line)) held = start(holder, [path, mode, String(holdMs)]).done;
        },
      },
    ).done;
    await held;
    const p = Project.open(path);
    try {
      const run = listRuns(p.db).at(-1)!;
      return { ...r, run, epochs: listEpochs(p.db, run.id).length };
    } finally {
      p.close();
    }
  }

  it('a held write lock: the run waits, says so, retries, and completes with every epoch', async () => {
    const path = await makeProject(t.dir, 'write.maskwright');
    const r = await trainWhile(path, 'write', 25_000);
    expect(r.code, r.stderr).toBe(0);
    expect(hasStackTrace(r.stdout + r.stderr)).toBe(false);
    expect(r.stdout).toMatch(/Saving epoch 1: The project file is locked by another program; waited \d+ s so far/);
    expect(r.stdout).toMatch(/Epoch 1 saved/);
    expect(r.run.status).toBe('completed');
    expect(r.epochs).toBe(2);
  });

  it('a write lock held when training starts: the command waits, says so, and trains once it is released', async () => {
    const path = await makeProject(t.dir, 'start.maskwright');
    let held!: () => void;
    const holding = new Promise<void>((r) => (held = r));
    const lock = start(holder, [path, 'write', '14000'], { onLine: (l) => l === 'held' && held() });
    await holding;
    const r = await cli([
      'train',
      path,
      '--epochs',
      '1',
      '--size',
      '32x32',
      '--backend',
      'cpu',
      '--width-base',
      '4',
      '--depth',
      '2',
    ]).done;
    await lock.done;
    expect(hasStackTrace(r.stdout + r.stderr)).toBe(false);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/The project file is locked by another program; waited \d+ s so far, still retrying/);
    expect(r.stdout).toMatch(/^epoch 1:/m);
    const p = Project.open(path);
    try {
      expect(listRuns(p.db).map((run) => run.status)).toEqual(['completed']);
    } finally {
      p.close();
    }
  });

  it('an open read transaction: the run neither waits nor warns', async () => {
    const path = await makeProject(t.dir, 'read.maskwright');
    const r = await trainWhile(path, 'read', 10_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/locked/);
    expect(r.run.status).toBe('completed');
    expect(r.epochs).toBe(2);
  });
});
