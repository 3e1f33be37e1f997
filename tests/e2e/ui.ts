/** Locators and waits shared by the end-to-end tests; they target roles and accessible names. */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export const header = (page: Page): Locator => page.getByRole('banner');
export const thumbnails = (page: Page): Locator => page.getByRole('list', { name: 'Image grid' }).getByRole('img');
export const classRows = (page: Page): Locator => page.getByRole('list', { name: 'Class list' }).getByRole('listitem');
export const importReport = (page: Page): Locator => page.getByRole('status', { name: 'Import report' });

/** Waits until `count` thumbnails show loaded data-URL images; returns their alt texts (file names), sorted. */
export async function loadedThumbnails(page: Page, count: number): Promise<string[]> {
  await expect.poll(() => thumbnails(page).count()).toBe(count);
  const imgs = await thumbnails(page).all();
  for (const img of imgs) {
    expect(await img.getAttribute('src')).toMatch(/^data:image\/(jpeg|png|webp);base64,/);
    await expect
      .poll(() => img.evaluate((el) => (el as unknown as { complete: boolean; naturalWidth: number }).naturalWidth))
      .toBeGreaterThan(0);
  }
  const alts = await Promise.all(imgs.map(async (img) => (await img.getAttribute('alt')) ?? ''));
  return alts.sort();
}

/** Waits until the sidebar lists exactly these classes, in this order. */
export async function expectClasses(page: Page, names: string[]): Promise<void> {
  await expect
    .poll(() => classRows(page).evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label'))))
    .toEqual(names);
}

/** Waits for the project screen of the project named `name`. */
export async function expectProject(page: Page, name: string): Promise<void> {
  await header(page).getByRole('heading', { name, exact: true }).waitFor();
}
