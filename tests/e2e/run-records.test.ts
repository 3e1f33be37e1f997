/**
 * A run whose process died (the app or the CLI was killed) shows as interrupted in the run history when
 * the project is opened again, and its checkpoint can be chosen.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createRun, recordEpoch, startRun } from '../../db/runs';
import { Project } from '../../services/project';
import { checkpointMeta } from '../helpers/checkpoint';
import { makeProject } from '../helpers/training';
import { useHarness } from './harness';
import { expectProject, header } from './ui';

const harness = useHarness();

describe('run records in the app', () => {
  it('shows a run left running by a killed process as interrupted, with a usable checkpoint', async () => {
    const h = harness();
    const { page, dialogs } = h;
    const path = await makeProject(h.tmp, 'killed.maskwright');
    // A run as a killed training process leaves it: running, two epochs and their checkpoints, a dead pid.
    const p = Project.open(path);
    const runId = createRun(p.db, { epochs: 30, width: 32, height: 32 });
    startRun(p.db, runId, 'cpu: @tensorflow/tfjs-backend-cpu (JavaScript)');
    const checkpoint = { modelTopology: {}, weights: new Uint8Array([1]), metadata: checkpointMeta };
    const [checkpointId] = [0, 1].map((e) =>
      recordEpoch(p.db, { runId, epoch: e, trainLoss: 0.5, valLoss: 0.6, metrics: { meanIoU: 0.5 } }, checkpoint)!,
    );
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    p.db.prepare('UPDATE training_runs SET pid = ? WHERE id = ?').run(Number(dead.stdout), runId);
    p.close();

    dialogs.openProjectPath = path;
    await h.open();
    await page.getByRole('button', { name: 'Open project…' }).click();
    await expectProject(page, 'killed');
    await header(page).getByRole('button', { name: 'Train', exact: true }).click();
    const history = page.getByRole('region', { name: 'Run history' });
    const run = history.getByRole('button', { name: `Run ${runId}` });
    await run.getByText('interrupted').waitFor();
    if ((await run.getAttribute('aria-pressed')) !== 'true') await run.click();
    await history
      .getByText(/Interrupted: the training process ended without finishing.*2 checkpoint\(s\) are usable/)
      .waitFor();
    const row = history.getByRole('table', { name: 'Checkpoints' }).getByRole('row', { name: 'Epoch 1' });
    await row.getByRole('button', { name: 'Use this checkpoint' }).click();
    await row.getByText('In use', { exact: true }).waitFor();
    expect(await h.call('model.active')).toMatchObject({ checkpointId, chosen: true });
    for (const [w, hgt] of [
      [1024, 700],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width: w, height: hgt });
      await h.screenshot(`run-interrupted-${w}x${hgt}`);
    }
  });
});
