/**
 * WebGPU in the Train view, with the real registry and the built worker: the backend selector offers
 * WebGPU with its adapter and says what auto uses; a WebGPU run whose GPU is lost (fault injection in the
 * worker) fails with a message naming the settings to lower, and "Continue on wasm" resumes from the
 * kept checkpoint for the remaining epochs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTrainingWorker, makeProject } from '../helpers/training';
import { webGpuAdapter } from '../helpers/webgpu';
import { adapterName } from '../../core/training/backends';
import { useHarness } from './harness';
import { expectProject, header } from './ui';

const harness = useHarness();

describe('WebGPU in the Train view', () => {
  beforeAll(() => {
    buildTrainingWorker();
    process.env.MASKWRIGHT_TEST_LOSE_GPU_AT_STEP = '3';
  });
  afterAll(() => {
    delete process.env.MASKWRIGHT_TEST_LOSE_GPU_AT_STEP;
  });

  it('offers WebGPU with its adapter, and continues a run whose GPU was lost on the next backend', async ({ skip }) => {
    const adapter = await webGpuAdapter();
    if (!adapter) return skip();
    const h = harness();
    const { page, dialogs } = h;
    const shots = async (name: string) => {
      for (const [width, height] of [
        [1024, 700],
        [1920, 1080],
      ] as const) {
        await page.setViewportSize({ width, height });
        await h.screenshot(`${name}-${width}x${height}`);
      }
      await page.setViewportSize({ width: 1280, height: 800 });
    };
    dialogs.openProjectPath = await makeProject(h.tmp, 'gpu.maskwright');
    await h.open();
    await page.getByRole('button', { name: 'Open project…' }).click();
    await expectProject(page, 'gpu');
    await header(page).getByRole('button', { name: 'Train', exact: true }).click();
    const view = page.getByRole('region', { name: 'Training' });
    await view.getByRole('button', { name: 'Advanced' }).click();

    const select = view.getByTestId('backend-select');
    const name = adapterName(adapter);
    const kind = adapter.software ? 'software' : 'hardware';
    await expect
      .poll(() => select.locator('option[value="webgpu"]').textContent(), { timeout: 30_000 })
      .toBe(`WebGPU: ${name} (${kind})`);
    // Here: a software adapter, so auto uses wasm and says so.
    const auto = adapter.software ? 'wasm' : `webgpu on ${name}`;
    expect(await select.locator('option[value="auto"]').textContent()).toBe(`Auto (${auto})`);
    const full = adapter.description || adapter.device;
    expect(await view.getByTestId('backend-line').textContent()).toBe(
      `auto uses ${adapter.software ? 'wasm' : `webgpu on ${full} (hardware adapter)`}`,
    );
    expect(await select.locator('option[value="tensorflow"]').getAttribute('disabled')).not.toBeNull();

    await view.getByLabel('Epochs').fill('4');
    await view.getByLabel('Minutes').fill('');
    await view.getByLabel('Working width').fill('32');
    await view.getByLabel('Working height').fill('32');
    await view.getByLabel('Batch size').fill('1');
    await view.getByLabel('Model width').fill('4');
    await view.getByLabel('Depth').fill('2');
    await select.selectOption('webgpu');
    if (adapter.software)
      expect(await view.getByTestId('backend-line').textContent()).toBe(
        `webgpu on ${full} (software adapter): slower than wasm on this machine`,
      );
    await shots('webgpu-settings');
    await view.getByRole('button', { name: 'Start training' }).click();

    // 2 steps per epoch: the GPU is lost at step 3, in the second epoch; the first epoch's checkpoint stays.
    const progress = view.getByRole('region', { name: 'Training progress' });
    await progress
      .getByTestId('run-backend')
      .getByText(/Backend webgpu: .*adapter/)
      .waitFor({ timeout: 60_000 });
    await expect
      .poll(() => progress.getByTestId('run-status').textContent(), { timeout: 120_000, interval: 250 })
      .toBe('Failed');
    const message = (await progress.getByTestId('run-message').textContent()) ?? '';
    expect(message).toMatch(/the GPU device was lost/);
    expect(message).toMatch(/batch size \(now 1\) or the working size \(now 32x32\)/);
    expect(message).toMatch(/checkpoint \(epoch 1\) is kept: continue on wasm/);
    const button = progress.getByTestId('continue-on');
    expect(await button.textContent()).toContain('Continue on wasm');
    await shots('webgpu-lost');

    const [failed] = await h.call('runs.list');
    const [checkpoint] = await h.call('runs.checkpoints', { runId: failed!.id });
    delete process.env.MASKWRIGHT_TEST_LOSE_GPU_AT_STEP;
    await button.click();
    await expect
      .poll(() => progress.getByTestId('run-status').textContent(), { timeout: 120_000, interval: 250 })
      .toBe('Completed');
    const runs = await h.call('runs.list');
    const resumed = runs.find((r) => r.id !== failed!.id)!;
    expect(resumed.backend).toMatch(/^wasm/);
    expect(resumed.settings).toMatchObject({ backend: 'wasm', resumeFrom: checkpoint!.id, epochs: 3 });
    const epochs = await h.call('runs.epochs', { runId: resumed.id });
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    // Epochs numbered on from the checkpoint: the last is 4 of 4.
    await progress.getByText(/Epoch 4 \/ 4 · step 2 \/ 2/).waitFor();
    await shots('webgpu-continued');
  });
});
