/**
 * Which labels validate a run, said wherever it is not labels a person made (issue 25 item 6): before
 * Start (the project has only Fill unlabeled output on the image that would validate, or the user ticked
 * "Validate also on Fill unlabeled and predicted labels"), on the live run, and in the run's record.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRun, finishRun, startRun } from '../../db/runs';
import { photo } from './editor-ui';
import { useHarness } from './harness';
import { expectProject, header } from './ui';

const harness = useHarness();
const W = 40;
const H = 30;

describe('validation labels in the Train view', () => {
  it('says when validation measures propagated labels, before Start, live and in the history', async () => {
    const h = harness();
    const { page } = h;
    await h.call('project.create', { grant: h.grant(join(h.tmp, 'labels.maskwright'), 'project.create') });
    const files = await Promise.all(
      Array.from({ length: 4 }, async (_, i) => ({ name: `street-${i + 1}.png`, data: await photo(W, H, i) })),
    );
    const report = await h.call('images.importFiles', { files });
    const road = await h.call('classes.add', { name: 'road' });
    await h.call('classes.add', { name: 'sky' });
    // Three images painted; the fourth, in Validation, holds only Fill unlabeled's labels (propagated).
    for (const [k, img] of report.imported.entries()) {
      const classes = new Uint8Array(W * H).fill(road.value);
      const provenance = new Uint8Array(W * H).fill(k === 3 ? 2 : 1);
      await h.call('labels.save', { imageId: img.id, classes, provenance });
    }
    await h.call('images.setSplit', { ids: [report.imported[3]!.id], split: 'val' });

    await page.setViewportSize({ width: 1024, height: 700 });
    await h.open();
    await expectProject(page, 'labels');
    await header(page).getByRole('button', { name: 'Train', exact: true }).click();
    const view = page.getByRole('region', { name: 'Training' });
    await view.getByTestId('train-plan').getByText('3 training, 1 validation image').waitFor();
    await view
      .getByTestId('train-plan-note')
      .getByText(/No validation image has labels a person made/)
      .waitFor();
    await h.screenshot('validation-fallback-1024x700');

    // The image reviewed: its labels were checked by a person, so they validate, and the note goes.
    await h.call('images.setStatus', { ids: [report.imported[3]!.id], status: 'reviewed' });
    await view.getByRole('button', { name: '← Images' }).click();
    await header(page).getByRole('button', { name: 'Train', exact: true }).click();
    await view.getByTestId('train-plan').getByText('3 training, 1 validation image').waitFor();
    await expect.poll(() => view.getByTestId('train-plan-note').count()).toBe(0);
    // Chosen in the advanced settings: every trained label validates, and the view says so.
    await view.getByRole('button', { name: 'Advanced' }).click();
    await view.getByLabel('Validate also on Fill unlabeled and predicted labels').check();
    await view
      .getByTestId('train-plan-note')
      .getByText(/as chosen/)
      .waitFor();
    expect(await view.getByTestId('train-summary').textContent()).toContain('validated on every trained label');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await h.screenshot('validation-chosen-1920x1080');

    // The live run says it, from the training process's report.
    const note =
      'Validated on every label it trains on, Fill unlabeled and accepted predictions included (as chosen): the mIoU also measures propagated labels.';
    h.emit('train.message', {
      type: 'started',
      runId: 5,
      backend: 'cpu: JavaScript',
      skipped: [],
      train: 3,
      val: 1,
      heldOut: 0,
      validation: { labels: 'trained', basis: 'chosen', note },
      classWeights: [1, 1],
      size: [32, 32],
    });
    const card = page.getByRole('region', { name: 'Training progress' });
    await card.getByTestId('run-validation').getByText(note).waitFor();
    await page.setViewportSize({ width: 1024, height: 700 });
    await h.screenshot('validation-live-1024x700');

    // The run's record (what the training process stores with its settings) says it in the history.
    const db = h.session.require().db;
    const runId = createRun(db, { epochs: 1 });
    startRun(db, runId, 'cpu: JavaScript', { epochs: 1, validation: { labels: 'trained', basis: 'chosen', note } });
    finishRun(db, runId, 'completed', '1 epoch(s) done');
    h.emit('train.message', { type: 'done', runId, status: 'completed', message: '1 epoch(s) done' });
    const history = page.getByRole('region', { name: 'Run history' });
    const run = history.getByRole('button', { name: `Run ${runId}` });
    await run.waitFor();
    if ((await run.getAttribute('aria-pressed')) !== 'true') await run.click();
    await history.getByTestId('run-validation-note').getByText(note).waitFor();
  });
});
