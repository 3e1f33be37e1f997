/**
 * The PyTorch training job (`export --what pytorch-job`, train.py, `import-model`) against Maskwright's
 * own trainer, with Debian's python3-torch (CPU): `torchrun --nproc_per_node 2` (gloo) runs two steps from
 * weights exported from TF.js; the first step's loss on process 0's batch equals Maskwright's loss for the
 * same weights and batch within 1e-4 (computed here with trainer/, from samples loaded here, with class
 * weights computed here, an override included), and so does the second step's after Maskwright's own
 * update (Adam with weight decay on the two processes' mean gradient, at the schedule's rate); after import, Maskwright's prediction equals PyTorch's
 * within 1e-4, and the run is recorded as trained elsewhere with the job's epochs.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointMeta } from '../../core/training/checkpoint';
import { classHistogram, medianFrequencyWeights, mergeClassWeights } from '../../core/training/weights';
import { listClasses, updateClass } from '../../db/classes';
import { activeCheckpoint, createRun, getRun, listEpochs, recordEpoch } from '../../db/runs';
import { loadSamples } from '../../services/dataset';
import { runExport } from '../../services/export';
import { JOB_NORMALIZATION } from '../../services/pytorch-job/job';
import { Project } from '../../services/project';
import { importModelCmd } from '../../cli/import-model';
import { weightedSoftmaxCrossEntropy } from '../../trainer/loss';
import { buildUNet, INPUT_NORMALIZATION, normalizeImages } from '../../trainer/model';
import { flipRows } from '../../trainer/run/data';
import { ScheduledAdam } from '../../trainer/optimizer';
import { budgetFraction, learningRateAt } from '../../core/training/schedule';
import { deserializeModel, serializeModel } from '../../trainer/run/checkpoint';
import { tempDir } from '../helpers/fixtures';
import { pythonWith } from '../helpers/python';
import { makeProject, SIZE } from '../helpers/training';

const python = pythonWith('torch', 'numpy');

const SETTINGS = {
  width: SIZE,
  height: SIZE,
  epochs: 2,
  batchSize: 1,
  weightDecay: 0.05,
  baseFilters: 4,
  depth: 2,
  stem: 2 as const,
  dropout: 0, // dropout masks cannot be shared between the two runtimes
  flips: true,
  reduction: 'weightedMean' as const,
  learningRate: 0.01,
  backend: 'cpu' as const,
};

describe.skipIf(!python)('PyTorch training job', () => {
  const tmp = tempDir('mw-torch-job-');
  let path: string;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    path = await makeProject(tmp.dir, 'p.maskwright');
  });
  afterAll(() => tmp.cleanup());

  it('two steps under torchrun (2 processes, gloo): the losses of both steps and the imported prediction equal Maskwright within 1e-4', async () => {
    // The starting weights come from TF.js, through a checkpoint the job is exported from.
    const project = Project.open(path);
    const db = project.db;
    const classes = listClasses(db);
    updateClass(db, classes[1]!.id, { weightOverride: 2.5 });
    const model = buildUNet({ numClasses: 2, baseFilters: 4, depth: 2, stem: 2, dropout: 0, seed: 3 });
    // Non-trivial batch-norm statistics and offsets, so a wrong layout or momentum shows.
    model.setWeights(
      model.getWeights().map((w, i) => (w.shape.length === 1 ? tf.randomUniform(w.shape, 0.2, 0.8, 'float32', i) : w)),
    );
    const s = await serializeModel(model);
    const runId = createRun(db, SETTINGS);
    const checkpointId = recordEpoch(
      db,
      { runId, epoch: 0, trainLoss: null, valLoss: null, metrics: {} },
      {
        modelTopology: s.modelTopology,
        weights: s.weightData,
        metadata: {
          weightSpecs: s.weightSpecs as CheckpointMeta['weightSpecs'],
          classValues: classes.map((c) => c.value),
          classNames: classes.map((c) => c.name),
          classColors: classes.map((c) => c.color),
          inputSize: [SIZE, SIZE],
          normalization: INPUT_NORMALIZATION,
        },
      },
    )!;
    const jobDir = join(tmp.dir, 'job');
    const report = await runExport(db, 'pytorch-job', jobDir, { checkpointId });
    expect(report.kind).toBe('pytorch-job');
    const job = JSON.parse(readFileSync(join(jobDir, 'job.json'), 'utf8'));
    expect(job.normalization).toBe(INPUT_NORMALIZATION);
    expect(JOB_NORMALIZATION).toBe(INPUT_NORMALIZATION);
    expect(job.split).toMatchObject({ train: ['img0.png', 'img1.png'], val: ['img2.png'] });

    // The samples and the class weights as the training process makes them, computed here.
    const { samples } = await loadSamples(db, {
      width: SIZE,
      height: SIZE,
      sources: ['painted', 'propagated', 'imported'],
      splits: ['train', 'val', 'unassigned'],
    });
    const train = samples.filter((x) => x.split === 'train');
    const weights = Array.from(
      mergeClassWeights(
        medianFrequencyWeights(
          train.map((x) => classHistogram(x.labels!, 2)),
          2,
        ).weights,
        [null, 2.5],
      ),
    );
    expect(job.classWeights).toEqual(weights);
    project.close();

    const out = join(tmp.dir, 'out');
    const r = spawnSync(
      python!,
      [
        '-m',
        'torch.distributed.run',
        '--nproc_per_node',
        '2',
        // Debian bookworm's torch 1.13 under Python 3.11 fails on torchrun's default "0" for these
        // (enum.Flag no longer lists the zero member); 2 = stderr teed, stdout as is.
        '--redirects',
        '2',
        '--tee',
        '2',
        // A free port of its own (the c10d rendezvous on localhost), never one another test holds.
        '--standalone',
        'train.py',
        '--out',
        out,
        '--max-steps',
        '2',
        '--log-steps',
        join(tmp.dir, 'log'),
      ],
      {
        cwd: jobDir,
        encoding: 'utf8',
        env: { ...process.env, OMP_NUM_THREADS: '1', GLOO_SOCKET_IFNAME: 'lo' },
        timeout: 180_000,
      },
    );
    expect(r.stderr + r.stdout).toContain('saved');
    expect(r.status).toBe(0);

    // Each logged batch through Maskwright's own model and loss (training mode: batch statistics).
    const log = (step: number, rank: number) =>
      JSON.parse(readFileSync(join(tmp.dir, `log.${step}.${rank}.json`), 'utf8')) as {
        names: string[];
        flips: boolean[];
        loss: number;
        learningRate: number;
      };
    const lossOf = (entry: ReturnType<typeof log>): tf.Scalar => {
      const batch = entry.names.map((n) => train.find((x) => x.name === n)!);
      const pick = (x: Uint8Array, i: number, channels: number) =>
        entry.flips[i] ? flipRows(x, SIZE, SIZE, channels) : x;
      return tf.tidy(() => {
        const images = normalizeImages(
          tf.tensor4d(
            Uint8Array.from(batch.flatMap((x, i) => [...pick(x.rgb, i, 3)])),
            [batch.length, SIZE, SIZE, 3],
            'int32',
          ),
        );
        const labels = tf.tensor3d(
          Int32Array.from(batch.flatMap((x, i) => [...pick(x.labels!, i, 1)])),
          [batch.length, SIZE, SIZE],
          'int32',
        );
        const logits = model.apply(images, { training: true }) as tf.Tensor4D;
        return weightedSoftmaxCrossEntropy(logits, labels, weights, {
          reduction: 'weightedMean',
          sampleWeights: batch.map((x) => x.sampleWeight),
        });
      });
    };
    const first = log(0, 0);
    const expected = (await lossOf(first).data())[0]!;
    if (process.env['MW_PRINT_PARITY']) console.log(`torch first-step loss ${first.loss}, Maskwright ${expected}`);
    expect(Math.abs(first.loss - expected)).toBeLessThan(1e-4);
    expect(expected).toBeGreaterThan(0.05);

    // The second step after Maskwright's own update: DistributedDataParallel averages the two processes'
    // gradients, so the update here is ScheduledAdam (with the decay) on the mean of both batches' gradients,
    // at the rate of the run's schedule (2 steps in all: 1 per epoch with 2 images on 2 processes).
    const rate = learningRateAt('hold-decay', SETTINGS.learningRate, budgetFraction(0, 2, 0, undefined), 0);
    expect(first.learningRate).toBeCloseTo(rate, 12);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const grads = [log(0, 0), log(0, 1)].map((entry) => tf.variableGrads(() => lossOf(entry), vars).grads);
    const mean = Object.fromEntries(
      Object.keys(grads[0]!).map((k) => [k, tf.div(tf.add(grads[0]![k]!, grads[1]![k]!), 2)]),
    );
    const optimizer = new ScheduledAdam(SETTINGS.learningRate, SETTINGS.weightDecay);
    optimizer.rate = first.learningRate;
    optimizer.applyGradients(mean);
    tf.dispose([...grads.flatMap((g) => Object.values(g)), ...Object.values(mean)]);
    const second = log(1, 0);
    const expectedSecond = (await lossOf(second).data())[0]!;
    if (process.env['MW_PRINT_PARITY'])
      console.log(`torch second-step loss ${second.loss}, Maskwright ${expectedSecond}`);
    expect(Math.abs(second.loss - expectedSecond)).toBeLessThan(1e-4);
    optimizer.dispose();
    model.dispose();

    // Import: a run trained elsewhere, its checkpoint the active model, predicting what PyTorch predicts.
    expect(await importModelCmd.run([path, out], {})).toBe(0);
    const again = Project.open(path);
    try {
      const c = activeCheckpoint(again.db)!;
      const run = getRun(again.db, c.runId);
      expect(run.status).toBe('completed');
      expect(run.backend).toMatch(/^trained elsewhere: PyTorch .*2 process\(es\) on cpu/);
      expect(listEpochs(again.db, run.id)).toHaveLength(2);
      expect(listEpochs(again.db, run.id)[0]!.metrics.metricsOn).toBe('val');
      const check = JSON.parse(readFileSync(join(out, 'prediction_check.json'), 'utf8'));
      const imported = await deserializeModel({
        modelTopology: c.modelTopology,
        weightSpecs: c.metadata.weightSpecs as tf.io.WeightsManifestEntry[],
        weightData: c.weights,
      });
      const sample = train.find((x) => x.name === check.name)!;
      const x = normalizeImages(tf.tensor4d(sample.rgb, [1, SIZE, SIZE, 3], 'int32'));
      const z = (await (imported.predict(x) as tf.Tensor).data()) as Float32Array;
      let diff = 0;
      for (let i = 0; i < z.length; i++) diff = Math.max(diff, Math.abs(z[i]! - check.logits[i]));
      if (process.env['MW_PRINT_PARITY']) console.log(`imported prediction max |diff| ${diff}`);
      expect(z.length).toBe(check.logits.length);
      expect(diff).toBeLessThan(1e-4);
      // The weights moved in the two steps: the import is not the starting checkpoint again.
      expect(Buffer.compare(Buffer.from(c.weights), Buffer.from(s.weightData))).not.toBe(0);
      tf.dispose([x]);
      imported.dispose();
    } finally {
      again.close();
    }
  }, 300_000);
});
