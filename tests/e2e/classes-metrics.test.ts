/**
 * Issue 11: "Load class names…" in the sidebar (a classes.json, as the CLI's --classes), a 12-class
 * confusion matrix that fits its panel (all 12 columns visible, no horizontal scrolling), the warning
 * when mIoU was measured on the training images, and "Enter a number." instead of zod's "expected
 * number, received NaN". Screens at 1024x700 and 1920x1080.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addClass } from '../../db/classes';
import { createRun, finishRun, recordEpoch } from '../../db/runs';
import { importImages } from '../../services/import-images';
import { Project } from '../../services/project';
import { makeImage } from '../helpers/fixtures';
import { useHarness } from './harness';
import { expectClasses, expectProject, header, loadedThumbnails } from './ui';

const harness = useHarness();
const C = 12;
const NAMES = [
  'sky',
  'building',
  'pole',
  'road',
  'pavement',
  'tree',
  'sign',
  'fence',
  'car',
  'pedestrian',
  'bicyclist',
  'lane marking',
];

describe('class names and metrics panels', () => {
  it('loads class names, fits a 12-class confusion matrix, warns about training-set mIoU', async () => {
    const h = harness();
    const { page } = h;
    const path = join(h.tmp, 'camvid.maskwright');
    const project = Project.create(path);
    for (let v = 0; v < C; v++) addClass(project.db, `Class ${v}`, undefined, v);
    await importImages(project.db, [{ name: 'street.png', read: () => makeImage(64, 48, 'png', 3) }]);
    // A finished run whose metrics were measured on the training images (no validation images).
    const runId = createRun(project.db, { epochs: 1 });
    const confusion = Array.from({ length: C * C }, (_, k) => (Math.floor(k / C) === k % C ? 90 : 1));
    recordEpoch(project.db, {
      runId,
      epoch: 0,
      trainLoss: 0.5,
      valLoss: null,
      metrics: {
        meanIoU: 0.8,
        pixelAccuracy: 0.9,
        iou: Array(C).fill(0.8),
        classAccuracy: Array(C).fill(0.9),
        confusion,
        metricsOn: 'train',
      },
    });
    finishRun(project.db, runId, 'completed', 'Completed 1 epoch');
    project.close();
    await h.call('project.open', { grant: h.grant(path, 'project.open') });
    await h.open();
    await expectProject(page, 'camvid');
    await loadedThumbnails(page, 1);

    // Load class names: by value, as the CLI does.
    const classesJson = { classes: NAMES.map((name, index) => ({ index, name })) };
    await page.getByLabel('Class names file').setInputFiles({
      name: 'classes.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(classesJson)),
    });
    await expectClasses(page, NAMES);
    // A file that is not a class list: one plain line.
    await page.getByLabel('Class names file').setInputFiles({
      name: 'notes.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"names": []}'),
    });
    await page
      .getByRole('alert')
      .getByText(/^notes\.json is not a class list like/)
      .waitFor();
    await page.getByRole('button', { name: 'Dismiss class error' }).click();

    await header(page).getByRole('button', { name: 'Train', exact: true }).click();
    const view = page.getByRole('region', { name: 'Training' });
    const history = page.getByRole('region', { name: 'Run history' });
    const run = history.getByRole('button', { name: `Run ${runId}` });
    await run.waitFor();
    if ((await run.getAttribute('aria-pressed')) !== 'true') await run.click();
    await history.getByRole('note').getByText('Measured on the images it trained on').waitFor();
    const matrix = history.getByRole('table', { name: 'Confusion matrix' });
    await matrix.waitFor();
    for (const [w, hgt] of [
      [1024, 700],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width: w, height: hgt });
      await matrix.evaluate((el) => el.scrollIntoView({ block: 'center' }));
      // Every column is inside the panel: the table is no wider than its scroll container.
      const fit = await matrix.evaluate((el) => {
        const wrap = el.parentElement!;
        return { table: el.scrollWidth, wrap: wrap.clientWidth };
      });
      expect(fit.table).toBeLessThanOrEqual(fit.wrap);
      await h.screenshot(`confusion-12-${w}`);
    }
    expect(await matrix.getByRole('columnheader').count()).toBe(C + 1);
    expect((await matrix.getByRole('rowheader').allTextContents()).map((t) => t.trim())).toEqual(
      NAMES.map((n, i) => `${i + 1}${n}`),
    );
    // Diagonal: 90 of 101 pixels = 89 %.
    expect(await matrix.locator('tbody tr').nth(3).getByRole('cell').nth(3).textContent()).toBe('89');

    // A number field the API cannot read: "Enter a number.", not zod's wording.
    await view.getByRole('button', { name: 'Advanced' }).click();
    await view.getByLabel('Batch size').fill('1e999');
    await view.getByRole('button', { name: 'Start training' }).click();
    await view.getByText('Enter a number.').waitFor();
    expect(await view.getByText(/received NaN/).count()).toBe(0);
  });
});
