/**
 * A new user's session, as issue 25's goal asks for: new project, a folder of street-like images (two of
 * them 3000x2000 and larger), their masks, painting with the class panel folded, Fill unlabeled, Label
 * next, review status, the grid's validation hold-out, the Train view before and after a tiny run, and
 * two exports. Every step is shot at 1024x700 and 1920x1080 (walk-NN-step-WIDTH) to be looked at; the
 * harness fails the test on any console or page error.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTrainingWorker } from '../helpers/training';
import { drag, readView, toScreen, waitImage, waitSaved } from './editor-ui';
import { useHarness, type Harness } from './harness';
import { expectClasses, expectProject, header, importReport, loadedThumbnails } from './ui';

const harness = useHarness();

const SMALL = { width: 1024, height: 700 };
const LARGE = { width: 1920, height: 1080 };
const NAMES = ['Sky', 'Building', 'Pole', 'Road', 'Pavement', 'Tree'];

/** Sky above, a row of buildings, pavement and road below; `seed` moves the buildings. Values per pixel. */
function streetValues(width: number, height: number, seed: number): Uint8Array {
  const v = new Uint8Array(width * height);
  const horizon = Math.round(height * 0.55);
  const kerb = Math.round(height * 0.7);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const block = Math.floor((x + seed * 97) / (width / 6));
      const roof = Math.round(height * (0.15 + 0.05 * ((block * 7 + seed) % 4)));
      v[y * width + x] = y >= kerb ? 3 : y >= horizon ? 4 : y >= roof ? 1 : 0;
    }
  }
  return v;
}

const COLORS: Record<number, [number, number, number]> = {
  0: [128, 170, 230],
  1: [120, 90, 80],
  3: [70, 70, 75],
  4: [160, 150, 140],
};

async function streetImage(width: number, height: number, seed: number): Promise<ReturnType<typeof sharp>> {
  const values = streetValues(width, height, seed);
  const px = Buffer.alloc(width * height * 3);
  for (let i = 0; i < values.length; i++) {
    const c = COLORS[values[i]!]!;
    const noise = ((i * 2654435761 + seed) >>> 27) - 16;
    px[3 * i] = Math.max(0, Math.min(255, c[0] + noise));
    px[3 * i + 1] = Math.max(0, Math.min(255, c[1] + noise));
    px[3 * i + 2] = Math.max(0, Math.min(255, c[2] + noise));
  }
  return sharp(px, { raw: { width, height, channels: 3 } });
}

/** Waits until the canvas's view stops changing (a resized canvas fits the image anew). */
async function settled(page: Page): Promise<void> {
  let last = '';
  await expect
    .poll(async () => {
      const now = JSON.stringify(await readView(page));
      const same = now === last;
      last = now;
      return same;
    })
    .toBe(true);
}

/** Shoots the screen at both sizes, ending at 1024x700 where the session goes on. */
async function shots(h: Harness, name: string): Promise<void> {
  await h.page.setViewportSize(LARGE);
  await h.screenshot(`${name}-1920`);
  await h.page.setViewportSize(SMALL);
  await h.screenshot(`${name}-1024`);
}

describe('walkthrough (issue 25 goal)', () => {
  beforeAll(() => {
    buildTrainingWorker();
  });

  it('a new user labels, trains and exports a street folder, at 1024x700 and 1920x1080', async () => {
    const h = harness();
    const { page, dialogs } = h;
    const images = join(h.tmp, 'street');
    const masks = join(h.tmp, 'street-masks');
    mkdirSync(images);
    mkdirSync(masks);
    const sizes: [string, number, number][] = [
      ['aachen_000001.jpg', 3000, 2000],
      ['aachen_000002.jpg', 3200, 2100],
      ['bochum_000003.png', 640, 480],
      ['bochum_000004.jpg', 800, 600],
      ['bremen_000005.jpg', 640, 480],
    ];
    for (const [k, [name, w, hgt]] of sizes.entries()) {
      const img = await streetImage(w, hgt, k);
      await (name.endsWith('.png') ? img.png() : img.jpeg({ quality: 85 })).toFile(join(images, name));
    }
    // Masks (grayscale, value = class index) for the first and the third image.
    for (const k of [0, 2]) {
      const [name, w, hgt] = sizes[k]!;
      await sharp(Buffer.from(streetValues(w, hgt, k)), { raw: { width: w, height: hgt, channels: 1 } })
        .png()
        .toFile(join(masks, name.replace(/\.\w+$/, '.png')));
    }

    // 1. Start page, new project.
    await page.setViewportSize(SMALL);
    await h.open();
    await shots(h, 'walk-01-start');
    dialogs.createProjectPath = join(h.tmp, 'street.maskwright');
    await page.getByRole('button', { name: 'New project…' }).click();
    await expectProject(page, 'street');
    await shots(h, 'walk-02-empty-project');

    // 2. Class names from a file, then the folder.
    await page.getByLabel('Class names file').setInputFiles({
      name: 'classes.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ classes: NAMES.map((name, index) => ({ index, name })) })),
    });
    await expectClasses(page, NAMES);
    dialogs.folderPath = images;
    await header(page).getByRole('button', { name: 'Import folder…' }).click();
    expect(await loadedThumbnails(page, sizes.length)).toEqual(sizes.map((s) => s[0]).sort());
    await shots(h, 'walk-03-imported');

    // 3. Masks.
    dialogs.folderPath = masks;
    await header(page).getByRole('button', { name: 'Import masks…' }).click();
    const maskDialog = page.getByRole('dialog', { name: 'Import masks' });
    await maskDialog.waitFor();
    await shots(h, 'walk-04-mask-dialog');
    await maskDialog.getByRole('button', { name: 'Choose folder…' }).click();
    await importReport(page).getByText('Applied 2 masks').waitFor();
    await page.getByRole('article', { name: 'aachen_000001.jpg' }).getByText('100% labeled').waitFor();
    await shots(h, 'walk-05-masks-imported');
    // Dismissed: while it fades by itself the canvas above it grows and fits the image anew.
    await importReport(page).getByRole('button', { name: 'Dismiss import report' }).click();
    await importReport(page).waitFor({ state: 'detached' });

    // 4. A large unlabeled image in the editor; the class panel folded; strokes by class keys.
    await page.getByRole('button', { name: 'Open aachen_000002.jpg in the editor' }).click();
    await waitImage(page, 'aachen_000002.jpg');
    await shots(h, 'walk-06-editor-open');
    await page.getByRole('button', { name: 'Hide class panel' }).click();
    await page.getByRole('button', { name: 'Show class panel' }).waitFor();
    await settled(page);
    // The canvas grows in the middle of a stroke (as when a message below it fades): the image stays put
    // under the pointer until the stroke ends (before, it was fitted anew at once and the rest of the
    // stroke left the row: x 2000 and 2850 stayed unlabeled).
    const id2 = (await h.call('images.list')).find((i) => i.name === 'aachen_000002.jpg')!.id;
    const v0 = await readView(page);
    await page.keyboard.press('4');
    const at = (x: number) => toScreen(v0, x + 0.5, 1800.5);
    await page.mouse.move(at(300).x, at(300).y);
    await page.mouse.down();
    await page.mouse.move(at(1600).x, at(1600).y);
    await page.setViewportSize({ width: SMALL.width, height: SMALL.height + 80 });
    await page.evaluate(() => {
      const w = globalThis as unknown as { requestAnimationFrame(cb: () => void): number };
      return new Promise((done) => w.requestAnimationFrame(() => w.requestAnimationFrame(() => done(null))));
    });
    await page.mouse.move(at(2900).x, at(2900).y);
    await page.mouse.up();
    await expect
      .poll(async () => {
        const { classes } = await h.call('labels.load', { imageId: id2 });
        // Along the row to where the stroke ended (x 2900, radius 35), and nothing past its end.
        return [...[1000, 2000, 2850].map((x) => classes[1800 * 3200 + x]), classes[1800 * 3200 + 3100]];
      })
      .toEqual([3, 3, 3, 255]);
    expect(await readView(page)).not.toEqual(v0); // fitted anew once the stroke ended
    await page.setViewportSize(SMALL);
    await settled(page);
    const v = await readView(page);
    const strokes: [string, number][] = [
      ['1', 150],
      ['2', 700],
      ['5', 1300],
      ['4', 1800],
    ];
    for (const [key, y] of strokes) {
      await page.keyboard.press(key);
      await page
        .getByRole('toolbar', { name: 'Editor tools' })
        .getByText(NAMES[Number(key) - 1]!)
        .waitFor();
      // A longer class name does not move the image under the pointer (it wrapped the toolbar at 1024).
      if (key === '2') await h.screenshot('walk-07-class-building-1024');
      expect(await readView(page), `view after key ${key}`).toEqual(v);
      await drag(page, v, [
        [300, y],
        [1600, y],
        [2900, y],
      ]);
    }
    // Class values follow the names file's indices: key k paints value k - 1.
    await expect
      .poll(async () => {
        const { classes } = await h.call('labels.load', { imageId: id2 });
        return strokes.map(([, y]) => classes[y * 3200 + 1600]);
      })
      .toEqual(strokes.map(([key]) => Number(key) - 1));
    await page.mouse.move(v.left + 200, v.top + 200);
    await shots(h, 'walk-07-painted-folded');

    // 5. Fill unlabeled, then accept.
    await page.keyboard.press('g');
    const bar = page.getByRole('region', { name: 'Fill unlabeled' });
    await bar.and(page.locator('[data-phase="preview"]')).waitFor({ timeout: 60_000 });
    await shots(h, 'walk-08-fill-preview');
    await bar.getByRole('button', { name: 'Accept' }).click();
    await bar.waitFor({ state: 'detached' });
    await waitSaved(page);
    await expect
      .poll(async () => (await h.call('labels.load', { imageId: id2 })).provenance.some((p) => p !== 0 && p !== 1))
      .toBe(true);
    await shots(h, 'walk-09-fill-accepted');

    // 6. Label next (no model yet), then the review status.
    const editor = page.getByRole('region', { name: 'Label editor' });
    await editor.getByRole('button', { name: 'Label next' }).click();
    const next = page.getByRole('region', { name: 'Label next' });
    await expect.poll(() => next.getByText('Ranking images…').count(), { timeout: 60_000 }).toBe(0);
    // No model yet is a step of the workflow, not a failure: said plainly, not in error red.
    const said = next.getByText(/train a model first/i);
    expect(await said.getAttribute('class')).toMatch(/\bmuted\b/);
    await shots(h, 'walk-10-label-next');
    await page.keyboard.press('Escape');
    await next.waitFor({ state: 'detached' });
    const review = page.getByLabel('Review status');
    await expect.poll(() => review.inputValue()).toBe('labeled');
    await review.selectOption('reviewed');
    await expect.poll(async () => (await h.call('images.list')).find((i) => i.id === id2)!.status).toBe('reviewed');
    await shots(h, 'walk-11-reviewed');

    // 7. The grid: the automatic validation hold-out, and its filter.
    await page.getByRole('button', { name: 'Back to images' }).click();
    await loadedThumbnails(page, sizes.length);
    const grid = page.getByRole('list', { name: 'Image grid' });
    await expect.poll(() => grid.getByTestId('auto-val').count()).toBeGreaterThan(0);
    await shots(h, 'walk-12-grid-val-auto');
    await page.getByLabel('Filter by split').selectOption('auto-val');
    await expect.poll(() => grid.getByRole('article').count()).toBe(await grid.getByTestId('auto-val').count());
    await shots(h, 'walk-13-grid-filter');
    await page.getByLabel('Filter by split').selectOption('all');

    // 8. The Train view before Start, then a tiny run.
    await header(page).getByRole('button', { name: 'Train', exact: true }).click();
    const view = page.getByRole('region', { name: 'Training' });
    await view
      .getByTestId('train-plan')
      .getByText(/\d+ training, \d+ validation image/)
      .waitFor();
    await shots(h, 'walk-14-train-before');
    await view.getByRole('button', { name: 'Advanced' }).click();
    await view.getByLabel('Epochs').fill('3');
    await view.getByLabel('Minutes').fill('');
    await view.getByLabel('Working width').fill('32');
    await view.getByLabel('Working height').fill('32');
    await view.getByLabel('Batch size').fill('2');
    await view.getByLabel('Model width').fill('4');
    await view.getByLabel('Depth').fill('2');
    await view.getByLabel('Backend').selectOption('cpu');
    await shots(h, 'walk-15-train-settings');
    await view.getByRole('button', { name: 'Start training' }).click();
    const progress = view.getByRole('region', { name: 'Training progress' });
    await expect
      .poll(() => progress.getByTestId('run-status').textContent(), { timeout: 90_000, interval: 250 })
      .toMatch(/Completed/);
    await shots(h, 'walk-16-trained');

    // 9. Export: the masks, and a COCO dataset folder.
    const exportTo = async (pick: () => Promise<void>, dir: string, shot: string) => {
      await header(page).getByRole('button', { name: 'Export…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Export' });
      await pick();
      dialogs.folderPath = dir;
      await dialog.getByRole('button', { name: 'Choose folder…' }).click();
      await dialog.getByText(/Exported \d+ files to/).waitFor({ timeout: 30_000 });
      await shots(h, shot);
      await dialog.getByRole('button', { name: 'Done' }).click();
      await dialog.waitFor({ state: 'detached' });
    };
    const exportDialog = page.getByRole('dialog', { name: 'Export' });
    await exportTo(
      () => exportDialog.getByRole('radio', { name: /Masks/ }).check(),
      join(h.tmp, 'out-masks'),
      'walk-17-export-masks',
    );
    await exportTo(
      async () => {
        await exportDialog.getByRole('radio', { name: /Dataset folder/ }).check();
        await exportDialog
          .getByRole('combobox', { name: 'Dataset format' })
          .selectOption({ label: 'COCO (RLE per image and class)' });
      },
      join(h.tmp, 'out-dataset'),
      'walk-18-export-dataset',
    );
    expect(readdirSync(join(h.tmp, 'out-masks', 'masks')).length).toBe(3);
    expect(existsSync(join(h.tmp, 'out-dataset'))).toBe(true);
  }, 180_000);
});
