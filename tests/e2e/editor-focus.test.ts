/**
 * Keyboard focus in the editor (issue 11, major 6): after typing a brush size, Enter or Escape gives the
 * keys back to the canvas, so a number key picks a class instead of editing the size field.
 */
import { describe, expect, it } from 'vitest';
import { brushSize, openEditor, photo } from './editor-ui';
import { useHarness } from './harness';

const harness = useHarness();

describe('brush size field', () => {
  it('hands the keys back to the canvas on Enter and Escape', async () => {
    const h = harness();
    const { page } = h;
    await openEditor(h, 'focus', [{ name: 'a.png', data: await photo(120, 90, 1) }], {
      classes: ['sky', 'building', 'pole', 'road'],
    });
    const toolbar = page.getByRole('toolbar', { name: 'Editor tools' });
    const current = toolbar.getByTitle(/Class used by the paint tools/);

    await page.keyboard.press('1');
    await expect.poll(() => current.innerText()).toBe('sky');
    const field = page.getByLabel('Brush size in pixels');
    await field.click();
    await field.fill('20');
    await page.keyboard.press('Enter');
    expect(await brushSize(page)).toBe(20);
    // The sequence: Enter, then 4 picked class 4 nowhere and made the brush 204 px.
    await page.keyboard.press('4');
    expect(await brushSize(page)).toBe(20);
    await expect.poll(() => current.innerText()).toBe('road');
    expect(await page.locator(':focus').getAttribute('aria-label')).toBe('Label canvas');

    // Escape drops what was typed and also leaves the field.
    await field.click();
    await field.fill('35');
    await page.keyboard.press('Escape');
    expect(await brushSize(page)).toBe(20);
    await page.keyboard.press('2');
    await expect.poll(() => current.innerText()).toBe('building');
    expect(await brushSize(page)).toBe(20);

    // A click on the size slider does not keep number keys either (they are not typed into it).
    await page.getByLabel('Brush size', { exact: true }).click();
    await page.keyboard.press('3');
    await expect.poll(() => current.innerText()).toBe('pole');
    expect(await brushSize(page)).not.toBe(3);
  });
});
