/**
 * Smaller editor fixes from issue 11: the class name under the cursor follows undo and redo, and a
 * polygon in progress shows its vertices and when a click closes it.
 */
import { describe, expect, it } from 'vitest';
import { canvas, click, openEditor, photo, selectClass, toScreen } from './editor-ui';
import { useHarness } from './harness';

const harness = useHarness();

describe('editor details', () => {
  it('updates the class under the cursor after undo and redo, and marks polygon vertices', async () => {
    const h = harness();
    const { page } = h;
    const { view: v } = await openEditor(h, 'minor', [{ name: 'a.png', data: await photo(120, 90, 1) }], {
      classes: ['grass'],
      viewport: { width: 1024, height: 700 },
    });
    await selectClass(page, '1', 'grass');
    const status = page.getByLabel('Editor status');

    // A click paints under the pointer, which stays there.
    await click(page, v, 60.5, 45.5);
    await expect.poll(() => status.innerText()).toContain('x 60, y 45 · grass');
    await page.keyboard.press('Control+z');
    await expect.poll(() => status.innerText()).toContain('x 60, y 45 · unlabeled');
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => status.innerText()).toContain('x 60, y 45 · grass');

    // Polygon: three clicks show three vertex markers; near the first one the close marker lights up.
    await page.keyboard.press('p');
    await click(page, v, 20, 20);
    await click(page, v, 50, 22);
    await click(page, v, 40, 50);
    const el = canvas(page);
    await expect.poll(() => el.getAttribute('data-polygon-vertices')).toBe('3');
    expect(await el.getAttribute('data-polygon-closable')).toBe('false');
    const first = toScreen(v, 20, 20);
    await page.mouse.move(first.x + 5, first.y + 3);
    await expect.poll(() => el.getAttribute('data-polygon-closable')).toBe('true');
    await h.screenshot('editor-polygon-vertices-1024x700');
    await page.mouse.click(first.x + 5, first.y + 3);
    await expect.poll(() => el.getAttribute('data-polygon-vertices')).toBe('0');
    // Saved by the autosave right after the edit, which runs asynchronously: wait for it.
    const inside = async () => (await h.call('labels.load', { imageId: 1 })).classes[30 * 120 + 35];
    await expect.poll(inside).toBe(0); // inside the triangle
  });
});
