/**
 * The grid tells painted from automatic labels (issue 11, major 8): an image filled by propagation
 * reads "100% labeled · 75% auto", not just "100% labeled". Screens at 1024x700 and 1920x1080.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeImage } from '../helpers/fixtures';
import { useHarness } from './harness';
import { expectProject, loadedThumbnails } from './ui';

const harness = useHarness();

describe('grid label sources', () => {
  it('shows the share labeled by Fill unlabeled or a prediction beside the labeled share', async () => {
    const h = harness();
    const { page } = h;
    await h.call('project.create', { grant: h.grant(join(h.tmp, 'grid.maskwright'), 'project.create') });
    const files = [
      { name: 'filled.png', data: new Uint8Array(await makeImage(4, 2, 'png', 1)) },
      { name: 'painted.png', data: new Uint8Array(await makeImage(4, 2, 'png', 2)) },
    ];
    const [filled, painted] = (await h.call('images.importFiles', { files })).imported;
    const road = await h.call('classes.add', { name: 'road', color: '#804080' });
    // filled: 2 painted, 4 propagated, 2 predicted -> 100 % labeled, 75 % auto.
    await h.call('labels.save', {
      imageId: filled!.id,
      classes: new Uint8Array(8).fill(road.value),
      provenance: Uint8Array.from([1, 1, 2, 2, 2, 2, 3, 3]),
    });
    // painted: 4 of 8 painted -> 50 % labeled, nothing auto.
    await h.call('labels.save', {
      imageId: painted!.id,
      classes: Uint8Array.from([road.value, road.value, road.value, road.value, 255, 255, 255, 255]),
      provenance: Uint8Array.from([1, 1, 1, 1, 0, 0, 0, 0]),
    });
    await h.open();
    await expectProject(page, 'grid');
    await loadedThumbnails(page, 2);
    const card = (name: string) => page.getByRole('article', { name });
    await expect.poll(() => card('filled.png').locator('.pct').textContent()).toBe('100% labeled · 75% auto');
    expect(await card('painted.png').locator('.pct').textContent()).toBe('50% labeled');
    expect(await card('filled.png').locator('.labeled').getAttribute('title')).toBe(
      '100.0% of pixels labeled: 25.0% painted or imported, 75.0% by Fill unlabeled or a prediction (not checked by you)',
    );
    for (const [w, hgt] of [
      [1024, 700],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width: w, height: hgt });
      await h.screenshot(`grid-sources-${w}`);
    }
  });
});
