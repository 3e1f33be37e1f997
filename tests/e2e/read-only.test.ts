/**
 * A read-only project in the app: a banner says why editing is off, import buttons are disabled, painting
 * does nothing but say so, and the edit channels answer READ_ONLY; viewing still works.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Project } from '../../services/project';
import { useHarness } from './harness';
import { makeFixtures } from './fixtures';
import { expectProject, header, loadedThumbnails } from './ui';

const harness = useHarness();

describe('read-only project', () => {
  it('shows why editing is off and refuses every change', async () => {
    const h = harness();
    const { page } = h;
    const fx = await makeFixtures(h.tmp);
    const path = join(h.tmp, 'ro.maskwright');
    await h.call('project.create', { grant: h.grant(path, 'project.create') });
    await h.call('images.import', { grant: h.grant([fx.png.path], 'images.import') });
    await h.call('classes.add', { name: 'road' });
    // Root ignores file permissions, so the test opens it read-only with a reason (the CLI test covers chmod).
    h.session.switchTo(Project.open(path, undefined, { readOnly: 'the file is not writable' }));

    await h.open();
    await expectProject(page, 'ro');
    await page.getByRole('status').getByText('This project cannot be changed: the file is not writable.').waitFor();
    expect(await loadedThumbnails(page, 1)).toEqual([fx.png.name]);
    for (const name of ['Import images…', 'Import folder…', 'Import masks…'])
      expect(await header(page).getByRole('button', { name }).isDisabled()).toBe(true);
    await h.screenshot('40-read-only-project');
    for (const [w, hgt] of [
      [1024, 700],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width: w, height: hgt });
      await h.screenshot(`40-read-only-project-${w}x${hgt}`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });

    const refused = await page.evaluate(async () => {
      const { api } = globalThis as unknown as {
        api: { invoke(c: string, i: unknown): Promise<{ ok: boolean; error?: { code: string } }> };
      };
      const r = await api.invoke('classes.add', { name: 'sky' });
      return r.ok ? 'ok' : r.error!.code;
    });
    expect(refused).toBe('READ_ONLY');

    await page.getByRole('article', { name: fx.png.name }).click();
    const canvas = page.locator('canvas').last();
    await canvas.waitFor();
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 20, box.y + box.height / 2 + 10);
    await page.mouse.up();
    await page.getByText('Read-only project (the file is not writable): editing is off.').waitFor();
    const labels = await h.call('labels.load', { imageId: 1 });
    expect(labels.revision).toBe(0);
    await h.screenshot('41-read-only-editor');
    for (const [w, hgt] of [
      [1024, 700],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width: w, height: hgt });
      await h.screenshot(`41-read-only-editor-${w}x${hgt}`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
