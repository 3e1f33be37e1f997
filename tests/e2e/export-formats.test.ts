/**
 * Dataset formats from the window: the Export dialog's Format writes a COCO and a YOLO-seg dataset, and
 * the mask import dialog's format choice reads the COCO one back into a project whose classes differ by
 * one name (listed, then created on confirmation); imported labels keep the painted pixels.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject } from '../helpers/training';
import { useHarness } from './harness';
import { expectProject, header } from './ui';

const harness = useHarness();

describe('export and import formats in the app', () => {
  it('exports a dataset as YOLO-seg and COCO, and imports COCO labels with a class name confirmed', async () => {
    const h = harness();
    const { page, dialogs } = h;
    dialogs.openProjectPath = await makeProject(h.tmp, 'tiny.maskwright');
    await h.open();
    await page.getByRole('button', { name: 'Open project…' }).click();
    await expectProject(page, 'tiny');

    for (const [format, label, file] of [
      ['yolo-seg', 'Ultralytics YOLO segmentation', 'data.yaml'],
      ['coco', 'COCO (RLE per image and class)', 'annotations/val.json'],
    ] as const) {
      await header(page).getByRole('button', { name: 'Export…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Export' });
      await dialog.getByRole('radio', { name: /Dataset folder/ }).check();
      await dialog.getByRole('combobox', { name: 'Dataset format' }).selectOption({ label });
      const out = join(h.tmp, `out-${format}`);
      mkdirSync(out);
      dialogs.folderPath = out;
      if (format === 'yolo-seg') {
        for (const [w, hgt] of [
          [1024, 700],
          [1920, 1080],
        ] as const) {
          await page.setViewportSize({ width: w, height: hgt });
          await h.screenshot(`export-format-${w}`);
        }
      }
      await dialog.getByRole('button', { name: 'Choose folder…' }).click();
      await dialog.getByText(/Exported \d+ files to/).waitFor();
      expect(existsSync(join(out, file))).toBe(true);
      await dialog.getByRole('button', { name: 'Done' }).click();
      await dialog.waitFor({ state: 'detached' });
    }
    const yolo = readFileSync(join(h.tmp, 'out-yolo-seg', 'labels', 'val', 'img2.txt'), 'utf8');
    expect(
      yolo
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ')[0]),
    ).toEqual(['0', '1']);

    // Rename "bright": the COCO file's "bright" is then a class the project lacks, listed before import.
    const bright = (await h.call('classes.list')).find((c) => c.name === 'bright')!;
    await h.call('classes.update', { id: bright.id, name: 'light' });

    await header(page).getByRole('button', { name: 'Import masks…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import masks' });
    await dialog.getByRole('combobox', { name: 'Label format' }).selectOption({ label: 'COCO (RLE or polygons)' });
    dialogs.folderPath = join(h.tmp, 'out-coco');
    await dialog.getByRole('button', { name: 'Choose folder…' }).click();
    const ask = dialog.getByRole('alert', { name: 'Classes the project lacks' });
    await ask.waitFor();
    expect(await ask.textContent()).toContain('bright');
    for (const [w, hgt] of [
      [1024, 700],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width: w, height: hgt });
      await h.screenshot(`import-format-${w}`);
    }
    await dialog.getByRole('button', { name: 'Create 1 class and import' }).click();
    await expect
      .poll(async () => (await h.call('classes.list')).map((c) => c.name))
      .toEqual(['dark', 'light', 'bright']);
  });
});
