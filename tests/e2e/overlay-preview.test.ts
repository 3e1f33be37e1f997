/**
 * Fill unlabeled and Predict after the overlay changed (issue 11, blocker 1): pressing V twice, hiding
 * and showing a class, recolouring a class and moving to another image and back used to make the next
 * preview re-render itself in a loop (Svelte's `effect_update_depth_exceeded`), freezing the window
 * for seconds to minutes. Here every change is made through the UI, then each preview must appear
 * within a bound that holds on a loaded machine, the page must keep answering, and no page error may
 * appear (the harness fails the test on one). Hiding a class while a preview shows must also answer
 * at once and hide that class in the preview.
 */
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTrainingWorker, makeProject, TINY_TRAINING } from '../helpers/training';
import { useHarness, type Harness } from './harness';
import { expectProject, loadedThumbnails } from './ui';

const harness = useHarness();
const UNLABELED = 255;
const W = 900;
const H = 600;
/** A preview of a 900 x 600 image takes well under a second; a loop of re-renders takes many. */
const BOUND_MS = 8000;

const canvas = (page: Page) => page.getByRole('application', { name: 'Label canvas' });
const editorRegion = (page: Page) => page.getByRole('region', { name: 'Label editor' });

/** Left half dark, right half bright, like the training images. */
async function halvesPng(): Promise<Uint8Array> {
  const px = Buffer.alloc(W * H * 3);
  for (let i = 0; i < W * H; i++) px.fill(i % W < W / 2 ? 50 : 210, 3 * i, 3 * i + 3);
  return new Uint8Array(
    await sharp(px, { raw: { width: W, height: H, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

/** Milliseconds from now until `ready` resolves, while checking that the page still answers. */
async function timed(page: Page, action: () => Promise<void>, ready: () => Promise<void>): Promise<number> {
  const t0 = Date.now();
  await action();
  await ready();
  const ms = Date.now() - t0;
  // The page answers a trivial evaluation promptly afterwards (no frozen main thread).
  const t1 = Date.now();
  await page.evaluate(() => 1);
  expect(Date.now() - t1).toBeLessThan(2000);
  return ms;
}

async function waitImage(page: Page, name: string): Promise<void> {
  await editorRegion(page).getByRole('heading', { name, exact: true }).waitFor();
  await editorRegion(page).getByText('Loading…').waitFor({ state: 'detached' });
  await expect.poll(async () => Number(await canvas(page).getAttribute('data-scale'))).toBeGreaterThan(0);
}

/** V twice, hide and show a class, recolour a class, next image and back: the overlay changes the issue lists. */
async function churnOverlay(page: Page, previousName: string, name: string): Promise<void> {
  await canvas(page).focus();
  await page.keyboard.press('v');
  await page.keyboard.press('v');
  const classList = page.getByRole('list', { name: 'Class list' });
  await classList.getByRole('button', { name: 'Hide dark' }).click();
  await classList.getByRole('button', { name: 'Show dark' }).click();
  await page.getByLabel('Color of bright').fill('#22aa88');
  await canvas(page).focus();
  await page.keyboard.press('PageUp');
  await waitImage(page, previousName);
  await page.keyboard.press('PageDown');
  await waitImage(page, name);
  await canvas(page).focus();
}

/** Screenshots at the two window sizes the issue asks for, then back to the harness's 1280x800. */
async function screens(h: Harness, name: string): Promise<void> {
  for (const [w, hgt] of [
    [1024, 700],
    [1920, 1080],
  ] as const) {
    await h.page.setViewportSize({ width: w, height: hgt });
    await h.screenshot(`${name}-${w}`);
  }
  await h.page.setViewportSize({ width: 1280, height: 800 });
}

describe('previews after overlay changes', () => {
  beforeAll(() => buildTrainingWorker());

  it('Fill unlabeled and Predict answer at once after V, hide/show, recolour and image changes', async () => {
    const h = harness();
    const { page } = h;
    await h.call('project.open', { grant: h.grant(await makeProject(h.tmp, 'overlay.maskwright'), 'project.open') });
    const classes = await h.call('classes.list');
    const dark = classes.find((c) => c.name === 'dark')!;
    const bright = classes.find((c) => c.name === 'bright')!;
    await h.call('train.start', {
      settings: { ...TINY_TRAINING, epochs: 2 },
    });
    const report = await h.call('images.importFiles', { files: [{ name: 'wide.png', data: await halvesPng() }] });
    const imageId = report.imported[0]!.id;
    // Two painted squares, one per half; the rest unlabeled.
    const cls = new Uint8Array(W * H).fill(UNLABELED);
    const prov = new Uint8Array(W * H);
    for (let y = 280; y < 320; y++) {
      for (let x = 100; x < 140; x++) [cls[y * W + x], prov[y * W + x]] = [dark.value, 1];
      for (let x = 700; x < 740; x++) [cls[y * W + x], prov[y * W + x]] = [bright.value, 1];
    }
    await h.call('labels.save', { imageId, classes: cls, provenance: prov });
    await expect
      .poll(async () => (await h.call('runs.list'))[0]?.status, { timeout: 120_000, interval: 250 })
      .toBe('completed');

    await h.open();
    await expectProject(page, 'overlay');
    await loadedThumbnails(page, 4);
    const images = await h.call('images.list');
    const before = images[images.findIndex((i) => i.id === imageId) - 1]!;
    await page.getByRole('button', { name: `Open ${before.name} in the editor` }).click();
    await waitImage(page, before.name);
    await page.keyboard.press('PageDown');
    await waitImage(page, 'wide.png');

    const fillPanel = page.getByRole('region', { name: 'Fill unlabeled' });
    const predictPanel = page.getByRole('region', { name: 'Prediction' });
    const previewShown = async (panel: typeof fillPanel) => {
      await panel.and(page.locator('[data-phase="preview"]')).waitFor({ timeout: 60_000 });
      await expect.poll(() => canvas(page).getAttribute('data-preview')).toBe('true');
    };
    const timings: Record<string, number> = {};

    await churnOverlay(page, before.name, 'wide.png');
    timings.fill = await timed(
      page,
      () => page.keyboard.press('g'),
      () => previewShown(fillPanel),
    );
    await screens(h, 'overlay-fill-preview');

    // Hiding a class during the preview answers at once.
    const classList = page.getByRole('list', { name: 'Class list' });
    timings.hideDuringFill = await timed(
      page,
      () => classList.getByRole('button', { name: 'Hide bright' }).click(),
      () => classList.getByRole('button', { name: 'Show bright' }).waitFor(),
    );
    await classList.getByRole('button', { name: 'Show bright' }).click();
    await page.keyboard.press('Escape');
    await fillPanel.waitFor({ state: 'detached' });

    await churnOverlay(page, before.name, 'wide.png');
    timings.predict = await timed(
      page,
      () => page.keyboard.press('m'),
      () => previewShown(predictPanel),
    );
    timings.hideDuringPredict = await timed(
      page,
      () => classList.getByRole('button', { name: 'Hide dark' }).click(),
      () => classList.getByRole('button', { name: 'Show dark' }).waitFor(),
    );
    await page.keyboard.press('v');
    await page.keyboard.press('v');
    await screens(h, 'overlay-predict-preview');
    await page.keyboard.press('Escape');
    await predictPanel.waitFor({ state: 'detached' });

    console.log(`preview timings (ms): ${JSON.stringify(timings)}`);
    for (const [what, ms] of Object.entries(timings)) expect(ms, what).toBeLessThan(BOUND_MS);
  });
});
