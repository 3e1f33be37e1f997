import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { addClass } from '../../db/classes';
import { loadLabelMap, saveLabelMap } from '../../db/labelmaps';
import { createRun, finishRun, recordEpoch, setActiveCheckpoint } from '../../db/runs';
import { decodeMask } from '../../services/masks';
import { Project } from '../../services/project';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskPng, tempDir, truncatedJpeg, writeImage } from '../helpers/fixtures';
import { webGpuAdapter } from '../helpers/webgpu';
import { checkpointMeta } from '../helpers/checkpoint';
import type { BackendStatus } from '../../core/training/backends';

const root = join(__dirname, '..', '..');
const bin = join(root, 'bin', 'maskwright.cjs');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('maskwright CLI', () => {
  const t = tempDir();
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), 'node'], { cwd: root });
  });
  afterAll(() => t.cleanup());

  it('prints help and refuses unknown commands and bad options with exit 2', () => {
    const help = cli('--help');
    expect(help.code).toBe(0);
    for (const cmd of ['create PROJECT', 'import PROJECT', 'info PROJECT']) expect(help.stdout).toContain(cmd);
    expect(cli('frobnicate')).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown command "frobnicate"/) });
    expect(cli('info')).toMatchObject({ code: 2 });
    // Which labels validate: labels a person made, or every trained label when asked.
    expect(cli('train', '--help').stdout).toMatch(/--validate-on L +labels that validate: person/);
    expect(cli('train', 'x.maskwright', '--validate-on', 'everything')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--validate-on must be one of person, trained/),
    });
    expect(cli('info', 'x.maskwright', '--colour')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--colour/),
    });
  });

  it('creates a project, imports images and masks, and reports it', async () => {
    const project = join(t.dir, 'p.maskwright');
    expect(cli('create', project)).toMatchObject({ code: 0 });
    const again = cli('create', project);
    expect(again.code).toBe(1);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);

    const imgs = join(t.dir, 'imgs');
    const masks = join(t.dir, 'masks');
    mkdirSync(imgs);
    mkdirSync(masks);
    await writeImage(imgs, 'a.png', 4, 2, 1);
    await writeImage(imgs, 'b.png', 4, 2, 2);
    writeFileSync(join(masks, 'a.png'), maskPng(4, 2, Uint8Array.from([0, 0, 3, 3, 11, 11, 11, 11])));

    const imported = cli('import', project, imgs, '--masks', masks, '--void', '11', '--create-classes');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/Imported 2 image\(s\); skipped 0 duplicate\(s\); 0 error\(s\)/);
    expect(imported.stdout).toMatch(/Applied 1 mask\(s\); created 2 class\(es\)/);

    const info = JSON.parse(cli('info', project, '--json').stdout);
    expect(info.imageCount).toBe(2);
    expect(info.classes.map((c: { value: number }) => c.value)).toEqual([0, 3]);
    // 4 of 16 pixels labeled over both images
    expect(info.labeledFraction).toBeCloseTo(4 / 16, 10);
    expect(info.images.map((i: { labeledFraction: number }) => i.labeledFraction)).toEqual([0.5, 0]);
  });

  it('imports a dataset in one command: classes file, masks, split', async () => {
    const project = join(t.dir, 'd.maskwright');
    cli('create', project);
    const dir = join(t.dir, 'dataset');
    mkdirSync(join(dir, 'train'), { recursive: true });
    mkdirSync(join(dir, 'trainannot'));
    await writeImage(join(dir, 'train'), 'x.png', 2, 2, 7);
    writeFileSync(join(dir, 'trainannot', 'x.png'), maskPng(2, 2, Uint8Array.from([0, 1, 5, 5])));
    writeFileSync(
      join(dir, 'classes.json'),
      JSON.stringify({
        classes: [
          { index: 0, name: 'Sky', color: [128, 128, 128] },
          { index: 1, name: 'Road', color: [128, 64, 128] },
          { index: 5, name: 'Unlabelled', color: [0, 0, 0] },
        ],
        void_index: 5,
      }),
    );
    const r = cli(
      'import',
      project,
      join(dir, 'train'),
      '--masks',
      join(dir, 'trainannot'),
      '--classes',
      join(dir, 'classes.json'),
      '--split',
      'train',
    );
    expect(r.code).toBe(0);
    const info = JSON.parse(cli('info', project, '--json').stdout);
    expect(info.classes.map((c: { value: number; name: string; color: string }) => [c.value, c.name, c.color])).toEqual(
      [
        [0, 'Sky', '#808080'],
        [1, 'Road', '#804080'],
      ],
    );
    expect(info.splits).toEqual({ train: 1, val: 0, unassigned: 0 });
    expect(info.labeledFraction).toBe(0.5); // the void value (5) from the class file means unlabeled
    expect(cli('import', project, join(dir, 'train'), '--split', 'test')).toMatchObject({ code: 2 });
  });

  it('evaluates predicted masks against ground truth (hand-computed)', () => {
    const pred = join(t.dir, 'pred');
    const gt = join(t.dir, 'gt');
    mkdirSync(pred);
    mkdirSync(gt);
    writeFileSync(join(gt, 'a.png'), maskPng(3, 2, Uint8Array.from([0, 0, 1, 1, 11, 2])));
    writeFileSync(join(pred, 'a.png'), maskPng(3, 2, Uint8Array.from([0, 1, 1, 1, 5, 0])));
    writeFileSync(join(gt, 'b.png'), maskPng(1, 1, Uint8Array.from([1])));
    const r = cli('eval', '--pred', pred, '--gt', gt, '--ignore', '11', '--json');
    // b.png has no prediction: scored without it, and the exit status says so.
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing prediction: b\.png/);
    const m = JSON.parse(r.stdout);
    // Confusion (gt -> pred): 0->0, 0->1, 1->1, 1->1, 2->0; the void pixel is not scored.
    expect(m.numClasses).toBe(3);
    expect(m.pixels).toBe(5);
    expect(m.pixelAccuracy).toBeCloseTo(3 / 5, 12);
    expect(m.meanClassAccuracy).toBeCloseTo((1 / 2 + 1 + 0) / 3, 12);
    expect(m.iou[0]).toBeCloseTo(1 / 3, 12); // tp 1 / (gt 2 + pred 2 - 1)
    expect(m.iou[1]).toBeCloseTo(2 / 3, 12); // tp 2 / (gt 2 + pred 3 - 2)
    expect(m.iou[2]).toBe(0);
    expect(m.meanIoU).toBeCloseTo(1 / 3, 12);
    expect(cli('eval', '--pred', pred)).toMatchObject({ code: 2 });
  });

  it('propagates scribbles on plain files and on a project, keeping painted pixels', async () => {
    // 40x20 image: left half dark, right half bright; one scribble in each half.
    const W = 40;
    const H = 20;
    const rgb = Buffer.alloc(W * H * 3);
    for (let i = 0; i < W * H; i++) rgb.fill(i % W < W / 2 ? 30 : 220, 3 * i, 3 * i + 3);
    const imgPath = join(t.dir, 'halves.png');
    writeFileSync(
      imgPath,
      await sharp(rgb, { raw: { width: W, height: H, channels: 3 } })
        .png()
        .toBuffer(),
    );
    const scr = new Uint8Array(W * H).fill(255);
    scr[10 * W + 5] = 3; // dark side: class 3
    scr[10 * W + 34] = 7; // bright side: class 7
    writeFileSync(join(t.dir, 'scr.png'), maskPng(W, H, scr));
    const outPath = join(t.dir, 'out.png');
    const r = cli('propagate', '--image', imgPath, '--scribbles', join(t.dir, 'scr.png'), '--out', outPath);
    expect(r.code).toBe(0);
    const labels = decodeMask(readFileSync(outPath)).values;
    for (let i = 0; i < W * H; i++) expect(labels[i]).toBe(i % W < W / 2 ? 3 : 7);

    // No scribble at all: a clear error, exit 1.
    writeFileSync(join(t.dir, 'none.png'), maskPng(W, H, new Uint8Array(W * H).fill(255)));
    const none = cli('propagate', '--image', imgPath, '--scribbles', join(t.dir, 'none.png'), '--out', outPath);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/at least one painted pixel/);

    // On a project: the painted pixels stay painted, every other pixel becomes propagated.
    const project = join(t.dir, 'prop.maskwright');
    cli('create', project);
    cli('import', project, imgPath);
    const p = Project.open(project);
    addClass(p.db, 'dark', undefined, 3);
    addClass(p.db, 'bright', undefined, 7);
    const prov = new Uint8Array(W * H);
    for (let i = 0; i < W * H; i++) if (scr[i] !== 255) prov[i] = 1;
    saveLabelMap(p.db, 1, { width: W, height: H, classes: scr, provenance: prov });
    p.close();
    expect(cli('propagate', project, '--beta', '1e6')).toMatchObject({ code: 0 });
    const q = Project.open(project);
    const map = loadLabelMap(q.db, 1)!;
    q.close();
    for (let i = 0; i < W * H; i++) {
      expect(map.classes[i]).toBe(i % W < W / 2 ? 3 : 7);
      expect(map.provenance[i]).toBe(scr[i] !== 255 ? 1 : 2);
    }
    expect(cli('propagate', project, '--beta', '1e9')).toMatchObject({ code: 2 });
  });

  it('computes median frequency weights for a folder of masks (hand-computed)', () => {
    const dir = join(t.dir, 'wmasks');
    mkdirSync(dir);
    // a: classes 0,0,0,1 ; b: 1,1,2,11(void). freq0 = 3/4, freq1 = (1+2)/(4+3) = 3/7, freq2 = 1/3.
    writeFileSync(join(dir, 'a.png'), maskPng(2, 2, Uint8Array.from([0, 0, 0, 1])));
    writeFileSync(join(dir, 'b.png'), maskPng(2, 2, Uint8Array.from([1, 1, 2, 11])));
    const r = cli('weights', '--masks', dir, '--ignore', '11', '--json');
    expect(r.code).toBe(0);
    const w = JSON.parse(r.stdout);
    expect(w.numClasses).toBe(3);
    expect(w.median).toBeCloseTo(3 / 7, 12);
    expect(w.classes.map((c: { weight: number }) => c.weight)).toEqual([
      expect.closeTo(3 / 7 / (3 / 4), 12),
      expect.closeTo(1, 12),
      expect.closeTo(3 / 7 / (1 / 3), 12),
    ]);
    expect(w.classes.map((c: { pixels: number }) => c.pixels)).toEqual([3, 3, 1]);
    expect(cli('weights', '--masks', dir, '--num-classes', '4', '--ignore', '11', '--json').stdout).toMatch(
      /"frequency": null/,
    );
    expect(cli('weights')).toMatchObject({ code: 2 });
  });

  it('lists runs with their kept checkpoints, marking the best by validation mIoU and the one in use', () => {
    const path = join(t.dir, 'runs.maskwright');
    expect(cli('runs', path)).toMatchObject({ code: 1 }); // no such project
    const project = Project.create(path);
    const db = project.db;
    const ckpt = { modelTopology: {}, weights: new Uint8Array(4), metadata: checkpointMeta };
    const ids: number[] = [];
    const run = createRun(db, { epochs: 6 });
    // Validation mIoU per epoch; the best is epoch 3 (0.55), the last 3 are epochs 4-6.
    [0.2, 0.4, 0.55, 0.5, 0.45, 0.52].forEach((m, e) =>
      ids.push(
        recordEpoch(
          db,
          { runId: run, epoch: e, trainLoss: 1, valLoss: 1, metrics: { meanIoU: m, metricsOn: 'val' } },
          ckpt,
        )!,
      ),
    );
    finishRun(db, run, 'completed', null);
    project.close();
    const listed = cli('runs', path);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n').filter((l) => l.includes('checkpoint'))).toEqual([
      `  >* checkpoint ${ids[2]}  epoch 3  mIoU 55.0%`,
      `     checkpoint ${ids[3]}  epoch 4  mIoU 50.0%`,
      `     checkpoint ${ids[4]}  epoch 5  mIoU 45.0%`,
      `     checkpoint ${ids[5]}  epoch 6  mIoU 52.0%`,
      `In use: checkpoint ${ids[2]} (run ${run}, epoch 3, best validation mIoU)`,
    ]);
    // The user's choice wins; --json says the same.
    const again = Project.open(path);
    setActiveCheckpoint(again.db, ids[5]!);
    again.close();
    const json = JSON.parse(cli('runs', path, '--json').stdout);
    expect(json.active).toEqual({ checkpointId: ids[5], basis: 'chosen' });
    expect(json.runs[0].epochs).toBe(6);
    expect(json.runs[0].checkpoints.map((c: { epoch: number; best: boolean }) => [c.epoch, c.best])).toEqual([
      [2, true],
      [3, false],
      [4, false],
      [5, false],
    ]);
  });

  it('exits 1 naming each failed file, after importing the rest', async () => {
    const project = join(t.dir, 'q.maskwright');
    cli('create', project);
    const good = await writeImage(t.dir, 'good.jpg', 8, 8, 4);
    const bad = join(t.dir, 'bad.jpg');
    writeFileSync(bad, await truncatedJpeg());
    const r = cli('import', project, good, bad, join(t.dir, 'missing.png'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.jpg: Corrupt or truncated/);
    expect(r.stderr).toMatch(/missing\.png: Cannot read/);
    expect(JSON.parse(cli('info', project, '--json').stdout).imageCount).toBe(1);
    expect(cli('info', join(t.dir, 'nope.maskwright'))).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/No project at/),
    });
  });

  it("lists every backend in auto's order, available or not and why, with the WebGPU adapter", async () => {
    const r = spawnSync(process.execPath, [bin, 'backends', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
    });
    expect(r.status).toBe(0);
    const list = JSON.parse(r.stdout) as BackendStatus[];
    expect(list.map((b) => b.name)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
    // Neither native package installs here: unavailable, with the loader's reason.
    for (const b of list.slice(0, 3).filter((b) => b.name !== 'webgpu')) {
      expect(b).toMatchObject({ available: false, auto: false, reason: expect.stringMatching(/Cannot find module/) });
    }
    expect(list.filter((b) => b.auto)).toHaveLength(1);
    const gpu = list[1]!;
    const adapter = await webGpuAdapter();
    if (adapter) {
      expect(gpu.available).toBe(true);
      expect(gpu.adapter).toEqual(adapter);
      // A software adapter (lavapipe here) is listed but not what auto picks: wasm is.
      if (adapter.software) {
        expect(gpu.reason).toMatch(/software adapter/);
        expect(list.find((b) => b.auto)!.name).toBe('wasm');
      } else expect(gpu.auto).toBe(true);
    }
    const text = cli('backends');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^\* auto uses /m);
    if (adapter) expect(text.stdout).toContain(adapter.description || adapter.device);
  });

  it('exports a dataset in another format and imports it back with import-labels; bad lines named', async () => {
    const dir = join(t.dir, 'formats');
    mkdirSync(join(dir, 'imgs'), { recursive: true });
    await writeImage(join(dir, 'imgs'), 'a.png', 5, 3, 1);
    const src = join(dir, 'src.maskwright');
    expect(cli('create', src)).toMatchObject({ code: 0 });
    expect(cli('import', src, join(dir, 'imgs'))).toMatchObject({ code: 0 });
    const values = Uint8Array.from([0, 0, 1, 1, 255, 0, 255, 1, 1, 255, 0, 0, 0, 1, 1]);
    const p = Project.open(src);
    addClass(p.db, 'road');
    addClass(p.db, 'sky');
    saveLabelMap(p.db, 1, { width: 5, height: 3, classes: values, provenance: values.map((v) => (v === 255 ? 0 : 1)) });
    p.close();
    expect(cli('export', src, '--out', join(dir, 'y'), '--format', 'yolo-seg')).toMatchObject({ code: 2 }); // --what dataset
    expect(cli('export', src, '--out', join(dir, 'y'), '--what', 'dataset', '--format', 'yolo')).toMatchObject({
      code: 2,
    });
    const ex = cli('export', src, '--out', join(dir, 'y'), '--what', 'dataset', '--format', 'yolo-seg');
    expect(ex).toMatchObject({ code: 0, stdout: expect.stringMatching(/Exported dataset \(yolo-seg\)/) });

    const dst = join(dir, 'dst.maskwright');
    expect(cli('create', dst)).toMatchObject({ code: 0 });
    expect(cli('import', dst, join(dir, 'imgs'))).toMatchObject({ code: 0 });
    const refused = cli('import-labels', dst, join(dir, 'y'), '--format', 'yolo-seg');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/nothing applied: the project has no class named "road", "sky"/);
    const ok = cli('import-labels', dst, join(dir, 'y'), '--format', 'yolo-seg', '--create-classes');
    expect(ok).toMatchObject({ code: 0, stdout: expect.stringMatching(/Applied labels to 1 image/) });
    const back = Project.open(dst);
    expect([...loadLabelMap(back.db, 1)!.classes]).toEqual([...values]); // road and sky created as 0 and 1
    back.close();

    writeFileSync(join(dir, 'y', 'labels', 'train', 'a.txt'), '0 0 0 1 0 1\n');
    const bad = cli('import-labels', dst, join(dir, 'y'), '--format', 'yolo-seg');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('  error: labels/train/a.txt: line 1: odd number of coordinates (5)\n');
  });
});
