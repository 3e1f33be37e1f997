/**
 * Training runs end to end: the built worker process trains on a small generated project, writes one
 * metrics row and one checkpoint per epoch, obeys stop, and a dead process leaves a failed run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLabelMap, saveLabelMap } from '../../db/labelmaps';
import { decodeMask } from '../../services/masks';
import { getRun, latestCheckpoint, listEpochs } from '../../db/runs';
import { Project } from '../../services/project';
import { startTraining } from '../../services/training';
import { nodeFork, workerPath, type ForkWorker } from '../../services/job-process';
import type { TrainMessage } from '../../core/jobs/train';
import { DEFAULT_SCHEDULE } from '../../core/training/schedule';
import { deserializeModel } from '../../trainer/run/checkpoint';
import { predictImage } from '../../trainer/predict';
import { findCheckpoint } from '../../services/predict';
import { loadModel } from '../../worker/predict';
import { tempDir } from '../helpers/fixtures';
import { makeProject, SIZE, TINY_TRAINING } from '../helpers/training';

const root = join(__dirname, '..', '..');

const small = { ...TINY_TRAINING, learningRate: 0.01 };

describe('training runs in a separate process', () => {
  const t = tempDir();
  let worker: string;
  let trained = '';
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), 'node'], { cwd: root });
    worker = workerPath(join(root, 'dist'));
  });
  afterAll(() => t.cleanup());

  it('record metrics and a loadable checkpoint per epoch, and report progress', async () => {
    const path = await makeProject(t.dir, 'a.maskwright');
    const project = Project.open(path);
    const messages: TrainMessage[] = [];
    const handle = startTraining(project.db, path, { ...small, epochs: 2 }, nodeFork, worker, (m) => messages.push(m));
    const done = await handle.done;
    expect(done).toMatchObject({ status: 'completed' });
    const run = getRun(project.db, handle.runId);
    expect(run.status).toBe('completed');
    expect(run.backend).toMatch(/^cpu/);
    const started = messages.find((m) => m.type === 'started') as Extract<TrainMessage, { type: 'started' }>;
    expect(started).toMatchObject({ train: 2, val: 1, size: [SIZE, SIZE] });
    // Both classes cover half of every image: median frequency weights are exactly 1.
    expect(started.classWeights).toEqual([1, 1]);
    // What the run uses: the user's settings, the cpu row of the defaults table for the rest; the run
    // records the same.
    expect(started.settings).toMatchObject({ batchSize: 2, baseFilters: 4, longSide: 256, schedule: DEFAULT_SCHEDULE });
    expect(run.settings).toMatchObject({ batchSize: 2, baseFilters: 4, longSide: 256 });
    expect(messages.filter((m) => m.type === 'step')).toHaveLength(2); // 2 epochs x 1 step of batch 2
    const epochs = listEpochs(project.db, handle.runId);
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1]);
    const metrics = epochs[1]!.metrics as { metricsOn: string; iou: unknown[]; confusion: number[]; pixels: number };
    expect(metrics.metricsOn).toBe('val');
    expect(metrics.pixels).toBe(SIZE * SIZE);
    expect(metrics.confusion.reduce((a, b) => a + b, 0)).toBe(SIZE * SIZE);

    const c = latestCheckpoint(project.db, handle.runId)!;
    expect(c.epoch).toBe(1);
    const meta = c.metadata;
    expect(meta.classNames).toEqual(['dark', 'bright']);
    expect(meta.inputSize).toEqual([SIZE, SIZE]);
    await tf.setBackend('cpu');
    const model = await deserializeModel({
      modelTopology: c.modelTopology,
      weightSpecs: meta.weightSpecs,
      weightData: c.weights,
    });
    const out = model.predict(tf.zeros([1, SIZE, SIZE, 3])) as tf.Tensor;
    expect(out.shape).toEqual([1, SIZE, SIZE, 2]);
    tf.dispose([out]);
    model.dispose();
    project.close();
    trained = path;
  });

  it('validates on labels a person made unless told otherwise, and records which', async () => {
    const path = await makeProject(t.dir, 'person.maskwright');
    const project = Project.open(path);
    // The validation image (id 3): left half painted, right half Fill unlabeled's (propagated).
    const val = loadLabelMap(project.db, 3)!;
    const provenance = Uint8Array.from(val.provenance, (_, i) => (i % SIZE < SIZE / 2 ? 1 : 2));
    saveLabelMap(project.db, 3, { ...val, provenance });
    const run = async (settings: object) => {
      const messages: TrainMessage[] = [];
      const handle = startTraining(project.db, path, { ...small, epochs: 1, ...settings }, nodeFork, worker, (m) =>
        messages.push(m),
      );
      expect(await handle.done).toMatchObject({ status: 'completed' });
      const metrics = listEpochs(project.db, handle.runId)[0]!.metrics as { metricsOn: string; pixels: number };
      const started = messages.find((m) => m.type === 'started') as Extract<TrainMessage, { type: 'started' }>;
      return { metrics, started, record: getRun(project.db, handle.runId).settings as Record<string, unknown> };
    };
    // Default: only the painted half is measured.
    const person = await run({});
    expect(person.metrics).toMatchObject({ metricsOn: 'val', pixels: (SIZE * SIZE) / 2 });
    expect(person.started.validation).toEqual({ labels: 'person', basis: 'default', note: null });
    expect(person.record.validation).toEqual({ labels: 'person', basis: 'default', note: null });
    // Chosen: every trained label, and the run says so in its record and its messages.
    const all = await run({ validateOn: 'trained' });
    expect(all.metrics).toMatchObject({ metricsOn: 'val', pixels: SIZE * SIZE });
    expect(all.record.validation).toMatchObject({
      labels: 'trained',
      basis: 'chosen',
      note: expect.stringMatching(/propagated/),
    });
    project.close();
  });

  it('predicts with the checkpoint and accepts only into unlabeled pixels (CLI)', async () => {
    expect(trained).toBeTruthy();
    // Image 1 gets one painted pixel; everything else is unlabeled.
    const p = Project.open(trained);
    const classes = new Uint8Array(SIZE * SIZE).fill(255);
    const provenance = new Uint8Array(SIZE * SIZE);
    classes[5] = 1; // "bright" painted on the dark side: must survive
    provenance[5] = 1;
    saveLabelMap(p.db, 1, { width: SIZE, height: SIZE, classes, provenance });
    p.close();
    const outDir = join(t.dir, 'pred');
    const r = spawnSync(
      process.execPath,
      [
        join(root, 'bin', 'maskwright.cjs'),
        'predict',
        trained,
        '--image',
        '1',
        '--out',
        outDir,
        '--accept',
        '--backend',
        'cpu',
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/img0\.png: mean confidence [\d.]+%, 1023 pixel\(s\) accepted/);
    const mask = decodeMask(readFileSync(join(outDir, 'img0.png')));
    expect([mask.width, mask.height]).toEqual([SIZE, SIZE]);
    expect(new Set(mask.values).size).toBeLessThanOrEqual(2);
    for (const v of mask.values) expect([0, 1]).toContain(v);
    const q = Project.open(trained);
    const map = loadLabelMap(q.db, 1)!;
    q.close();
    expect([map.classes[5], map.provenance[5]]).toEqual([1, 1]);
    for (let i = 0; i < SIZE * SIZE; i++) {
      if (i === 5) continue;
      expect(map.provenance[i]).toBe(3);
      expect(map.classes[i]).toBe(mask.values[i]);
    }
  });

  it('exports the model in TF.js layers format; plain tfjs loads it and reproduces the predictions', async () => {
    const dir = join(t.dir, 'model');
    const r = spawnSync(
      process.execPath,
      [join(root, 'bin', 'maskwright.cjs'), 'export', trained, '--out', dir, '--what', 'model'],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.userDefinedMetadata.maskwright.classes.map((c: { name: string }) => c.name)).toEqual([
      'dark',
      'bright',
    ]);
    const bin = readFileSync(join(dir, 'weights.bin'));
    // Plain @tensorflow/tfjs: the exported files, handed over as they are read from disk.
    await tf.setBackend('cpu');
    const exported = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      }),
    );
    const p = Project.open(trained);
    const { model, meta } = await loadModel(findCheckpoint(p.db));
    p.close();
    const rgb = new Uint8Array(SIZE * SIZE * 3).map((_, i) => (i * 37) % 256);
    const a = await predictImage(exported, rgb, SIZE, SIZE, meta.inputSize);
    const b = await predictImage(model, rgb, SIZE, SIZE, meta.inputSize);
    expect(Buffer.compare(Buffer.from(a.classes), Buffer.from(b.classes))).toBe(0);
    expect(Buffer.compare(Buffer.from(a.confidence), Buffer.from(b.confidence))).toBe(0);
    exported.dispose();
    model.dispose();
  });

  it('resumes from a checkpoint: its weights, and epochs numbered on from it', async () => {
    const p = Project.open(trained);
    const from = latestCheckpoint(p.db)!;
    // No model width given: the run takes the checkpoint's (4), not the backend's default (16).
    const { baseFilters: _, ...sameButWidth } = small;
    const handle = startTraining(
      p.db,
      trained,
      { ...sameButWidth, epochs: 1, resumeFrom: from.id, learningRate: 1e-9 },
      nodeFork,
      worker,
    );
    expect(await handle.done).toMatchObject({ status: 'completed' });
    const c = latestCheckpoint(p.db, handle.runId)!;
    expect(c.epoch).toBe(from.epoch + 1);
    // With a negligible learning rate the resumed weights stay those of the checkpoint it started from
    // (batch-norm moving statistics aside): compare the logits layer's kernel bytes.
    const meta = (x: typeof c) => x.metadata;
    const logitsKernel = (x: typeof c) => {
      let offset = 0;
      for (const spec of meta(x).weightSpecs) {
        const bytes = spec.shape.reduce((a, b) => a * b, 1) * 4;
        if (spec.name === 'logits/kernel')
          return Array.from(new Float32Array(x.weights.slice(offset, offset + bytes).buffer));
        offset += bytes;
      }
      throw new Error('no logits kernel');
    };
    const before = logitsKernel(from);
    const after = logitsKernel(c);
    after.forEach((v, i) => expect(v).toBeCloseTo(before[i]!, 5));
    p.close();
  });

  it('resumes a run recorded before the stem setting existed with its model (no stem), whatever the table says', async () => {
    const path = await makeProject(t.dir, 'old.maskwright');
    const p = Project.open(path);
    const first = startTraining(p.db, path, { ...small, epochs: 1, stem: 1 }, nodeFork, worker);
    expect(await first.done).toMatchObject({ status: 'completed' });
    // What such a run's record looks like: its settings name no stem.
    const { stem: _, ...old } = getRun(p.db, first.runId).settings as Record<string, unknown>;
    p.db.prepare('UPDATE training_runs SET settings = ? WHERE id = ?').run(JSON.stringify(old), first.runId);
    const from = latestCheckpoint(p.db, first.runId)!;
    const messages: TrainMessage[] = [];
    const resumed = startTraining(p.db, path, { ...small, epochs: 1, resumeFrom: from.id }, nodeFork, worker, (m) =>
      messages.push(m),
    );
    // With the table's stem (BACKEND_DEFAULTS.cpu.stem, 2) the checkpoint's weights would not load.
    expect(await resumed.done).toMatchObject({ status: 'completed' });
    const started = messages.find((m) => m.type === 'started') as Extract<TrainMessage, { type: 'started' }>;
    expect(started.settings).toMatchObject({ stem: 1 });
    expect(getRun(p.db, resumed.runId).settings).toMatchObject({ stem: 1 });
    p.close();
  });

  it('stops when asked, after the current step', async () => {
    const path = await makeProject(t.dir, 'b.maskwright');
    const project = Project.open(path);
    const stopper = { stop: () => {} };
    const handle = startTraining(project.db, path, { ...small, epochs: 1000 }, nodeFork, worker, (m) => {
      if (m.type === 'step') stopper.stop();
    });
    stopper.stop = handle.stop;
    const done = await handle.done;
    expect(done).toMatchObject({ status: 'stopped', message: 'Stopped by the user' });
    expect(getRun(project.db, handle.runId).status).toBe('stopped');
    project.close();
  });

  it('marks the run interrupted when the process is killed, and refuses bad settings', async () => {
    const path = await makeProject(t.dir, 'c.maskwright');
    const project = Project.open(path);
    let kill = () => {};
    const killing: ForkWorker = (m) => {
      const p = nodeFork(m);
      kill = () => p.kill();
      return p;
    };
    const handle = startTraining(project.db, path, { ...small, epochs: 1000 }, killing, worker, (m) => {
      if (m.type === 'step') kill();
    });
    const done = await handle.done;
    // Killed by a signal: interrupted (its finished epochs' checkpoints stay usable), not failed.
    expect(done.status).toBe('interrupted');
    expect(done.message).toMatch(/Interrupted: the training process was killed/);
    expect(getRun(project.db, handle.runId)).toMatchObject({ status: 'interrupted' });
    expect(() => startTraining(project.db, path, { learningRate: 5 }, nodeFork, worker)).toThrow(
      /learningRate|epochs or minutes/,
    );
    expect(() => startTraining(project.db, path, {}, nodeFork, worker)).toThrow(/set epochs or minutes/);
    project.close();
  });
});
