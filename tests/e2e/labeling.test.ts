/**
 * Labeling details from issue 25: class keys whatever the panels do, the class beside the cursor,
 * messages that never sit over the image, and the smaller items a new user ran into.
 */
import { describe, expect, it } from 'vitest';
import { canvas, drag, openEditor, photo, readView, setBrush, waitImage, waitSaved } from './editor-ui';
import { makeFixtures } from './fixtures';
import { useHarness } from './harness';
import { expectClasses, header, importReport } from './ui';

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
const CAMVID = [
  'Sky',
  'Building',
  'Pole',
  'Road',
  'Pavement',
  'Tree',
  'SignSymbol',
  'Fence',
  'Car',
  'Pedestrian',
  'Bicyclist',
];

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
      const flashes = Number(await chip.getAttribute('data-flashes'));
      await page.keyboard.press('6');
      await expect.poll(() => chip.innerText()).toBe('Tree');
      expect(Number(await chip.getAttribute('data-flashes'))).toBe(flashes + 1);
      // Leaving the canvas and coming back is no change of class: no flash.
      await page.mouse.move(5, 5);
      await chip.waitFor({ state: 'detached' });
      await canvas(page).hover({ position: { x: 200, y: 200 } });
      expect(Number(await chip.getAttribute('data-flashes'))).toBe(flashes + 1);
      const pointerEvents = await chip.evaluate(
        (e) =>
          (globalThis as unknown as { getComputedStyle(e: unknown): { pointerEvents: string } }).getComputedStyle(e)
            .pointerEvents,
      );
      expect(pointerEvents).toBe('none');
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

      // In the Train view a report with errors sits below it too, off the charts and the run history.
      h.dialogs.imagePaths = [fx.corrupt.path];
      await header(page).getByRole('button', { name: 'Import images…' }).click();
      await report.getByText(fx.corrupt.name).waitFor();
      await header(page).getByRole('button', { name: 'Train' }).click();
      const main = page.getByRole('main', { name: 'Images' });
      await main.getByRole('button', { name: '← Images' }).waitFor();
      expect(overlaps((await report.boundingBox())!, (await main.boundingBox())!)).toBe(false);
      await h.screenshot(`labeling-import-report-train-${viewport.width}x${viewport.height}`);
    }, 60_000);
  }

  for (const viewport of SIZES) {
    it(`the editor's smaller items: class names, fill bar, confidence step, file name and status bar (${viewport.width})`, async () => {
      const h = harness();
      const { page } = h;
      const name = 'Seq05VD_f02370_left_camera_street_scene.png';
      await openEditor(h, 'small', [{ name, data: await photo(160, 120, 1) }], {
        classes: [...CAMVID],
        viewport,
      });
      // Class names stay readable while the pointer rests on their row (the row's tools appear then).
      const list = page.getByRole('list', { name: 'Class list' });
      for (const cls of CAMVID) {
        const row = list.getByRole('listitem', { name: cls, exact: true });
        await row.hover();
        const text = row.locator('.name');
        const { client, scroll } = await text.evaluate((e) => ({ client: e.clientWidth, scroll: e.scrollWidth }));
        expect(scroll, `${cls} on hover`).toBeLessThanOrEqual(client);
      }
      await h.screenshot(`labeling-class-hover-${viewport.width}x${viewport.height}`);

      // Two strokes and Fill unlabeled: the bar sits above the image, not over it.
      const v0 = await readView(page);
      await page.keyboard.press('1');
      await drag(page, v0, [
        [10, 10],
        [150, 10],
      ]);
      await page.keyboard.press('4');
      await drag(page, v0, [
        [10, 110],
        [150, 110],
      ]);
      await page.keyboard.press('g');
      const bar = page.getByRole('region', { name: 'Fill unlabeled' });
      await bar.and(page.locator('[data-phase="preview"]')).waitFor({ timeout: 60_000 });
      await expect
        .poll(async () => {
          const v = await readView(page);
          return (await bar.boundingBox())!.y + (await bar.boundingBox())!.height - (v.top + v.y);
        })
        .toBeLessThanOrEqual(0);
      // The confidence slider steps by 0.05 a key.
      const slider = page.getByLabel('Confidence threshold');
      await slider.focus();
      await page.keyboard.press('ArrowRight');
      expect(Number(await slider.inputValue())).toBeCloseTo(0.55, 5);
      // The file name and the status bar fit: nothing runs past their edge, and a shortened text keeps
      // its whole in a title.
      const canvasBox = (await canvas(page).boundingBox())!;
      await page.mouse.move(canvasBox.x + canvasBox.width / 2, canvasBox.y + canvasBox.height / 2);
      const status = page.getByLabel('Editor status');
      await expect.poll(() => status.innerText()).toContain('x ');
      await h.screenshot(`labeling-fill-bar-status-${viewport.width}x${viewport.height}`);
      const cut = await status.evaluate((footer) => {
        const r = footer.getBoundingClientRect();
        return [...footer.children]
          .filter((c) => {
            const b = c.getBoundingClientRect();
            const el = c as typeof c & { title: string };
            const clipped = el.scrollWidth > el.clientWidth + 1 && !el.title;
            return b.width > 0 && (b.right > r.right + 0.5 || clipped);
          })
          .map((c) => c.textContent);
      });
      expect(cut).toEqual([]);
      const heading = page.getByRole('region', { name: 'Label editor' }).getByRole('heading', { name });
      const shown = await heading.evaluate((e) => ({
        full: e.scrollWidth <= e.clientWidth,
        title: e.getAttribute('title'),
        width: e.clientWidth,
      }));
      expect(shown.full || shown.title === name).toBe(true);
      expect(shown.width).toBeGreaterThanOrEqual(120);
    }, 90_000);
  }

  it('moves an image from To do to Labeled as it is labeled, and keeps a status set by hand (1024)', async () => {
    const h = harness();
    const { page } = h;
    const { view: v } = await openEditor(
      h,
      'status',
      [
        { name: 'a.png', data: await photo(120, 90, 1) },
        { name: 'b.png', data: await photo(120, 90, 2) },
      ],
      { classes: CLASSES, viewport: SIZES[0]! },
    );
    const status = async (id: number) => (await h.call('images.list')).find((i) => i.id === id)!.status;
    const select = page.getByLabel('Review status');
    expect(await select.inputValue()).toBe('todo');
    await page.keyboard.press('1');
    await drag(page, v, [
      [10, 10],
      [50, 10],
    ]);
    await expect.poll(() => status(1)).toBe('labeled');
    await expect.poll(() => select.inputValue()).toBe('labeled');
    // The user sets it back to To do by hand: more strokes leave it there.
    await select.selectOption('todo');
    await expect.poll(() => status(1)).toBe('todo');
    await drag(page, v, [
      [10, 30],
      [50, 30],
    ]);
    await waitSaved(page);
    expect(await status(1)).toBe('todo');
    // An image only looked at stays To do.
    await page.keyboard.press('PageDown');
    await waitImage(page, 'b.png');
    await page.keyboard.press('PageUp');
    await waitImage(page, 'a.png');
    expect(await status(2)).toBe('todo');
    await h.screenshot('labeling-status-1024x700');
  });

  it('"Load class names" says what it did (1024 and 1920)', async () => {
    const h = harness();
    const { page } = h;
    await openEditor(h, 'names', [{ name: 'a.png', data: await photo(120, 90, 1) }], {
      classes: ['Class 0', 'Class 1'],
      viewport: SIZES[0]!,
    });
    const file = {
      name: 'classes.json',
      mimeType: 'application/json',
      buffer: Buffer.from(
        JSON.stringify({
          classes: [
            { index: 0, name: 'Sky' },
            { index: 1, name: 'Building' },
            { index: 2, name: 'Pole' },
          ],
        }),
      ),
    };
    await page.getByLabel('Class names file').setInputFiles(file);
    const said = page.getByRole('status', { name: 'Class names loaded' });
    await expect.poll(() => said.innerText()).toBe('classes.json: 2 renamed, 1 added.');
    await expectClasses(page, ['Sky', 'Building', 'Pole']);
    await h.screenshot('labeling-load-names-1024x700');
    await page.setViewportSize(SIZES[1]!);
    await h.screenshot('labeling-load-names-1920x1080');
    await said.waitFor({ state: 'detached', timeout: 20_000 });
  });

  for (const viewport of SIZES) {
    it(`the superpixel brush has a size control and thin outlines (${viewport.width})`, async () => {
      const h = harness();
      const { page } = h;
      const { view: v, classes } = await openEditor(h, 'sp', [{ name: 'a.png', data: await photo(200, 150, 3) }], {
        classes: CLASSES,
        viewport,
      });
      await page.keyboard.press('s');
      await expect.poll(() => canvas(page).getAttribute('data-superpixels')).toBe('true');
      const slider = page.getByLabel('Brush size', { exact: true });
      expect(await slider.isEnabled()).toBe(true);
      expect(await slider.evaluate((e) => e.closest('label')!.classList.contains('off'))).toBe(false);
      await setBrush(page, 5);
      await setBrush(page, 35);
      await expect.poll(() => page.getByLabel('Editor status').innerText()).toContain('Brush 35 px');
      // A stroke with it paints (whole superpixels) in the current class.
      await page.keyboard.press('2');
      await drag(page, v, [
        [100, 75],
        [110, 75],
      ]);
      await expect
        .poll(async () => (await h.call('labels.load', { imageId: 1 })).classes[75 * 200 + 105])
        .toBe(classes[1]!.value);
      await canvas(page).hover({ position: { x: 60, y: 60 } });
      await h.screenshot(`labeling-superpixel-${viewport.width}x${viewport.height}`);
    });
  }
});
