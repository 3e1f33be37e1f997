/**
 * The automatic validation hold-out in the grid (issue 25 item 5): the images training would hold out
 * show "Val (auto)" on their card and in the split filter, and one choice on the card moves an image out
 * (Train) or in (Validation, which keeps the others that were held out).
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { photo } from './editor-ui';
import { useHarness } from './harness';
import { expectProject } from './ui';

const harness = useHarness();
const W = 40;
const H = 30;

const cards = (page: Page) => page.getByRole('list', { name: 'Image grid' }).getByRole('article');
const names = (page: Page) => cards(page).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
/** Names of the cards that show the "Val (auto)" badge. */
const badged = (page: Page) =>
  cards(page).evaluateAll((els) =>
    els.filter((e) => e.querySelector('[data-testid="auto-val"]')).map((e) => e.getAttribute('aria-label')),
  );

/** The hold-out rule by hand: hash fraction below 0.2, or else the lowest one (core/training/split.ts). */
function expectedHeld(images: { name: string; sha256: string }[]): string[] {
  const f = (sha: string) => parseInt(sha.slice(0, 8), 16) / 2 ** 32;
  const below = images.filter((i) => f(i.sha256) < 0.2);
  if (below.length) return below.map((i) => i.name);
  return [images.reduce((a, b) => (f(b.sha256) < f(a.sha256) ? b : a)).name];
}

describe('automatic validation hold-out in the grid', () => {
  it('shows the held-out images, filters them, and moves one out and one in with one choice', async () => {
    const h = harness();
    const { page } = h;
    await h.call('project.create', { grant: h.grant(join(h.tmp, 'auto.maskwright'), 'project.create') });
    const files = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => ({ name: `street-${i + 1}.png`, data: await photo(W, H, i) })),
    );
    const report = await h.call('images.importFiles', { files });
    const road = await h.call('classes.add', { name: 'road' });
    await h.call('classes.add', { name: 'sky' });
    // Eleven images painted (a tenth of their pixels); the last one unlabeled, never held out.
    const labeled = report.imported.slice(0, 11);
    for (const img of labeled) {
      const classes = new Uint8Array(W * H).fill(255).fill(road.value, 0, 120);
      const provenance = new Uint8Array(W * H).fill(1, 0, 120);
      await h.call('labels.save', { imageId: img.id, classes, provenance });
    }
    const held = expectedHeld(labeled);
    expect(held.length).toBeGreaterThan(0);

    await page.setViewportSize({ width: 1024, height: 700 });
    await h.open();
    await expectProject(page, 'auto');
    await expect.poll(async () => (await names(page)).length).toBe(12);
    await expect.poll(() => badged(page)).toEqual(held);
    // The card's split choice reads "Val (auto)" on a held-out image.
    const first = held[0]!;
    const select = page.getByLabel(`Split for ${first}`);
    expect(
      await select.evaluate(
        (s) => (s as unknown as { selectedOptions: { textContent: string }[] }).selectedOptions[0]!.textContent,
      ),
    ).toBe('Val (auto)');
    await page.getByLabel('Filter by split').selectOption('auto-val');
    await expect.poll(() => names(page)).toEqual(held);
    await h.screenshot('auto-split-filter-1024');
    await page.getByLabel('Filter by split').selectOption('unassigned');
    await expect.poll(() => names(page)).toEqual(report.imported.map((i) => i.name).filter((n) => !held.includes(n)));
    await page.getByLabel('Filter by split').selectOption('all');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await h.screenshot('auto-split-grid-1920');
    await page.setViewportSize({ width: 1024, height: 700 });
    await h.screenshot('auto-split-grid-1024');

    // Out: Train on the card. The rule then holds out from the rest.
    await select.selectOption('train');
    const rest = labeled.filter((i) => i.name !== first);
    await expect.poll(() => badged(page)).toEqual(expectedHeld(rest));
    expect((await h.call('images.list')).find((i) => i.name === first)!.split).toBe('train');
    // In: Validation on a card that was not held out. It joins the ones held out, which stay validation.
    const stillHeld = expectedHeld(rest);
    const other = rest.find((i) => !stillHeld.includes(i.name))!.name;
    await page.getByLabel(`Split for ${other}`).selectOption('val');
    await expect.poll(() => badged(page)).toEqual([]);
    const splits = Object.fromEntries((await h.call('images.list')).map((i) => [i.name, i.split]));
    for (const name of [...stillHeld, other]) expect(splits[name]).toBe('val');
    expect(splits[first]).toBe('train');
    const plan = await h.call('train.plan', { sources: ['painted'] });
    expect(plan).toMatchObject({ val: stillHeld.length + 1, train: 11 - stillHeld.length - 1, heldOut: [] });
  });
});
