/**
 * The PyTorch job's folder without Python: the split is the one training uses (the automatic hold-out
 * included), the arrays are the samples at the working size (read back by the .npy specification:
 * magic, version 1.0, little-endian header length, a Python dict literal, C-order data), and
 * import-model refuses a job whose classes are not the project's, recording nothing.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autoValidation } from '../../core/training/split';
import { listImages, setSplit } from '../../db/images';
import { createRun, listRuns } from '../../db/runs';
import { importModelCmd } from '../../cli/import-model';
import { loadSamples } from '../../services/dataset';
import { splitPlan } from '../../services/split';
import { runExport } from '../../services/export';
import { Project } from '../../services/project';
import { tempDir } from '../helpers/fixtures';
import { makeProject, SIZE } from '../helpers/training';

function readNpy(bytes: Buffer): { descr: string; shape: number[]; data: Buffer } {
  expect([...bytes.subarray(0, 8)]).toEqual([0x93, 78, 85, 77, 80, 89, 1, 0]);
  const len = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + len).toString('latin1');
  expect((10 + len) % 64).toBe(0);
  const descr = /'descr': '([^']+)'/.exec(header)![1]!;
  expect(header).toContain("'fortran_order': False");
  const shape = /'shape': \(([^)]*)\)/
    .exec(header)![1]!
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  return { descr, shape, data: bytes.subarray(10 + len) };
}

describe('PyTorch job folder', () => {
  const tmp = tempDir('mw-job-');
  let path: string;
  beforeAll(async () => {
    path = await makeProject(tmp.dir, 'p.maskwright');
  });
  afterAll(() => tmp.cleanup());

  it('exports the split training uses, the automatic hold-out as val, and the working-size samples', async () => {
    const project = Project.open(path);
    try {
      const db = project.db;
      const images = listImages(db);
      setSplit(
        db,
        images.map((i) => i.id),
        'unassigned',
      );
      createRun(db, { width: SIZE, height: SIZE, epochs: 1, baseFilters: 4, depth: 2, stem: 2 });
      const sources = ['painted', 'propagated', 'imported'] as const;
      const held = autoValidation(
        listImages(db).map((i) => ({ id: i.id, split: i.split, sha256: i.sha256, labeled: true })),
      );
      expect(splitPlan(db, sources, 'person').train.size + splitPlan(db, sources, 'person').val.size).toBe(3);
      expect(held.size).toBeGreaterThan(0);
      const dir = join(tmp.dir, 'job');
      await runExport(db, 'pytorch-job', dir);
      const job = JSON.parse(readFileSync(join(dir, 'job.json'), 'utf8'));
      const heldNames = images.filter((i) => held.has(i.id)).map((i) => i.name);
      expect(job.split.val).toEqual(heldNames);
      expect(job.split.heldOutAutomatically).toEqual(heldNames);
      expect(job.split.train).toEqual(images.filter((i) => !held.has(i.id)).map((i) => i.name));
      expect(job.model).toEqual({ baseFilters: 4, depth: 2, stem: 2, dropout: 0.1, batchNorm: true });
      expect(job.inputSize).toEqual([SIZE, SIZE]);

      const { samples } = await loadSamples(db, { width: SIZE, height: SIZE, sources, splits: ['unassigned'] });
      const train = job.split.train.map((n: string) => samples.find((s) => s.name === n)!);
      const labels = readNpy(readFileSync(join(dir, 'arrays', 'train_labels.npy')));
      expect(labels.descr).toBe('<u1');
      expect(labels.shape).toEqual([train.length, SIZE, SIZE]);
      expect(Buffer.compare(labels.data, Buffer.concat(train.map((s: { labels: Uint8Array }) => s.labels)))).toBe(0);
      const rgb = readNpy(readFileSync(join(dir, 'arrays', 'val_images.npy')));
      expect(rgb.shape).toEqual([heldNames.length, SIZE, SIZE, 3]);
      const weights = readNpy(readFileSync(join(dir, 'arrays', 'train_weights.npy')));
      expect(weights.descr).toBe('<f4');
      expect(weights.shape).toEqual([train.length]);
      for (const f of ['train.py', 'README.md', 'dataset/classes.json'])
        expect(readFileSync(join(dir, f)).length).toBeGreaterThan(0);
    } finally {
      project.close();
    }
  });

  it('import-model refuses a job trained for other classes, in one line, and records no run', async () => {
    const out = join(tmp.dir, 'other');
    mkdirSync(out);
    writeFileSync(
      join(out, 'model.json'),
      JSON.stringify({
        format: 'maskwright-pytorch-weights-1',
        classes: [
          { index: 0, name: 'dark', value: 0, color: '#000000' },
          { index: 1, name: 'road', value: 1, color: '#ffffff' },
        ],
        weightSpecs: [],
      }),
    );
    writeFileSync(join(out, 'epochs.json'), '[]');
    writeFileSync(join(out, 'weights.bin'), Buffer.alloc(0));
    const before = (() => {
      const p = Project.open(path);
      try {
        return listRuns(p.db).length;
      } finally {
        p.close();
      }
    })();
    await expect(importModelCmd.run([path, out], {})).rejects.toThrow(
      /^The job's classes \(0:dark, 1:road\) are not the project's \(0:dark, 1:bright\)$/,
    );
    const p = Project.open(path);
    try {
      expect(listRuns(p.db)).toHaveLength(before);
    } finally {
      p.close();
    }
  });
});
