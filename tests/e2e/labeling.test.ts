/**
 * Labeling details from issue 25: class keys whatever the panels do, the class beside the cursor,
 * messages that never sit over the image, and the smaller items a new user ran into.
 */
import { describe, expect, it } from 'vitest';
import { canvas, drag, openEditor, photo, readView } from './editor-ui';
import { makeFixtures } from './fixtures';
import { useHarness } from './harness';
import { header, importReport } from './ui';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

const harness = useHarness();

const SIZES = [
  { width: 1024, height: 700 },
  { width: 1920, height: 1080 },
];
const CLASSES = ['Sky', 'Building', 'Pole', 'Road', 'Pavement', 'Tree'];

describe('labeling (issue 25)', () => {
  for (const viewport of SIZES) {
    it(`class keys work with the class panel folded, and the class shows beside the cursor (${viewport.width})`, async () => {
      const h = harness();
      const { page } = h;
      const { classes } = await openEditor(h, 'keys', [{ name: 'street.png', data: await photo(160, 120, 1) }], {
        classes: CLASSES,
        viewport,
      });
      await page.getByRole('button', { name: 'Hide class panel' }).click();
      await page.getByRole('button', { name: 'Show class panel' }).waitFor();
      const v = await readView(page);
      const chip = page.getByTestId('cursor-class');
      const labels = async () => (await h.call('labels.load', { imageId: 1 })).classes;

      // Each class by its key, then a stroke: the stroke is that class (the issue: all went in as Sky).
      for (const [key, row] of [
        ['4', 20],
        ['2', 40],
        ['5', 60],
      ] as const) {
        await page.keyboard.press(key);
        await drag(page, v, [
          [20, row],
          [60, row],
        ]);
        const want = classes[Number(key) - 1]!;
        await expect.poll(async () => (await labels())[row * 160 + 40]).toBe(want.value);
        await expect.poll(() => chip.innerText()).toBe(want.name);
      }
      // The chip follows the pointer and takes no pointer input; a class change makes it flash.
      await canvas(page).hover({ position: { x: 200, y: 200 } });
      await page.keyboard.press('6');
      await expect.poll(() => chip.innerText()).toBe('Tree');
      expect(await chip.getAttribute('class')).toContain('flash');
      expect(await chip.evaluate((e) => getComputedStyle(e).pointerEvents)).toBe('none');
      const box = (await chip.boundingBox())!;
      const c = (await canvas(page).boundingBox())!;
      expect(box.x).toBeGreaterThan(c.x + 200);
      expect(box.x).toBeLessThan(c.x + 200 + 80);
      await h.screenshot(`labeling-class-keys-folded-${viewport.width}x${viewport.height}`);
    });
  }

  for (const viewport of SIZES) {
    it(`the import report stays off the image, takes no stroke, and fades unless it has errors (${viewport.width})`, async () => {
      const h = harness();
      const { page } = h;
      const { classes } = await openEditor(h, 'toast', [{ name: 'street.png', data: await photo(160, 120, 1) }], {
        classes: CLASSES,
        viewport,
      });
      const fx = await makeFixtures(h.tmp);
      h.dialogs.imagePaths = [fx.png.path, fx.corrupt.path];
      await header(page).getByRole('button', { name: 'Import images…' }).click();
      const report = importReport(page);
      await report.getByText(fx.corrupt.name).waitFor();
      // A report with an error stays, beside the canvas, never over it.
      await expect
        .poll(async () => overlaps((await report.boundingBox())!, (await canvas(page).boundingBox())!))
        .toBe(false);
      await h.screenshot(`labeling-import-report-editor-${viewport.width}x${viewport.height}`);

      // The stroke across the bottom right of the image paints.
      const v = await readView(page);
      await page.keyboard.press('4');
      await drag(page, v, [
        [110, 117],
        [158, 117],
      ]);
      await expect
        .poll(async () => (await h.call('labels.load', { imageId: 1 })).classes[117 * 160 + 150])
        .toBe(classes[3]!.value);
      await report.getByRole('button', { name: 'Dismiss import report' }).click();
      await report.waitFor({ state: 'detached' });

      // A report without errors goes away by itself.
      h.dialogs.imagePaths = [fx.png.path];
      await header(page).getByRole('button', { name: 'Import images…' }).click();
      await report.getByText('No new images imported').waitFor();
      await report.waitFor({ state: 'detached', timeout: 20_000 });
    }, 60_000);
  }
});
