/**
 * Labeling details from issue 25: class keys whatever the panels do, the class beside the cursor,
 * messages that never sit over the image, and the smaller items a new user ran into.
 */
import { describe, expect, it } from 'vitest';
import { canvas, drag, openEditor, photo, readView } from './editor-ui';
import { useHarness } from './harness';

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
});
