/** Class management in the sidebar, checked against the database through the registry. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveLabelMap } from '../../db/labelmaps';
import { useHarness, type Harness } from './harness';
import { makeFixtures } from './fixtures';
import { classRows, expectClasses, expectProject } from './ui';

const harness = useHarness();

/**
 * A project with one 64x48 image whose label map holds 1000 "road", 500 "sky" and 300 "car" pixels
 * (the rest unlabeled), opened in the page.
 */
async function labeledProject(h: Harness): Promise<{ imageId: number }> {
  const fx = await makeFixtures(h.tmp);
  await h.call('project.create', { grant: h.grant(join(h.tmp, 'classes.maskwright'), 'project.create') });
  const report = await h.call('images.import', { grant: h.grant([fx.png.path], 'images.import') });
  const imageId = report.imported[0]!.id;
  const road = await h.call('classes.add', { name: 'road' });
  const sky = await h.call('classes.add', { name: 'sky' });
  const car = await h.call('classes.add', { name: 'car' });
  const n = 64 * 48;
  const classes = new Uint8Array(n).fill(255);
  classes.fill(road.value, 0, 1000);
  classes.fill(sky.value, 1000, 1500);
  classes.fill(car.value, 1500, 1800);
  saveLabelMap(h.session.require().db, imageId, {
    width: 64,
    height: 48,
    classes,
    provenance: new Uint8Array(n).fill(1),
  });
  await h.open();
  await expectProject(h.page, 'classes');
  await expectClasses(h.page, ['road', 'sky', 'car']);
  return { imageId };
}

const dbClasses = async (h: Harness) => (await h.call('classes.list')).map((c) => ({ name: c.name, color: c.color }));

describe('class list', () => {
  it('renames, recolors, reorders, merges and deletes classes with confirmation', async () => {
    const h = harness();
    const { page } = h;
    await labeledProject(h);
    await page.getByRole('article', { name: 'meadow.png' }).getByText('59% labeled').waitFor(); // 1800 / 3072

    // Shortcut numbers follow the order.
    expect(await classRows(page).first().innerText()).toContain('1');

    // Rename inline (Enter commits).
    await page.getByRole('button', { name: 'Rename road' }).click();
    const rename = page.getByLabel('New name for road');
    await rename.fill('street');
    await rename.press('Enter');
    await expectClasses(page, ['street', 'sky', 'car']);
    expect((await dbClasses(h)).map((c) => c.name)).toEqual(['street', 'sky', 'car']);

    // A refused name shows the API's message inline and keeps the editor open; Escape cancels.
    await page.getByRole('button', { name: 'Rename street' }).click();
    await page.getByLabel('New name for street').fill('SKY');
    await page.getByLabel('New name for street').press('Enter');
    await page.getByRole('alert').getByText('A class named "SKY" already exists').waitFor();
    await page.getByLabel('New name for street').press('Escape');
    await expectClasses(page, ['street', 'sky', 'car']);
    await page.getByRole('button', { name: 'Dismiss class error' }).click();

    // Recolor through the swatch.
    await page.getByLabel('Color of sky').fill('#123456');
    await expect.poll(async () => (await dbClasses(h)).find((c) => c.name === 'sky')?.color).toBe('#123456');

    // Reorder with the arrow buttons.
    await page.getByRole('button', { name: 'Move car up' }).click();
    await expectClasses(page, ['street', 'car', 'sky']);
    expect((await dbClasses(h)).map((c) => c.name)).toEqual(['street', 'car', 'sky']);
    expect(await page.getByRole('button', { name: 'Move street up' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Move sky down' }).isDisabled()).toBe(true);

    // Merge car into street: the dialog says what will happen; Merge applies it.
    await page.getByRole('button', { name: 'Merge car into another class' }).click();
    const merge = page.getByRole('dialog', { name: 'Merge “car” into another class' });
    await merge.getByLabel('Merge into').selectOption({ label: 'street' });
    await merge.getByText('300 labeled pixels').waitFor();
    await merge.getByText('will be relabeled as “street”').waitFor();
    await h.screenshot('06-merge-dialog');
    await merge.getByRole('button', { name: 'Merge', exact: true }).click();
    await merge.waitFor({ state: 'detached' });
    await expectClasses(page, ['street', 'sky']);
    const street = (await h.call('classes.list')).find((c) => c.name === 'street')!;
    expect(await h.call('classes.usage', { id: street.id })).toMatchObject({ pixels: 1300, images: 1 });

    // Delete sky: Cancel keeps it; confirming clears its 500 pixels.
    await page.getByRole('button', { name: 'Delete sky' }).click();
    let del = page.getByRole('dialog', { name: 'Delete class “sky”?' });
    await del.getByText('500 labeled pixels').waitFor();
    await del.getByText('1 image').waitFor();
    await h.screenshot('07-delete-dialog');
    await del.getByRole('button', { name: 'Cancel' }).click();
    await del.waitFor({ state: 'detached' });
    expect((await dbClasses(h)).map((c) => c.name)).toEqual(['street', 'sky']);

    await page.getByRole('button', { name: 'Delete sky' }).click();
    del = page.getByRole('dialog', { name: 'Delete class “sky”?' });
    await del.getByRole('button', { name: 'Delete class' }).click();
    await del.waitFor({ state: 'detached' });
    await expectClasses(page, ['street']);
    expect(await dbClasses(h)).toEqual([{ name: 'street', color: expect.stringMatching(/^#[0-9a-f]{6}$/) }]);
    // The image's labeled fraction follows: 1300 / 3072 pixels.
    await page.getByRole('article', { name: 'meadow.png' }).getByText('42% labeled').waitFor();
    await h.screenshot('08-classes-after-edits');
  });

  it('Escape closes a confirmation without deleting, and number keys select classes', async () => {
    const h = harness();
    const { page } = h;
    await labeledProject(h);

    await page.getByRole('button', { name: 'Delete road' }).click();
    const del = page.getByRole('dialog', { name: 'Delete class “road”?' });
    await del.getByText('1,000 labeled pixels').waitFor();
    await page.keyboard.press('Escape');
    await del.waitFor({ state: 'detached' });
    expect((await dbClasses(h)).map((c) => c.name)).toEqual(['road', 'sky', 'car']);

    await page.locator('body').click({ position: { x: 700, y: 600 } });
    await page.keyboard.press('3');
    expect(await page.getByRole('button', { name: 'Select car' }).getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('1');
    expect(await page.getByRole('button', { name: 'Select road' }).getAttribute('aria-pressed')).toBe('true');
  });
});
