/** Importing by drag-and-drop, duplicate reporting, and importing masks, through the UI. */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { useHarness } from './harness';
import { makeFixtures } from './fixtures';
import { expectClasses, expectProject, header, importReport, loadedThumbnails, thumbnails } from './ui';

const harness = useHarness();

describe('import', () => {
  it('imports files dropped on the window', async () => {
    const h = harness();
    const { page } = h;
    const fx = await makeFixtures(h.tmp);
    await h.call('project.create', { grant: h.grant(join(h.tmp, 'dropped.maskwright'), 'project.create') });
    await h.open();
    await expectProject(page, 'dropped');
    await page.getByText('Drop images here or use Import images…').waitFor();

    await h.dragFiles(fx.all.map((f) => ({ name: f.name, type: f.type, bytes: f.bytes })));
    expect(await loadedThumbnails(page, 2)).toEqual(['harbor.jpg', 'meadow.png']);
    const report = importReport(page);
    await report.getByText('Imported 2 images').waitFor();
    await report.getByText('broken.jpg').waitFor();
    // The drop overlay is gone once the files are dropped.
    expect(await page.getByText('Drop to import images').count()).toBe(0);

    const stored = await h.call('images.list');
    expect(stored.map((i) => [i.name, i.width, i.height, i.byteSize])).toEqual([
      ['meadow.png', 64, 48, fx.png.bytes.length],
      ['harbor.jpg', 64, 48, fx.jpeg.bytes.length],
    ]);
    // The bytes arrived intact: the same file through the file dialog is a duplicate.
    const again = await h.call('images.import', { grant: h.grant([fx.png.path], 'images.import') });
    expect(again.duplicates).toEqual([{ name: 'meadow.png', existingName: 'meadow.png' }]);
  });

  it('reports duplicates by name and skips them', async () => {
    const h = harness();
    const { page, dialogs } = h;
    const fx = await makeFixtures(h.tmp);
    const copy = join(h.tmp, 'meadow-copy.png');
    copyFileSync(fx.png.path, copy);

    await h.call('project.create', { grant: h.grant(join(h.tmp, 'dups.maskwright'), 'project.create') });
    await h.open();
    await expectProject(page, 'dups');

    dialogs.imagePaths = [fx.png.path];
    await header(page).getByRole('button', { name: 'Import images…' }).click();
    await loadedThumbnails(page, 1);

    dialogs.imagePaths = [fx.png.path, copy];
    await header(page).getByRole('button', { name: 'Import images…' }).click();
    const report = importReport(page);
    await report.getByText('No new images imported').waitFor();
    await report.getByText('2 duplicates skipped').waitFor();
    await report.getByText('meadow-copy.png').waitFor();
    await report.getByText('same content as meadow.png').waitFor();
    await report.getByText('already in the project').waitFor();
    await h.screenshot('09-duplicates');
    expect(await thumbnails(page).count()).toBe(1);
    expect((await h.call('images.list')).length).toBe(1);
  });

  it('imports a folder, then masks for it with a void value', async () => {
    const h = harness();
    const { page, dialogs } = h;
    const images = join(h.tmp, 'images');
    const masks = join(h.tmp, 'masks');
    mkdirSync(images);
    mkdirSync(masks);
    const fx = await makeFixtures(images);
    // A grayscale mask for meadow.png: top half class 0, bottom half value 11 (void).
    const values = Buffer.alloc(64 * 48, 11);
    values.fill(0, 0, 64 * 24);
    await sharp(values, { raw: { width: 64, height: 48, channels: 1 } })
      .png()
      .toFile(join(masks, 'meadow.png'));

    await h.call('project.create', { grant: h.grant(join(h.tmp, 'masks.maskwright'), 'project.create') });
    await h.open();
    await expectProject(page, 'masks');

    dialogs.folderPath = images;
    await header(page).getByRole('button', { name: 'Import folder…' }).click();
    expect(await loadedThumbnails(page, 2)).toEqual(['harbor.jpg', 'meadow.png']);
    await importReport(page).getByText(fx.corrupt.name).waitFor();
    await importReport(page).getByRole('button', { name: 'Dismiss import report' }).click();

    dialogs.folderPath = masks;
    await header(page).getByRole('button', { name: 'Import masks…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import masks' });
    await dialog.getByLabel('Also treat this value as unlabeled (optional)').fill('11');
    await dialog.getByRole('button', { name: 'Choose folder…' }).click();
    // Value 0 matches no class yet: the dialog lists it with its pixel count and asks before creating it.
    const unknown = dialog.getByRole('alert', { name: 'Values without a class' });
    await unknown.getByText('1 mask value matches no class.').waitFor();
    expect(await unknown.locator('tbody tr').allInnerTexts()).toEqual([expect.stringMatching(/^0\s+\d[\d,]*\s+1$/)]);
    await expectClasses(page, []);
    await h.screenshot('10-masks-unknown-values');
    for (const [w, hgt] of [
      [1024, 700],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width: w, height: hgt });
      await h.screenshot(`10-masks-unknown-values-${w}x${hgt}`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await dialog.getByRole('button', { name: 'Create 1 class and import' }).click();
    await importReport(page).getByText('Applied 1 mask').waitFor();
    expect(dialogs.folderPurpose).toBe('masks.import'); // the grant serves mask import only
    await expectClasses(page, ['Class 0']);
    await page.getByRole('article', { name: 'meadow.png' }).getByText('50% labeled').waitFor();
    await page.getByRole('article', { name: 'harbor.jpg' }).getByText('0% labeled').waitFor();
    await h.screenshot('10-masks-imported');
  });

  it('shows the progress of an import beside a Cancel button that stops it (issue 25, item 11)', async () => {
    const h = harness();
    const { page, dialogs } = h;
    const images = join(h.tmp, 'many');
    mkdirSync(images);
    await makeFixtures(images);
    await h.call('project.create', { grant: h.grant(join(h.tmp, 'cancel.maskwright'), 'project.create') });
    await h.open();
    await expectProject(page, 'cancel');

    // Hold the import at its search (as a folder of many thousand files does) until Cancel is pressed;
    // then the real import starts and the real cancel stops it.
    const invoke = h.registry.invoke.bind(h.registry);
    let pressed!: () => void;
    const cancelPressed = new Promise<void>((r) => (pressed = r));
    const calls: string[] = [];
    h.registry.invoke = (async (channel: string, payload: unknown) => {
      calls.push(channel);
      if (channel === 'images.cancelImport') {
        pressed();
        return { ok: true, value: { cancelling: true } };
      }
      if (channel !== 'images.import') return invoke(channel as never, payload as never);
      h.emit('import.progress', { done: 0, total: 0, name: '', found: 1234 });
      await cancelPressed;
      const running = invoke('images.import', payload as never);
      await invoke('images.cancelImport', undefined);
      return running;
    }) as typeof h.registry.invoke;

    dialogs.folderPath = images;
    await header(page).getByRole('button', { name: 'Import folder…' }).click();
    await header(page).getByText('Found 1234 images…').waitFor();
    for (const [w, hgt] of [
      [1024, 700],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width: w, height: hgt });
      await h.screenshot(`11-import-cancel-${w}x${hgt}`);
    }
    await header(page).getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('Import cancelled while looking for images: nothing was imported').waitFor();
    expect(calls).toContain('images.cancelImport');
    expect(await header(page).getByRole('button', { name: 'Cancel' }).count()).toBe(0);
    await header(page).getByRole('button', { name: 'Import folder…' }).waitFor({ state: 'visible' });
    expect(await h.call('images.list')).toEqual([]);
    await h.screenshot('11-import-cancelled');
  });
});
