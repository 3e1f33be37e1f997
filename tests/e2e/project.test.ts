/**
 * The scenario in the built renderer: create a project, import three images of which one is
 * corrupt, see two thumbnails and one error, add classes, reload, close and reopen: all still there.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useHarness } from './harness';
import { makeFixtures } from './fixtures';
import { expectClasses, expectProject, header, importReport, loadedThumbnails } from './ui';

const harness = useHarness();

describe('project lifecycle', () => {
  it('creates a project, imports images with one corrupt file, adds classes, and finds everything after reload and reopen', async () => {
    const h = harness();
    const { page, dialogs } = h;
    const fx = await makeFixtures(h.tmp);
    const projectPath = join(h.tmp, 'e2e.maskwright');

    // A new user sees what Maskwright is and what to do.
    await h.open();
    await page.getByRole('heading', { name: 'Maskwright', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'How it works' }).waitFor();
    await page.getByText('No recent projects yet').waitFor();
    await h.screenshot('01-welcome');

    dialogs.createProjectPath = projectPath;
    await page.getByRole('button', { name: 'New project…' }).click();
    await expectProject(page, 'e2e');
    await page.getByText('Drop images here or use Import images…').waitFor();
    expect(await page.title()).toBe('e2e — Maskwright');
    await h.screenshot('02-empty-project');

    dialogs.imagePaths = fx.all.map((f) => f.path);
    await header(page).getByRole('button', { name: 'Import images…' }).click();
    expect(await loadedThumbnails(page, 2)).toEqual(['harbor.jpg', 'meadow.png']);
    expect(dialogs.calls.pickImages).toBe(1);

    const report = importReport(page);
    await report.getByText('Imported 2 images').waitFor();
    await report.getByText('1 file could not be imported').waitFor();
    await report.getByText('broken.jpg').waitFor();
    await report.getByText(/Corrupt or truncated JPEG/).waitFor();
    expect(await report.getByRole('listitem').count()).toBe(1);
    const meadow = page.getByRole('article', { name: 'meadow.png' });
    await meadow.getByText('64×48').waitFor();
    await meadow.getByText('0% labeled').waitFor();
    await h.screenshot('03-project-imported-with-error');

    await report.getByRole('button', { name: 'Dismiss import report' }).click();
    await report.waitFor({ state: 'detached' });

    // Two classes, one added with Enter and one with the button.
    const name = page.getByLabel('New class name');
    await name.fill('road');
    await name.press('Enter');
    await expectClasses(page, ['road']);
    await name.fill('sky');
    await page.getByRole('button', { name: 'Add class' }).click();
    await expectClasses(page, ['road', 'sky']);
    expect(await name.inputValue()).toBe('');
    await h.screenshot('04-class-list');
    expect((await h.call('classes.list')).map((c) => c.name)).toEqual(['road', 'sky']);

    // The split select writes through to the database.
    await page.getByLabel('Split for meadow.png').selectOption('train');
    await expect
      .poll(async () => (await h.call('images.list')).find((i) => i.name === 'meadow.png')?.split)
      .toBe('train');

    // Reload: the renderer asks for the current project and shows it again.
    await page.reload();
    await expectProject(page, 'e2e');
    expect(await loadedThumbnails(page, 2)).toEqual(['harbor.jpg', 'meadow.png']);
    await expectClasses(page, ['road', 'sky']);
    expect(await page.getByLabel('Split for meadow.png').inputValue()).toBe('train');

    // A real reopen: close the project (its database is closed), then open it from disk.
    await header(page).getByRole('button', { name: 'Close project' }).click();
    await page.getByRole('button', { name: 'Open project…' }).waitFor();
    expect(h.session.project).toBeNull();
    const recent = page.getByRole('list', { name: 'Recent projects' });
    await recent.getByRole('button', { name: /e2e/ }).waitFor();

    dialogs.openProjectPath = projectPath;
    await page.getByRole('button', { name: 'Open project…' }).click();
    await expectProject(page, 'e2e');
    expect(await loadedThumbnails(page, 2)).toEqual(['harbor.jpg', 'meadow.png']);
    await expectClasses(page, ['road', 'sky']);
    await header(page).getByText('2 images · 2 classes').waitFor();
    expect(await page.getByLabel('Split for meadow.png').inputValue()).toBe('train');

    // And once more from the recent-projects list.
    await header(page).getByRole('button', { name: 'Close project' }).click();
    await recent.getByRole('button', { name: /e2e/ }).click();
    await expectProject(page, 'e2e');
    expect(await loadedThumbnails(page, 2)).toEqual(['harbor.jpg', 'meadow.png']);
    await expectClasses(page, ['road', 'sky']);
    expect(dialogs.calls.openProject).toBe(1);
  });

  it('cancelling the new-project dialog stays on the welcome screen', async () => {
    const h = harness();
    await h.open();
    h.dialogs.createProjectPath = null;
    await h.page.getByRole('button', { name: 'New project…' }).click();
    await expect.poll(() => h.dialogs.calls.createProject).toBe(1);
    await h.page.getByRole('button', { name: 'New project…' }).waitFor();
    expect(await h.call('project.current')).toBeNull();
  });

  it('shows an open failure inline and greys out a recent project whose file is gone', async () => {
    const h = harness();
    const { page } = h;
    const gone = join(h.tmp, 'gone.maskwright');
    await h.call('project.create', { grant: h.grant(gone, 'project.create') });
    await h.call('project.close');
    rmSync(gone);

    await h.open();
    const recent = page.getByRole('list', { name: 'Recent projects' });
    await recent.getByText('Not found').waitFor();
    expect(await recent.getByRole('button', { name: /^gone/ }).count()).toBe(0);
    await h.screenshot('05-welcome-recent-missing');

    // Opening a file that does not exist answers an error the user can read.
    h.dialogs.openProjectPath = gone;
    await page.getByRole('button', { name: 'Open project…' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByRole('button', { name: 'Dismiss error' }).click();

    await recent.getByRole('button', { name: 'Remove gone from recent projects' }).click();
    await page.getByText('No recent projects yet').waitFor();
    expect(await h.call('project.recent')).toEqual([]);
  });
});
