/**
 * The ONNX export (services/onnx/) against TensorFlow.js: the same weights give the same logits in
 * onnxruntime (an independent runtime reading our protobuf) within 1e-4, for every stem and several
 * widths and depths, on random inputs and on a real photograph; the model passes Debian's `onnx` checker
 * where python3-onnx is installed (CI installs it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointMeta } from '../../core/training/checkpoint';
import { addClass } from '../../db/classes';
import { createRun, recordEpoch } from '../../db/runs';
import { runExport } from '../../services/export';
import { buildOnnxModel, inputMultiple } from '../../services/onnx/graph';
import { buildUNet, INPUT_NORMALIZATION, normalizeImages, type UNetConfig } from '../../trainer/model';
import { serializeModel } from '../../trainer/run/checkpoint';
import { tempDir } from '../helpers/fixtures';
import { tempProject } from '../helpers/project';
import { pythonWith } from '../helpers/python';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Random weights everywhere, batch-norm statistics included (fresh ones are 0 and 1: too easy); small
 * moving variances, so that batch norm's epsilon (Keras 1e-3, ONNX's default 1e-5) shows.
 */
function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const r = lcg(seed);
  model.setWeights(
    model.weights.map((w) => {
      const n = w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
      const variance = w.name.includes('moving_variance');
      const scale = w.name.includes('kernel') ? 0.4 : 0.3;
      const values = Float32Array.from({ length: n }, () => (variance ? 0.002 + 0.1 * r() : (r() * 2 - 1) * scale));
      return tf.tensor(values, w.shape as number[]);
    }),
  );
}

/** TF.js logits [N,H,W,C] -> NCHW, as the ONNX graph gives them. */
async function tfLogitsNchw(model: tf.LayersModel, x: tf.Tensor4D): Promise<Float32Array> {
  const out = model.predict(x) as tf.Tensor | tf.Tensor[];
  const logits = Array.isArray(out) ? out[0]! : out;
  const t = tf.transpose(logits, [0, 3, 1, 2]);
  const v = (await t.data()) as Float32Array;
  tf.dispose([out, t]);
  return v;
}

async function onnxLogits(bytes: Uint8Array, x: tf.Tensor4D): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  const nchw = tf.transpose(x, [0, 3, 1, 2]);
  const input = new ort.Tensor('float32', (await nchw.data()) as Float32Array, nchw.shape);
  nchw.dispose();
  const result = await session.run({ image: input });
  await session.release();
  const logits = result['logits']!;
  return { data: logits.data as Float32Array, dims: logits.dims };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

async function toOnnx(model: tf.LayersModel): Promise<Uint8Array> {
  const s = await serializeModel(model);
  return buildOnnxModel({
    modelTopology: s.modelTopology,
    weightSpecs: s.weightSpecs,
    weights: s.weightData,
    metadata: { 'maskwright.test': 'yes' },
  });
}

const SCENE =
  '<svg width="200" height="150"><circle cx="80" cy="60" r="40" fill="#c04020"/><rect x="120" y="90" width="60" height="40" fill="#203080"/></svg>';

const python = pythonWith('onnx');

describe('ONNX export', () => {
  const tmp = tempDir('mw-onnx-');
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => tmp.cleanup());

  const configs: (UNetConfig & { size: [number, number] })[] = [
    { numClasses: 3, baseFilters: 4, depth: 1, size: [8, 12] },
    { numClasses: 5, baseFilters: 3, depth: 2, stem: 2, size: [16, 24] },
    { numClasses: 2, baseFilters: 4, depth: 2, stem: 4, reconstruction: true, size: [32, 16] },
    { numClasses: 4, baseFilters: 2, depth: 3, batchNorm: false, size: [16, 8] },
  ];
  for (const [k, config] of configs.entries()) {
    it(`equals TF.js within 1e-4 on random inputs (stem ${config.stem ?? 1}, width ${config.baseFilters}, depth ${config.depth}${config.batchNorm === false ? ', no batch norm' : ''})`, async () => {
      const model = buildUNet(config);
      randomizeWeights(model, 11 + k);
      const bytes = await toOnnx(model);
      const [h, w] = config.size;
      const x = tf.randomUniform([2, h, w, 3], -1, 1, 'float32', 5 + k) as tf.Tensor4D;
      const expected = await tfLogitsNchw(model, x);
      const got = await onnxLogits(bytes, x);
      expect(got.dims).toEqual([2, config.numClasses, h, w]);
      const diff = maxAbsDiff(got.data, expected);
      if (process.env['MW_PRINT_PARITY']) console.log(`onnx parity ${k}: max |diff| ${diff}`);
      expect(diff).toBeLessThan(1e-4);
      // Not trivially equal: the logits vary.
      expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(0.1);
      expect(inputMultiple((await serializeModel(model)).modelTopology)).toBe((config.stem ?? 1) * 2 ** config.depth!);
      tf.dispose([x]);
      model.dispose();
    });
  }

  it('a dimension that breaks the input size rule is refused by the runtime, not silently misaligned', async () => {
    const model = buildUNet({ numClasses: 3, baseFilters: 2, depth: 2 });
    const bytes = await toOnnx(model);
    const x = tf.zeros([1, 6, 8, 3]) as tf.Tensor4D; // 6 is not a multiple of 4: the skip concat cannot line up
    await expect(onnxLogits(bytes, x)).rejects.toThrow();
    x.dispose();
    model.dispose();
  });

  // A real photograph when the shared data sets are present (CamVid val); a generated photo-like scene else.
  it('equals TF.js within 1e-4 on a real image, through runExport with the metadata in the model', async () => {
    const camvid = resolve(
      process.env['MASKWRIGHT_SHARED'] ?? join(process.cwd(), '..', 'shared'),
      'datasets',
      'camvid',
      'val',
    );
    const W = 96;
    const H = 64;
    const source = existsSync(camvid)
      ? sharp(join(camvid, readdirSync(camvid).sort()[0]!))
      : sharp(
          await sharp({ create: { width: 200, height: 150, channels: 3, background: '#5a7f3c' } })
            .composite([{ input: Buffer.from(SCENE) }])
            .png()
            .toBuffer(),
        );
    const rgb = await source.resize(W, H, { fit: 'fill' }).removeAlpha().raw().toBuffer();

    const t = tempProject();
    try {
      const db = t.project.db;
      addClass(db, 'road', '#804080', 3);
      addClass(db, 'sky', '#808080', 7);
      addClass(db, 'car', '#4000c0', 9);
      const model = buildUNet({ numClasses: 3, baseFilters: 4, depth: 2, stem: 2 });
      randomizeWeights(model, 99);
      const s = await serializeModel(model);
      const runId = createRun(db, {});
      recordEpoch(
        db,
        { runId, epoch: 0, trainLoss: 1, valLoss: 1, metrics: {} },
        {
          modelTopology: s.modelTopology,
          weights: s.weightData,
          metadata: {
            weightSpecs: s.weightSpecs as CheckpointMeta['weightSpecs'],
            classValues: [3, 7, 9],
            classNames: ['road', 'sky', 'car'],
            classColors: ['#804080', '#808080', '#4000c0'],
            inputSize: [H, W],
            normalization: INPUT_NORMALIZATION,
          },
        },
      );
      const dir = join(tmp.dir, 'export');
      const report = await runExport(db, 'onnx', dir);
      expect(report).toMatchObject({ kind: 'onnx', files: 2 });
      const bytes = readFileSync(join(dir, 'model.onnx'));
      const session = await ort.InferenceSession.create(bytes);
      await session.release();
      const meta = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'));
      expect(meta).toMatchObject({
        inputMultiple: 8,
        inputSize: { height: H, width: W },
        normalization: INPUT_NORMALIZATION,
        classes: [
          { index: 0, name: 'road', value: 3 },
          { index: 1, name: 'sky', value: 7 },
          { index: 2, name: 'car', value: 9 },
        ],
      });
      const x = normalizeImages(tf.tensor4d(new Uint8Array(rgb), [1, H, W, 3], 'int32'));
      const expected = await tfLogitsNchw(model, x);
      const got = await onnxLogits(bytes, x);
      const diff = maxAbsDiff(got.data, expected);
      if (process.env['MW_PRINT_PARITY']) console.log(`onnx parity (image, ${existsSync(camvid)}): max |diff| ${diff}`);
      expect(diff).toBeLessThan(1e-4);
      x.dispose();
      model.dispose();

      if (python) {
        // Metadata and the checker, read by the reference implementation of the format.
        const script = join(tmp.dir, 'check.py');
        writeFileSync(
          script,
          [
            'import json, sys, onnx',
            'm = onnx.load(sys.argv[1])',
            'onnx.checker.check_model(m, full_check=True)',
            'print(json.dumps({p.key: p.value for p in m.metadata_props}))',
          ].join('\n'),
        );
        const props = JSON.parse(execFileSync(python, [script, join(dir, 'model.onnx')], { encoding: 'utf8' }));
        expect(JSON.parse(props['maskwright.class_names'])).toEqual(['road', 'sky', 'car']);
        expect(props['maskwright.input_multiple']).toBe('8');
        expect(props['maskwright.normalization']).toBe(INPUT_NORMALIZATION);
      }
    } finally {
      t.close();
    }
  });

  it.skipIf(!python)('passes the onnx checker (python3-onnx) for a model with every layer kind', async () => {
    const model = buildUNet({ numClasses: 3, baseFilters: 2, depth: 2, stem: 4, reconstruction: true });
    const path = join(tmp.dir, 'all.onnx');
    writeFileSync(path, await toOnnx(model));
    model.dispose();
    const r = spawnSync(
      python!,
      ['-c', 'import sys, onnx; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', path],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
