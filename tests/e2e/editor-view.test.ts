/**
 * The view of the editor (issue 11): brightness and contrast change what is shown, never the data; zoom
 * stays within limits relative to the fitted scale; a minimap appears when zoomed in and moves the view.
 */
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { canvas, openEditor, photo, readView } from './editor-ui';
import { useHarness } from './harness';

const harness = useHarness();
const W = 600;
const H = 400;

/** Mean grey level of the canvas as it is on screen. */
async function shownBrightness(page: Page): Promise<number> {
  const png = await canvas(page).screenshot();
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  return data.reduce((a, b) => a + b, 0) / (info.width * info.height);
}

async function setRange(page: Page, label: string, value: number): Promise<void> {
  await page.getByLabel(label, { exact: true }).evaluate((el, v) => {
    const input = el as unknown as { value: string; dispatchEvent(e: unknown): boolean };
    input.value = String(v);
    const E = (globalThis as unknown as { Event: new (t: string, o: object) => unknown }).Event;
    input.dispatchEvent(new E('input', { bubbles: true }));
  }, value);
}

describe('editor view', () => {
  it('adjusts brightness and contrast for display only, bounds the zoom, and navigates with the minimap', async () => {
    const h = harness();
    const { page } = h;
    const {
      view: fitted,
      imageIds: [imageId],
    } = await openEditor(h, 'view', [{ name: 'wide.png', data: await photo(W, H, 2) }], {
      viewport: { width: 1024, height: 700 },
    });
    const minimap = page.getByRole('navigation', { name: 'Minimap' });
    expect(await minimap.isVisible()).toBe(false); // the whole image is on screen

    // Brightness and contrast: the screen changes, the stored image and labels do not.
    const original = await h.call('images.original', { id: imageId });
    await page.getByRole('button', { name: 'View options' }).click();
    await page.getByRole('complementary', { name: 'View' }).waitFor();
    const before = await shownBrightness(page);
    await setRange(page, 'Brightness', 0.5);
    await expect.poll(() => shownBrightness(page)).toBeLessThan(before * 0.8);
    await setRange(page, 'Brightness', 1.6);
    await expect.poll(() => shownBrightness(page)).toBeGreaterThan(before * 1.1);
    await setRange(page, 'Contrast', 1.4);
    await h.screenshot('editor-view-adjusted-1024x700');
    expect((await h.call('images.original', { id: imageId })).data).toEqual(original.data);
    expect((await h.call('labels.load', { imageId })).revision).toBe(0);
    await page.getByRole('button', { name: 'Reset' }).click();
    await expect.poll(async () => Math.abs((await shownBrightness(page)) - before)).toBeLessThan(1);
    await page.getByRole('button', { name: 'Close view options' }).click();

    // Zoom limits relative to the fit: out to half the fitted size (at most 100%), in to 3200%.
    const box = (await canvas(page).boundingBox())!;
    const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    await page.mouse.move(centre.x, centre.y);
    for (let i = 0; i < 12; i++) await page.mouse.wheel(0, 600);
    await expect.poll(async () => (await readView(page)).scale).toBeCloseTo(Math.min(1, fitted.scale / 2), 5);
    for (let i = 0; i < 30; i++) await page.mouse.wheel(0, -600);
    await expect.poll(async () => (await readView(page)).scale).toBeCloseTo(32, 5);
    await page.keyboard.press('Home');
    await expect.poll(async () => (await readView(page)).scale).toBeCloseTo(fitted.scale, 5);

    // Zoomed in, the minimap shows; a click on it centres the view on that point of the image.
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -600);
    await minimap.waitFor();
    const mbox = (await minimap.boundingBox())!;
    await h.screenshot('editor-view-minimap-1024x700');
    await page.mouse.click(mbox.x + mbox.width * 0.85, mbox.y + mbox.height * 0.2);
    const v = await readView(page);
    const atCentre = { x: (box.width / 2 - v.x) / v.scale, y: (box.height / 2 - v.y) / v.scale };
    expect(atCentre.x).toBeGreaterThan(W * 0.85 - 6);
    expect(atCentre.x).toBeLessThan(W * 0.85 + 6);
    expect(atCentre.y).toBeGreaterThan(H * 0.2 - 6);
    expect(atCentre.y).toBeLessThan(H * 0.2 + 6);
    const seen = (await page.getByTestId('minimap-view').boundingBox())!;
    expect(seen.width).toBeLessThan(mbox.width / 2);
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.getByRole('button', { name: 'View options' }).click();
    await h.screenshot('editor-view-minimap-1920x1080');
  });
});
