/**
 * The image grid as a labeller works with it (issue 11, "expected and missing"): search, filters and sort;
 * multi-select with click, Shift+click, Ctrl+click and Select all; bulk split, status, export and delete
 * (the confirmation counts the labeled pixels lost); the review pass from the editor.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { photo, waitImage } from './editor-ui';
import { useHarness } from './harness';
import { expectProject, loadedThumbnails } from './ui';

const harness = useHarness();
const W = 40;
const H = 30;

const names = (page: Page) =>
  page
    .getByRole('list', { name: 'Image grid' })
    .getByRole('article')
    .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));

describe('image grid', () => {
  it('finds, sorts, selects, sets splits and status, exports and deletes images', async () => {
    const h = harness();
    const { page } = h;
    await h.call('project.create', { grant: h.grant(join(h.tmp, 'grid.maskwright'), 'project.create') });
    const files = await Promise.all(
      ['street-01.png', 'street-10.png', 'street-2.png', 'field-a.png', 'field-b.png', 'harbour.png'].map(
        async (name, i) => ({
          name,
          data: await photo(W, H, i),
        }),
      ),
    );
    const report = await h.call('images.importFiles', { files });
    const id = Object.fromEntries(report.imported.map((i) => [i.name, i.id]));
    const road = await h.call('classes.add', { name: 'road' });
    // Labeled pixels: street-10 300, field-a 120, harbour 1200 (all of it); the rest none.
    for (const [name, n] of [
      ['street-10.png', 300],
      ['field-a.png', 120],
      ['harbour.png', W * H],
    ] as const) {
      const classes = new Uint8Array(W * H).fill(255).fill(road.value, 0, n);
      const provenance = new Uint8Array(W * H).fill(1, 0, n);
      await h.call('labels.save', { imageId: id[name]!, classes, provenance });
    }
    await h.call('images.setSplit', { ids: [id['field-a.png']!], split: 'val' });

    await page.setViewportSize({ width: 1024, height: 700 });
    await h.open();
    await expectProject(page, 'grid');
    await loadedThumbnails(page, 6);
    const all = ['street-01.png', 'street-10.png', 'street-2.png', 'field-a.png', 'field-b.png', 'harbour.png'];
    expect(await names(page)).toEqual(all);

    // Search, filters, sorts.
    await page.getByLabel('Search image names').fill('street');
    await expect.poll(() => names(page)).toEqual(['street-01.png', 'street-10.png', 'street-2.png']);
    await page.getByLabel('Sort by').selectOption('name');
    await expect.poll(() => names(page)).toEqual(['street-01.png', 'street-2.png', 'street-10.png']);
    await page.getByLabel('Search image names').fill('');
    await page.getByLabel('Sort by').selectOption('labeled');
    await page.getByRole('button', { name: 'Ascending order' }).click();
    await expect
      .poll(async () => (await names(page)).slice(0, 3))
      .toEqual(['harbour.png', 'street-10.png', 'field-a.png']);
    await page.getByLabel('Filter by labels').selectOption('unlabeled');
    await expect.poll(() => names(page)).toEqual(['street-01.png', 'street-2.png', 'field-b.png']);
    await page.getByLabel('Filter by labels').selectOption('all');
    await page.getByLabel('Filter by split').selectOption('val');
    await expect.poll(() => names(page)).toEqual(['field-a.png']);
    await page.getByLabel('Filter by split').selectOption('all');
    await page.getByLabel('Sort by').selectOption('date');
    await page.getByRole('button', { name: 'Descending order' }).click();
    await expect.poll(() => names(page)).toEqual(all);

    // Multi-select: a tick, Shift+tick for a range, Ctrl+click on a picture.
    const tick = (name: string, modifiers?: ('Shift' | 'Control')[]) =>
      page.getByRole('checkbox', { name: `Select ${name}` }).click({ modifiers, force: true });
    await tick('street-10.png');
    await tick('field-a.png', ['Shift']);
    await page.getByRole('button', { name: 'Open harbour.png in the editor' }).click({ modifiers: ['Control'] });
    const selection = page.getByLabel('Selection');
    await expect.poll(() => selection.locator('strong').innerText()).toBe('4 selected');
    const boxes = page.getByRole('list', { name: 'Image grid' }).getByRole('checkbox');
    expect(await boxes.evaluateAll((els) => els.map((e) => (e as unknown as { checked: boolean }).checked))).toEqual([
      false,
      true,
      true,
      true,
      false,
      true,
    ]);
    await h.screenshot('grid-selection-1024x700');
    await selection.getByLabel('Set split of the selected images').selectOption('train');
    await selection.getByLabel('Set status of the selected images').selectOption('labeled');
    await expect
      .poll(async () =>
        (await h.call('images.list')).filter((i) => i.split === 'train' && i.status === 'labeled').map((i) => i.name),
      )
      .toEqual(['street-10.png', 'street-2.png', 'field-a.png', 'harbour.png']);

    // Export the selection only.
    const out = join(h.tmp, 'export');
    h.dialogs.folderPath = out;
    await selection.getByRole('button', { name: 'Export selected…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export 4 selected images' });
    await dialog.getByRole('button', { name: 'Choose folder…' }).click();
    await dialog.getByRole('status', { name: 'Export result' }).waitFor();
    expect(readdirSync(join(out, 'masks')).sort()).toEqual(['field-a.png', 'harbour.png', 'street-10.png']);
    await dialog.getByRole('button', { name: 'Done' }).click();

    // Delete two of them: the confirmation counts their labeled pixels (300 + 1200); Escape cancels first.
    await selection.getByRole('button', { name: 'Clear selection' }).click();
    await tick('street-10.png');
    await tick('harbour.png');
    await page.keyboard.press('Delete');
    const confirm = page.getByRole('dialog', { name: 'Delete 2 images?' });
    await expect.poll(() => confirm.innerText()).toContain('1,500 labeled pixels in 2 images will be lost');
    await h.screenshot('grid-delete-1024x700');
    await page.keyboard.press('Escape');
    expect((await h.call('images.list')).length).toBe(6);
    await selection.getByRole('button', { name: 'Delete…' }).click();
    await page
      .getByRole('dialog', { name: 'Delete 2 images?' })
      .getByRole('button', { name: 'Delete 2 images' })
      .click();
    await expect
      .poll(async () => (await h.call('images.list')).map((i) => i.name))
      .toEqual(['street-01.png', 'street-2.png', 'field-a.png', 'field-b.png']);
    await expect.poll(() => names(page)).toEqual(['street-01.png', 'street-2.png', 'field-a.png', 'field-b.png']);
    expect(existsSync(join(out, 'masks'))).toBe(true);

    // Select all, then the review pass from the editor: R marks reviewed and opens the next unreviewed image.
    await page.keyboard.press('Control+a');
    await expect.poll(() => selection.locator('strong').innerText()).toBe('4 selected');
    await page.keyboard.press('Escape');
    await h.call('images.setStatus', { ids: [id['street-2.png']!], status: 'reviewed' });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.reload();
    await loadedThumbnails(page, 4);
    await h.screenshot('grid-1920x1080');
    await page.getByRole('button', { name: 'Open street-01.png in the editor' }).click();
    await waitImage(page, 'street-01.png');
    await page.keyboard.press('r');
    await waitImage(page, 'field-a.png'); // street-2 is reviewed already: skipped
    expect((await h.call('images.list')).find((i) => i.name === 'street-01.png')!.status).toBe('reviewed');
    await expect.poll(() => page.getByLabel('Review status').inputValue()).toBe('labeled');
    await page.setViewportSize({ width: 1024, height: 700 });
    await h.screenshot('editor-review-1024x700');
  });
});

describe('import report', () => {
  it('never hides the last cards: the grid scrolls them above the report', async () => {
    const h = harness();
    const { page } = h;
    await h.call('project.create', { grant: h.grant(join(h.tmp, 'toast.maskwright'), 'project.create') });
    await page.setViewportSize({ width: 1024, height: 700 });
    await h.open();
    await expectProject(page, 'toast');
    const files = await Promise.all(
      Array.from({ length: 9 }, async (_, i) => ({
        name: `img-${i}.png`,
        type: 'image/png',
        bytes: await photo(W, H, i),
      })),
    );
    await h.dragFiles(files);
    const report = page.getByRole('status', { name: 'Import report' });
    await report.waitFor();
    const cards = page.getByRole('list', { name: 'Image grid' }).getByRole('article');
    await expect.poll(() => cards.count()).toBe(9);
    const last = cards.last();
    await page.getByRole('main', { name: 'Images' }).evaluate((el) => el.scrollTo(0, el.scrollHeight));
    const card = (await last.boundingBox())!;
    const toast = (await report.boundingBox())!;
    const overlap =
      card.x < toast.x + toast.width &&
      toast.x < card.x + card.width &&
      card.y < toast.y + toast.height &&
      toast.y < card.y + card.height;
    await h.screenshot('grid-import-report-1024x700');
    expect(overlap, `card ${JSON.stringify(card)} under the report ${JSON.stringify(toast)}`).toBe(false);
  });
});
