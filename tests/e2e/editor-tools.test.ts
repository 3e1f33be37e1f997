/**
 * The magic wand and the superpixel brush in the built editor (issue 11, major 5): each edit equals the
 * documented rule computed here in Node on the same pixels (the wand by a plain breadth-first search;
 * the brush from the superpixels of core/, tested on their own against brute force), is one undo step,
 * and is stored as painted.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { computeSuperpixels, superpixelAt } from '../../core/labelmap';
import { bruteWandRegion } from '../core/labelmap/helpers';
import { click, drag, openEditor, photo, selectClass, setBrush, waitSaved } from './editor-ui';
import { useHarness } from './harness';

const harness = useHarness();
const W = 160;
const H = 120;

describe('magic wand and superpixel brush', () => {
  it('fill similar colours and whole superpixels, one undo step each, stored as painted', async () => {
    const h = harness();
    const { page } = h;
    const png = await photo(W, H, 1);
    const rgba = new Uint8Array(await sharp(png).ensureAlpha().raw().toBuffer());
    const {
      view: v,
      imageIds: [imageId],
      classes: [road, car],
    } = await openEditor(h, 'tools', [{ name: 'scene.png', data: png }], {
      classes: ['road', 'car'],
      viewport: { width: 1024, height: 700 },
    });

    // Magic wand on the dark blob, tolerance 40 typed into its field.
    await page.keyboard.press('w');
    await selectClass(page, '2', 'car');
    const tol = page.getByLabel('Wand tolerance value');
    await tol.fill('40');
    await page.keyboard.press('Enter');
    const seed = { x: Math.round(W * 0.3), y: Math.round(H * 0.6) };
    await click(page, v, seed.x + 0.5, seed.y + 0.5);
    const blank = (await h.call('labels.load', { imageId })) as { classes: Uint8Array; provenance: Uint8Array };
    const empty = { width: W, height: H, classes: new Uint8Array(W * H).fill(255), provenance: new Uint8Array(W * H) };
    const region = bruteWandRegion(empty, rgba, seed.x, seed.y, 40, false);
    expect(region.size).toBeGreaterThan(500);
    expect(region.size).toBeLessThan(W * H * 0.5);
    const wandMap = new Uint8Array(W * H).fill(255);
    for (const i of region) wandMap[i] = car.value;
    await waitSaved(page);
    let stored = await h.call('labels.load', { imageId });
    expect(stored.classes).toEqual(wandMap);
    expect([...region].every((i) => stored.provenance[i] === 1)).toBe(true);
    expect(blank).toBeDefined();
    await h.screenshot('editor-tools-wand-1024x700');

    // Superpixel brush: a short stroke with road paints whole superpixels; the wand's painted pixels stay.
    await page.keyboard.press('s');
    await page.locator('[data-superpixels="true"]').waitFor();
    await selectClass(page, '1', 'road');
    await setBrush(page, 5);
    const pts = await drag(page, v, [
      [20, 20],
      [40, 24],
      [60, 30],
    ]);
    const sp = computeSuperpixels(rgba, W, H);
    const touched = new Set<number>();
    for (const p of pts)
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++)
          if ((x + 0.5 - p.x) ** 2 + (y + 0.5 - p.y) ** 2 <= 2.5 ** 2) touched.add(superpixelAt(sp, x, y));
    const expected = wandMap.slice();
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        if (touched.has(superpixelAt(sp, x, y)) && !region.has(i)) expected[i] = road.value;
      }
    await waitSaved(page);
    await expect.poll(async () => (await h.call('labels.load', { imageId })).classes).toEqual(expected);
    stored = await h.call('labels.load', { imageId });
    expect(stored.provenance.every((p, i) => p === (expected[i] === 255 ? 0 : 1))).toBe(true);
    await h.screenshot('editor-tools-superpixels-1024x700');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await h.screenshot('editor-tools-superpixels-1920x1080');

    // One undo step per stroke and per click.
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await h.call('labels.load', { imageId })).classes).toEqual(wandMap);
    await page.keyboard.press('Control+z');
    await expect
      .poll(async () => (await h.call('labels.load', { imageId })).classes)
      .toEqual(new Uint8Array(W * H).fill(255));
  });
});
