/**
 * The class weights table in the Train view's advanced settings: the computed (median frequency) weights
 * from `train.classWeights` for the checked pixel sources, an override saved with `classes.update`, shown
 * as the effective weight, refused inline when out of range, and cleared again.
 */
import { describe, expect, it } from 'vitest';
import { makeProject } from '../helpers/training';
import { useHarness } from './harness';
import { expectClasses, expectProject, header } from './ui';

const harness = useHarness();

describe('class weights in the Train view', () => {
  it('shows the computed weights and saves, refuses and clears an override', async () => {
    const h = harness();
    const { page, dialogs } = h;
    dialogs.openProjectPath = await makeProject(h.tmp, 'weights.maskwright');
    await h.open();
    await page.getByRole('button', { name: 'Open project…' }).click();
    await expectProject(page, 'weights');
    await expectClasses(page, ['dark', 'bright']);

    await header(page).getByRole('button', { name: 'Train', exact: true }).click();
    const view = page.getByRole('region', { name: 'Training' });
    await view.getByRole('button', { name: 'Advanced' }).click();
    await view.getByText('w = median(freq) / freq; freq = pixels of the class / labeled pixels').waitFor();

    const table = view.getByRole('table', { name: 'Class weights' });
    const cells = (row: number) =>
      table
        .getByRole('row')
        .nth(row + 1)
        .getByRole('cell')
        .allTextContents();
    const sources = ['painted', 'propagated', 'imported'] as const;
    const expected = await h.call('train.classWeights', { sources: [...sources] });
    // Both classes cover half of every image: equal frequencies, so both computed weights are exactly 1.
    expect(expected.map((r) => [r.name, r.computed, r.effective])).toEqual([
      ['dark', 1, 1],
      ['bright', 1, 1],
    ]);
    await expect.poll(() => table.getByRole('row').count()).toBe(3);
    for (const [i, r] of expected.entries()) {
      const [name, pixels, frequency, computed, , effective] = await cells(i);
      expect(name).toBe(r.name);
      expect(pixels).toBe(r.pixels.toLocaleString('en-US'));
      expect(frequency).toBe(r.frequency!.toFixed(3));
      expect(computed).toBe(r.computed.toFixed(3));
      expect(effective).toBe(r.effective.toFixed(3));
    }

    // Only the "painted" source: the generated labels are painted (provenance 1), so the same weights.
    await view.getByLabel('propagated', { exact: true }).uncheck();
    await view.getByLabel('imported', { exact: true }).uncheck();
    const painted = await h.call('train.classWeights', { sources: ['painted'] });
    expect(painted.map((r) => r.computed)).toEqual([1, 1]);
    await expect.poll(async () => (await cells(0))[3]).toBe('1.000');

    // An override: saved to the class, shown as the effective weight.
    const override = view.getByLabel('Weight override for bright');
    await override.fill('2.5');
    await override.press('Enter');
    await expect.poll(async () => (await cells(1))[5]).toBe('2.500');
    expect((await h.call('classes.list')).map((c) => [c.name, c.weightOverride])).toEqual([
      ['dark', null],
      ['bright', 2.5],
    ]);
    expect((await cells(1))[3]).toBe('1.000');
    await h.screenshot('training-weights');

    // A negative weight is refused inline, and the saved override stays.
    await override.fill('-1');
    await override.press('Enter');
    await view.getByText(/expected number to be >=0/).waitFor();
    expect(await override.getAttribute('aria-invalid')).toBe('true');
    expect((await h.call('classes.list'))[1]!.weightOverride).toBe(2.5);

    // Cleared: back to the computed weight.
    await override.fill('');
    await override.press('Enter');
    await expect.poll(async () => (await cells(1))[5]).toBe('1.000');
    expect(await override.getAttribute('aria-invalid')).toBeNull();
    expect((await h.call('classes.list'))[1]!.weightOverride).toBeNull();

    // 0 ignores a class.
    await view.getByLabel('Weight override for dark').fill('0');
    await view.getByLabel('Weight override for dark').press('Enter');
    await expect.poll(async () => (await cells(0))[5]).toBe('0');
    expect((await h.call('classes.list'))[0]!.weightOverride).toBe(0);
  });
});
