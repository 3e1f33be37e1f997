/**
 * The editor in small and large windows (issue 11, major 7): every toolbar control stays visible and
 * clickable at 1024x700, the current class is never cut, the class list appears once, and the canvas
 * gets most of the window's width; the panels fold away for more. Screenshots at 1024x700 and 1920x1080.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { canvas, openEditor, photo } from './editor-ui';
import { useHarness } from './harness';

const harness = useHarness();

/** True when the element lies inside the window and a click at its centre reaches it (nothing covers it). */
async function reachable(page: Page, el: Locator): Promise<string | null> {
  if ((await el.count()) !== 1) return `${await el.count()} elements`;
  const box = await el.boundingBox();
  const size = page.viewportSize()!;
  if (!box || box.width < 4 || box.height < 4) return 'not visible';
  if (box.x < 0 || box.y < 0 || box.x + box.width > size.width + 0.5 || box.y + box.height > size.height + 0.5)
    return `outside the window: ${JSON.stringify(box)}`;
  // A trial hover runs Playwright's checks (visible, stable, receives the pointer) without moving it.
  const hit = await el.hover({ trial: true, timeout: 2000 }).then(
    () => true,
    () => false,
  );
  return hit ? null : 'covered by another element';
}

const TOOLBAR_CONTROLS = [
  ['radio', 'Brush'],
  ['radio', 'Eraser'],
  ['radio', 'Fill'],
  ['radio', 'Magic wand'],
  ['radio', 'Superpixel brush'],
  ['radio', 'Polygon'],
  ['radio', 'Picker'],
  ['spinbutton', 'Brush size in pixels'],
  ['button', 'Fill unlabeled'],
  ['button', 'Show prediction'],
  ['button', 'Undo'],
  ['button', 'Redo'],
  ['button', 'Fit image'],
] as const;

async function checkToolbar(page: Page): Promise<void> {
  const toolbar = page.getByRole('toolbar', { name: 'Editor tools' });
  const problems: string[] = [];
  for (const [role, name] of TOOLBAR_CONTROLS) {
    const why = await reachable(page, toolbar.getByRole(role, { name, exact: true }));
    if (why) problems.push(`${name}: ${why}`);
  }
  const chip = toolbar.getByTitle(/Class used by the paint tools/);
  const why = await reachable(page, chip);
  if (why) problems.push(`current class: ${why}`);
  const cut = await chip.evaluate((e) => e.scrollWidth > e.clientWidth + 1);
  if (cut) problems.push(`current class cut: "${await chip.innerText()}"`);
  expect(problems).toEqual([]);
}

async function canvasShare(page: Page): Promise<number> {
  const box = (await canvas(page).boundingBox())!;
  return box.width / page.viewportSize()!.width;
}

describe('editor layout', () => {
  it('keeps every tool reachable at 1024x700 and gives the canvas most of the width', async () => {
    const h = harness();
    const { page } = h;
    await openEditor(h, 'layout', [{ name: 'street.png', data: await photo(240, 160, 1) }], {
      classes: ['Lane marking', 'Pavement', 'Sky', 'Building', 'Vegetation', 'Traffic sign'],
      viewport: { width: 1024, height: 700 },
    });

    await checkToolbar(page);
    // One class list on the screen, not one in a sidebar and another in a panel.
    expect(await page.getByRole('list', { name: 'Class list' }).count()).toBe(1);
    expect(await page.getByText('Visible classes').count()).toBe(0);
    expect(await canvasShare(page)).toBeGreaterThanOrEqual(0.7);
    await h.screenshot('editor-layout-1024x700');

    // Hiding a class from the one list works in the editor (the eye beside each class); the eye says
    // what it does (issue 25: a visible class's eye was announced "Show").
    await page.getByRole('button', { name: 'Hide Sky', exact: true }).click();
    await page.getByRole('button', { name: 'Show Sky', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Show Sky', exact: true }).getAttribute('title')).toBe(
      'Show Sky in the overlay',
    );
    expect(await page.getByRole('button', { name: 'Hide Building', exact: true }).getAttribute('title')).toBe(
      'Hide Building in the overlay',
    );

    // Folding the class panel away gives the canvas the whole width; it comes back.
    await page.getByRole('button', { name: 'Hide class panel' }).click();
    await expect.poll(() => canvasShare(page)).toBeGreaterThanOrEqual(0.95);
    await checkToolbar(page);
    await h.screenshot('editor-layout-1024x700-folded');
    await page.getByRole('button', { name: 'Show class panel' }).click();
    await page.getByRole('list', { name: 'Class list' }).waitFor();

    // The view panel (overlay, image adjustments) opens on demand and the toolbar still fits.
    await page.getByRole('button', { name: 'View options' }).click();
    await page.getByRole('complementary', { name: 'View' }).waitFor();
    await checkToolbar(page);
    expect(await canvasShare(page)).toBeGreaterThanOrEqual(0.5);

    await page.setViewportSize({ width: 1280, height: 800 });
    await page.keyboard.press('1');
    await checkToolbar(page);
    await page.setViewportSize({ width: 1920, height: 1080 });
    await checkToolbar(page);
    expect(await canvasShare(page)).toBeGreaterThanOrEqual(0.7);
    await h.screenshot('editor-layout-1920x1080');
  });
});
