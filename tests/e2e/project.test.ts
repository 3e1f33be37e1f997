/**
 * The scenario in the built renderer: create a project, import three images of which one is
 * corrupt, see two thumbnails and one error, add classes, reload, close and reopen: all still there.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchHarness, type Harness } from './harness';
import { makeFixtures } from './fixtures';

let h: Harness;

beforeEach(async () => {
  h = await launchHarness();
});

afterEach(async () => {
  const problems = [...h.problems];
  await h.close();
  expect(problems, 'console errors, page errors or blocked requests').toEqual([]);
});

const header = (page: Page) => page.getByRole('banner');
const thumbnails = (page: Page) => page.getByRole('list', { name: 'Image grid' }).getByRole('img');
const classRows = (page: Page) => page.getByRole('list', { name: 'Class list' }).getByRole('listitem');

/** Waits until `count` thumbnails show loaded data-URL images, and returns their alt texts. */
async function loadedThumbnails(page: Page, count: number): Promise<string[]> {
  await expect.poll(() => thumbnails(page).count()).toBe(count);
  const imgs = await thumbnails(page).all();
  for (const img of imgs) {
    expect(await img.getAttribute('src')).toMatch(/^data:image\/(jpeg|png|webp);base64,/);
    await expect
      .poll(() => img.evaluate((el) => (el as unknown as { complete: boolean; naturalWidth: number }).naturalWidth))
      .toBeGreaterThan(0);
  }
  return Promise.all(imgs.map(async (img) => (await img.getAttribute('alt')) ?? ''));
}

async function expectClasses(page: Page, names: string[]): Promise<void> {
  await expect.poll(() => classRows(page).evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label')))).toEqual(names);
}

describe('project lifecycle', () => {
  it('creates a project, imports images with one corrupt file, adds classes, and finds everything after reload and reopen', async () => {
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
    await header(page).getByRole('heading', { name: 'e2e' }).waitFor();
    await page.getByText('Drop images here or use Import images…').waitFor();
    await h.screenshot('02-empty-project');

    dialogs.imagePaths = fx.all.map((f) => f.path);
    await header(page).getByRole('button', { name: 'Import images…' }).click();
    const alts = await loadedThumbnails(page, 2);
    expect(alts.sort()).toEqual(['harbor.jpg', 'meadow.png']);
    expect(dialogs.calls.pickImages).toBe(1);

    const report = page.getByRole('status', { name: 'Import report' });
    await report.getByText('Imported 2 images').waitFor();
    await report.getByText('1 file could not be imported').waitFor();
    await report.getByText('broken.jpg').waitFor();
    expect(await report.getByRole('listitem').count()).toBe(1);
    await page.getByRole('article', { name: 'meadow.png' }).getByText('64×48').waitFor();
    await page.getByRole('article', { name: 'meadow.png' }).getByText('0% labeled').waitFor();
    await h.screenshot('03-project-imported-with-error');

    await report.getByRole('button', { name: 'Dismiss import report' }).click();
    await report.waitFor({ state: 'detached' });

    // Two classes, one by Enter and one by the button.
    const name = page.getByLabel('New class name');
    await name.fill('road');
    await name.press('Enter');
    await expectClasses(page, ['road']);
    await name.fill('sky');
    await page.getByRole('button', { name: 'Add class' }).click();
    await expectClasses(page, ['road', 'sky']);
    expect(await name.inputValue()).toBe('');
    await h.screenshot('04-class-list');

    // The split select writes through to the database.
    await page.getByLabel('Split for meadow.png').selectOption('train');
    await expect.poll(async () => (await h.call('images.list')).find((i) => i.name === 'meadow.png')?.split).toBe('train');

    const dbClasses = await h.call('classes.list');
    expect(dbClasses.map((c) => c.name)).toEqual(['road', 'sky']);

    // Reload: the renderer asks for the current project and shows it again.
    await page.reload();
    await header(page).getByRole('heading', { name: 'e2e' }).waitFor();
    expect((await loadedThumbnails(page, 2)).sort()).toEqual(['harbor.jpg', 'meadow.png']);
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
    await header(page).getByRole('heading', { name: 'e2e' }).waitFor();
    expect((await loadedThumbnails(page, 2)).sort()).toEqual(['harbor.jpg', 'meadow.png']);
    await expectClasses(page, ['road', 'sky']);
    await header(page).getByText('2 images · 2 classes').waitFor();

    // And once more from the recent-projects list.
    await header(page).getByRole('button', { name: 'Close project' }).click();
    await recent.getByRole('button', { name: /e2e/ }).click();
    await header(page).getByRole('heading', { name: 'e2e' }).waitFor();
    expect((await loadedThumbnails(page, 2)).sort()).toEqual(['harbor.jpg', 'meadow.png']);
    await expectClasses(page, ['road', 'sky']);
    expect(dialogs.calls.openProject).toBe(1);
  });

  it('greys out a recent project whose file is gone and removes it from the list', async () => {
    const { page } = h;
    const gone = join(h.tmp, 'gone.maskwright');
    await h.call('project.create', { path: gone });
    await h.call('project.close');
    const { rmSync } = await import('node:fs');
    rmSync(gone);

    await h.open();
    const recent = page.getByRole('list', { name: 'Recent projects' });
    await recent.getByText('Not found').waitFor();
    expect(await recent.getByRole('button', { name: /^gone/ }).count()).toBe(0);
    await recent.getByRole('button', { name: 'Remove gone from recent projects' }).click();
    await page.getByText('No recent projects yet').waitFor();
    expect(await h.call('project.recent')).toEqual([]);
  });

  it('reports a duplicate import by name', async () => {
    const { page, dialogs } = h;
    const fx = await makeFixtures(h.tmp);
    const { copyFileSync } = await import('node:fs');
    const copy = join(h.tmp, 'meadow-copy.png');
    copyFileSync(fx.png.path, copy);

    await h.call('project.create', { path: join(h.tmp, 'dups.maskwright') });
    await h.open();
    await header(page).getByRole('heading', { name: 'dups' }).waitFor();

    dialogs.imagePaths = [fx.png.path];
    await header(page).getByRole('button', { name: 'Import images…' }).click();
    await loadedThumbnails(page, 1);

    dialogs.imagePaths = [fx.png.path, copy];
    await header(page).getByRole('button', { name: 'Import images…' }).click();
    const report = page.getByRole('status', { name: 'Import report' });
    await report.getByText('2 duplicates skipped').waitFor();
    await report.getByText('Imported 0 images').waitFor();
    await report.getByText('meadow-copy.png').waitFor();
    await report.getByText('same content as meadow.png').waitFor();
    await report.getByText('already in the project').waitFor();
    await h.screenshot('07-duplicates');
    expect(await thumbnails(page).count()).toBe(1);
    expect((await h.call('images.list')).length).toBe(1);
  });
});
