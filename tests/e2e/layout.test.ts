/** The project screen with many images and classes and long names: nothing overflows, screenshots to look at. */
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { useHarness } from './harness';
import { classRows, expectProject, thumbnails } from './ui';

const harness = useHarness();

async function tinyImage(seed: number): Promise<Uint8Array> {
  const w = 40 + (seed % 5) * 16;
  const h = 30 + (seed % 3) * 20;
  const px = Buffer.alloc(w * h * 3);
  for (let i = 0; i < px.length; i++) px[i] = (i * (seed + 3) + seed * 31) & 255;
  return new Uint8Array(
    await sharp(px, { raw: { width: w, height: h, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

describe('layout', () => {
  it('keeps a crowded project inside the window', async () => {
    const h = harness();
    const { page } = h;
    await h.call('project.create', {
      grant: h.grant(join(h.tmp, 'a-project-with-a-rather-long-name-for-layout-checks.maskwright'), 'project.create'),
    });
    const files = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => ({
        name:
          i % 7 === 0
            ? `IMG_${i}_a_very_long_file_name_from_a_camera_export_pipeline.png`
            : `img_${String(i).padStart(3, '0')}.png`,
        data: await tinyImage(i),
      })),
    );
    const report = await h.call('images.importFiles', { files });
    expect(report.errors).toEqual([]);
    for (let i = 0; i < 12; i++)
      await h.call('classes.add', { name: i === 4 ? 'a class with a long descriptive name' : `class ${i + 1}` });

    await h.open();
    await expectProject(page, 'a-project-with-a-rather-long-name-for-layout-checks');
    await expect.poll(() => classRows(page).count()).toBe(12);
    await expect.poll(() => thumbnails(page).count()).toBeGreaterThan(8);

    const overflow = await page.evaluate(() => {
      const d = (
        globalThis as unknown as {
          document: {
            documentElement: { scrollWidth: number; clientWidth: number; scrollHeight: number; clientHeight: number };
          };
        }
      ).document;
      const el = d.documentElement;
      return { x: el.scrollWidth - el.clientWidth, y: el.scrollHeight - el.clientHeight };
    });
    expect(overflow).toEqual({ x: 0, y: 0 });
    // Every card has the same size, whatever its image's shape, before and after thumbnails load.
    const cards = page.getByRole('list', { name: 'Image grid' }).getByRole('article');
    const cardSizes = await cards.evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().height)));
    expect(new Set(cardSizes).size, `card heights ${cardSizes.join(',')}`).toBe(1);
    const heights = await classRows(page).evaluateAll((rows) =>
      rows.map((r) => Math.round(r.getBoundingClientRect().height)),
    );
    expect(new Set(heights).size).toBe(1);
    // The tenth class has shortcut 0; the eleventh has none.
    expect(await classRows(page).nth(9).locator('kbd').innerText()).toBe('0');
    expect(await classRows(page).nth(10).locator('kbd').count()).toBe(0);
    await h.screenshot('11-crowded-project');

    await page.getByRole('button', { name: 'Rename class 2' }).click();
    await page.getByLabel('New name for class 2').waitFor();
    await h.screenshot('12-rename-inline');
    await page.keyboard.press('Escape');

    await h.dragFiles([{ name: 'x.png', type: 'image/png', bytes: await tinyImage(99) }], { drop: false });
    await page.getByText('Drop to import images').waitFor();
    await h.screenshot('13-drag-overlay');
  });
});
