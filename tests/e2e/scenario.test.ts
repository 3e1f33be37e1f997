/**
 * Issue 6's scenario in one run, in Chromium with the real registry and the built workers: train a short
 * run from the Train view and watch it finish, show a prediction in the editor and accept it, export the
 * masks and the model from the Export dialog; then check the exported masks against the stored labels
 * and load the exported model with plain TensorFlow.js, which must reproduce the app's prediction.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { decode } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { predictImage } from '../../trainer/predict';
import { SIZE, buildTrainingWorker, makeProject } from '../helpers/training';
import { useHarness } from './harness';
import { expectProject, header, loadedThumbnails } from './ui';

const harness = useHarness();

describe('train, predict, accept, export', () => {
  beforeAll(() => {
    buildTrainingWorker();
  });

  it('runs the whole loop from the UI, and the exported files hold what the app shows', async () => {
    const h = harness();
    const { page, dialogs } = h;
    const path = await makeProject(h.tmp, 'loop.maskwright');
    // Image 1 keeps a single painted pixel: the prediction will fill the rest.
    const n = SIZE * SIZE;
    const classes = new Uint8Array(n).fill(255);
    const provenance = new Uint8Array(n);
    const first = await (async () => {
      await h.call('project.open', { grant: h.grant(path, 'project.open') });
      return h.call('labels.load', { imageId: 1 });
    })();
    classes[0] = first.classes[0]!;
    provenance[0] = 1;
    await h.call('labels.save', { imageId: 1, classes, provenance });

    await h.open();
    await expectProject(page, 'loop');
    await loadedThumbnails(page, 3);

    // 1. Train from the Train view; the progress and charts update until the run completes.
    await header(page).getByRole('button', { name: 'Train', exact: true }).click();
    const view = page.getByRole('region', { name: 'Training' });
    await view.getByRole('button', { name: 'Advanced' }).click();
    await view.getByLabel('Epochs').fill('4');
    await view.getByLabel('Minutes').fill('');
    await view.getByLabel('Working width').fill('32');
    await view.getByLabel('Working height').fill('32');
    await view.getByLabel('Batch size').fill('1');
    await view.getByLabel('Learning rate').fill('0.01');
    await view.getByLabel('Model width').fill('4');
    await view.getByLabel('Depth').fill('2');
    await view.getByLabel('Backend').selectOption('cpu');
    await view.getByRole('button', { name: 'Start training' }).click();
    const progress = view.getByRole('region', { name: 'Training progress' });
    await expect
      .poll(() => progress.getByTestId('run-status').textContent(), { timeout: 90_000, interval: 250 })
      .toMatch(/Completed/);
    // The step-loss chart says its last point ("… at step N, between …"): more than one step was drawn.
    const summary =
      (await progress.getByRole('figure', { name: 'Loss per step' }).getByRole('img').getAttribute('aria-label')) ?? '';
    expect(Number(/ at step (\d+),/.exec(summary)?.[1] ?? 0)).toBeGreaterThan(1);
    await h.screenshot('scenario-trained');

    // 2. Show the prediction for image 1 in the editor and accept it.
    await page.getByRole('button', { name: '← Images' }).click();
    const image = (await h.call('images.list')).find((i) => i.id === 1)!;
    await page.getByRole('button', { name: `Open ${image.name} in the editor` }).click();
    const editor = page.getByRole('region', { name: 'Label editor' });
    await editor.getByRole('heading', { name: image.name, exact: true }).waitFor();
    await editor.getByText('Loading…').waitFor({ state: 'detached' });
    await page.keyboard.press('m');
    const panel = page.getByRole('region', { name: 'Prediction' });
    await panel.and(page.locator('[data-phase="preview"]')).waitFor({ timeout: 60_000 });
    await page.keyboard.press('Enter');
    await panel.waitFor({ state: 'detached' });
    const prediction = await h.call('predict.image', { imageId: 1 });
    await expect
      .poll(async () => {
        const m = await h.call('labels.load', { imageId: 1 });
        return m.provenance.filter((p) => p === 3).length;
      })
      .toBe(n - 1);
    const labels = await h.call('labels.load', { imageId: 1 });
    for (let i = 1; i < n; i++) expect(labels.classes[i]).toBe(prediction.values[i]);
    expect([labels.classes[0], labels.provenance[0]]).toEqual([classes[0], 1]);

    // 3. Export masks and the model from the Export dialog.
    const exportTo = async (option: RegExp, dir: string, files: number) => {
      await header(page).getByRole('button', { name: 'Export…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Export' });
      await dialog.getByRole('radio', { name: option }).check();
      dialogs.folderPath = dir;
      await dialog.getByRole('button', { name: 'Choose folder…' }).click();
      await dialog.getByText(`Exported ${files} files to ${dir}`).waitFor();
      await dialog.getByRole('button', { name: 'Done' }).click();
      await dialog.waitFor({ state: 'detached' });
    };
    const masksDir = join(h.tmp, 'masks-out');
    const modelDir = join(h.tmp, 'model-out');
    await exportTo(/Masks/, masksDir, 6);
    await exportTo(/Model \(TensorFlow\.js\)/, modelDir, 3);

    // The exported mask of image 1 is exactly the stored (accepted) labels.
    const mask = decode(readFileSync(join(masksDir, 'masks', `${image.name.replace(/\.png$/, '')}.png`)));
    expect(Buffer.compare(Buffer.from(mask.data as Uint8Array), Buffer.from(labels.classes))).toBe(0);

    // The exported model, loaded with plain TensorFlow.js, predicts what the app predicted.
    const json = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
    const bin = readFileSync(join(modelDir, 'weights.bin'));
    await tf.setBackend('cpu');
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      }),
    );
    const meta = json.userDefinedMetadata.maskwright;
    const rgb = (await import('sharp')).default;
    const original = await h.call('images.original', { id: 1 });
    const pixels = await rgb(Buffer.from(original.data)).removeAlpha().raw().toBuffer();
    const mine = await predictImage(model, new Uint8Array(pixels), SIZE, SIZE, [
      meta.inputSize.height,
      meta.inputSize.width,
    ]);
    const values = meta.classes.map((c: { value: number }) => c.value);
    // The app predicts on wasm, this check on cpu: labels may differ only at near-ties.
    for (let i = 0; i < n; i++) {
      if (values[mine.classes[i]!] !== prediction.values[i]) expect(mine.confidence[i]!).toBeLessThanOrEqual(128);
    }
    model.dispose();
    await h.screenshot('scenario-exported');
  });
});
