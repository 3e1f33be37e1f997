/**
 * Training that cannot start (issue 11, major 10): with images and classes but no labels, Start
 * training says in plain words what to do, and no run (failed or otherwise) appears in the history.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeImage } from '../helpers/fixtures';
import { useHarness } from './harness';
import { expectProject, header, loadedThumbnails } from './ui';

const harness = useHarness();

describe('training readiness', () => {
  it('explains why training cannot start and creates no run', async () => {
    const h = harness();
    const { page } = h;
    await h.call('project.create', { grant: h.grant(join(h.tmp, 'empty.maskwright'), 'project.create') });
    const data = new Uint8Array(await makeImage(64, 48, 'png', 1));
    await h.call('images.importFiles', { files: [{ name: 'street.png', data }] });
    await h.call('classes.add', { name: 'road', color: '#804080' });
    await h.call('classes.add', { name: 'sky', color: '#4080c0' });
    await h.open();
    await expectProject(page, 'empty');
    await loadedThumbnails(page, 1);

    await header(page).getByRole('button', { name: 'Train', exact: true }).click();
    const view = page.getByRole('region', { name: 'Training' });
    await view.getByRole('button', { name: 'Start training' }).click();
    const alert = view.getByRole('alert');
    await alert.getByText(/^No image is labeled yet\. Paint at least one image/).waitFor();
    for (const [w, hgt] of [
      [1024, 700],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width: w, height: hgt });
      await h.screenshot(`train-not-ready-${w}`);
    }
    expect(await h.call('runs.list')).toEqual([]);
    await view.getByText('No runs yet.').waitFor();

    // Exporting masks of a project without labels: not a green "Exported 0 files", and the skipped
    // image is named with why.
    h.dialogs.folderPath = join(h.tmp, 'out');
    await header(page).getByRole('button', { name: 'Export…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export' });
    await dialog.getByLabel('Only labels you made (painted or imported)').check();
    await dialog.getByRole('button', { name: 'Choose folder…' }).click();
    await dialog.getByLabel('Export result').getByText('Nothing exported: no image has labels yet.').waitFor();
    await dialog.getByText('Skipped 1 image without labels').click();
    await dialog.getByText('street.png').waitFor();
    await h.screenshot('export-nothing-1920');
    await page.setViewportSize({ width: 1024, height: 700 });
    await h.screenshot('export-nothing-1024');
  });
});
