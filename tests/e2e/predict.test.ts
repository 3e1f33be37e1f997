/**
 * "Show prediction" in the label editor, with the real registry and the built training and prediction
 * workers: train a tiny model on a generated project, clear one image's labels but one painted pixel,
 * show the prediction (M), accept it (Enter), and check the stored map against `predict.image`: the
 * painted pixel is kept, every other pixel gets the predicted value with provenance Predicted; Ctrl+Z
 * restores the previous map exactly.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SIZE, buildTrainingWorker, makeProject } from '../helpers/training';
import { useHarness } from './harness';
import { expectProject, loadedThumbnails } from './ui';

const harness = useHarness();
const UNLABELED = 255;
const PAINTED = 1;
const PREDICTED = 3;

const canvas = (page: Page) => page.getByRole('application', { name: 'Label canvas' });
const panel = (page: Page) => page.getByRole('region', { name: 'Prediction' });
const notice = (page: Page) => page.getByLabel('Editor status', { exact: true });

describe('predictions in the editor', () => {
  beforeAll(() => {
    // The worker bundles the registry forks (training and prediction).
    buildTrainingWorker();
  });

  it('shows the prediction of the unlabeled pixels and accepts it as one undo step', async () => {
    const h = harness();
    const { page } = h;
    await h.call('project.open', { grant: h.grant(await makeProject(h.tmp, 'predict.maskwright'), 'project.open') });
    const images = await h.call('images.list');
    const image = images.find((i) => i.id === 1)!;
    expect(image).toBeTruthy();

    // Image 1: unlabeled but for one painted pixel.
    const n = SIZE * SIZE;
    const stored = await h.call('labels.load', { imageId: 1 });
    const paintedAt = 5 * SIZE + 5;
    const paintedValue = stored.classes[paintedAt]!;
    const classes = new Uint8Array(n).fill(UNLABELED);
    const provenance = new Uint8Array(n);
    classes[paintedAt] = paintedValue;
    provenance[paintedAt] = PAINTED;
    await h.call('labels.save', { imageId: 1, classes, provenance });

    await h.open();
    await expectProject(page, 'predict');
    await loadedThumbnails(page, 3);
    await page.getByRole('button', { name: `Open ${image.name} in the editor` }).click();
    const editor = page.getByRole('region', { name: 'Label editor' });
    await editor.getByRole('heading', { name: image.name, exact: true }).waitFor();
    await editor.getByText('Loading…').waitFor({ state: 'detached' });

    // Before any training: a clear message in the panel, whole, kept until dismissed (Esc).
    await page.keyboard.press('m');
    await panel(page).getByRole('alert').getByText('Train a model first').waitFor({ timeout: 30_000 });
    await page.waitForTimeout(4500);
    expect(await panel(page).getByRole('alert').textContent()).toBe(
      'Train a model first: there is no trained model yet.',
    );
    await h.screenshot('predict-failed');
    await page.keyboard.press('Escape');
    await panel(page).waitFor({ state: 'detached' });

    await h.call('train.start', {
      settings: {
        width: SIZE,
        height: SIZE,
        baseFilters: 4,
        depth: 2,
        batchSize: 2,
        backend: 'cpu',
        epochs: 3,
        learningRate: 0.01,
      },
    });
    await expect
      .poll(async () => (await h.call('runs.list'))[0]?.status, { timeout: 90_000, interval: 250 })
      .toBe('completed');

    await page.keyboard.press('m');
    await panel(page).and(page.locator('[data-phase="preview"]')).waitFor({ timeout: 60_000 });
    await expect.poll(() => canvas(page).getAttribute('data-preview')).toBe('true');
    await panel(page)
      .getByText(/mean \d+%/)
      .waitFor();
    await h.screenshot('predict-preview');

    const prediction = await h.call('predict.image', { imageId: 1 });
    expect(prediction.width).toBe(SIZE);
    expect(prediction.values.length).toBe(n);

    // Accepting everything takes lowering the threshold from its default 0.5 first.
    expect(await page.getByLabel('Confidence threshold').inputValue()).toBe('0.5');
    await page.getByLabel('Confidence threshold').fill('0');
    await canvas(page).focus();
    await page.keyboard.press('Enter');
    await panel(page).waitFor({ state: 'detached' });
    await notice(page)
      .getByText(/Labeled [\d,]+ pixels from the prediction/)
      .waitFor();

    const mismatches = async () => {
      const m = await h.call('labels.load', { imageId: 1 });
      const out: string[] = [];
      for (let i = 0; i < n; i++) {
        const want = i === paintedAt ? [paintedValue, PAINTED] : [prediction.values[i]!, PREDICTED];
        if (m.classes[i] !== want[0] || m.provenance[i] !== want[1]) {
          out.push(`(${i % SIZE},${Math.floor(i / SIZE)}): ${m.classes[i]}/${m.provenance[i]}, want ${want.join('/')}`);
        }
      }
      return out;
    };
    await expect
      .poll(async () => (await mismatches()).length, { timeout: 5000 })
      .toBe(0)
      .catch(async (err) => {
        throw new Error((await mismatches()).slice(0, 12).join('; '), { cause: err });
      });

    // One undo step restores the previous map exactly.
    await page.keyboard.press('Control+z');
    await expect
      .poll(
        async () => {
          const m = await h.call('labels.load', { imageId: 1 });
          return m.classes.every((c, i) => c === classes[i]) && m.provenance.every((p, i) => p === provenance[i]);
        },
        { timeout: 5000 },
      )
      .toBe(true);

    // "Label next": the image with unlabeled pixels first (the others are fully labeled: nothing to gain),
    // with its labeled share beside it; a click opens one.
    const rank = await h.call('predict.rank');
    expect(rank.skipped).toEqual([]);
    expect(rank.images[0]).toMatchObject({ imageId: 1, labeledFraction: 1 / n });
    expect(rank.images[0]!.gain).toBeGreaterThan(0);
    for (const r of rank.images.slice(1)) expect([r.labeledFraction, r.gain]).toEqual([1, 0]);
    const byId = new Map(images.map((i) => [i.id, i.name]));
    // The image on screen (1) is left out of the list (issue 25): the list offers the others.
    const offered = rank.images.filter((r) => r.imageId !== 1);
    const expected = offered
      .slice(0, 5)
      .map((r) => `${byId.get(r.imageId)} ${Math.round(r.labeledFraction * 100)}% labeled`);
    expect(expected.length).toBe(2);
    await editor.getByRole('button', { name: 'Label next' }).click();
    const list = page.getByRole('region', { name: 'Label next' });
    await expect
      .poll(
        async () => (await list.getByRole('listitem').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim()),
        { timeout: 60_000 }, // ranking forks a prediction process
      )
      .toEqual(expected);
    await h.screenshot('predict-label-next');
    // Escape closes it, and so does a press elsewhere.
    await page.keyboard.press('Escape');
    await list.waitFor({ state: 'detached' });
    await editor.getByRole('button', { name: 'Label next' }).click();
    await list.getByRole('listitem').first().waitFor({ timeout: 60_000 });
    await page.getByLabel('Editor status').click();
    await list.waitFor({ state: 'detached' });
    await editor.getByRole('button', { name: 'Label next' }).click();
    await list.getByRole('listitem').first().waitFor({ timeout: 60_000 });
    const last = offered[1]!;
    await list.getByRole('button').nth(1).click();
    await editor.getByRole('heading', { name: byId.get(last.imageId)!, exact: true }).waitFor();
    await list.waitFor({ state: 'detached' });
    // R (reviewed, next) moves on to another image: the list, ranked for the image left, closes.
    await editor.getByRole('button', { name: 'Label next' }).click();
    await list.getByRole('listitem').first().waitFor({ timeout: 60_000 });
    await canvas(page).focus();
    await page.keyboard.press('r');
    await list.waitFor({ state: 'detached' });
  });
});
