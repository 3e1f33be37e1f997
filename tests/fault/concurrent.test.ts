/**
 * Two processes on one project at once: an editor-style process saves painted strokes while background
 * writers (propagate, predict --accept, mask import) commit into the same label map. Nothing the editor
 * saved may be lost, and the editor's saves must not fail on a lock.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClass } from '../../db/classes';
import { loadLabelMap, saveLabelMap } from '../../db/labelmaps';
import { Provenance, UNLABELED } from '../../core/labelmap/types';
import { importImages } from '../../services/import-images';
import { Project } from '../../services/project';
import { makeImage, maskPng, tempDir } from '../helpers/fixtures';
import { makeProject } from '../helpers/training';
import { bundle, cli, hasStackTrace, root, start, type Finished } from './helpers';

interface EditorResult {
  strokes: { k: number; x: number; y: number; cls: number }[];
  busy: string[];
  finished: Finished;
}

/** Runs the editor-style saver for `count` strokes; resolves with what it reported. */
function runEditor(script: string, path: string, imageId: number, count: number, pauseMs = 2): Promise<EditorResult> {
  const strokes: EditorResult['strokes'] = [];
  const busy: string[] = [];
  const { done } = start(script, [path, String(imageId), String(count), '0', String(pauseMs)], {
    onLine: (line) => {
      const [kind, ...rest] = line.split(' ');
      if (kind === 'stroke') {
        const [k, x, y, cls] = rest.map(Number) as [number, number, number, number];
        strokes.push({ k, x, y, cls });
      } else if (kind === 'busy') busy.push(rest.join(' '));
    },
  });
  return done.then((finished) => ({ strokes, busy, finished }));
}

/** Strokes the editor reported saved whose pixels are no longer painted with their class. */
function lostStrokes(path: string, imageId: number, strokes: EditorResult['strokes']): number {
  const project = Project.open(path);
  try {
    const map = loadLabelMap(project.db, imageId)!;
    let lost = 0;
    for (const s of strokes) {
      let ok = true;
      for (let dy = 0; dy < 3; dy++)
        for (let dx = 0; dx < 3; dx++) {
          const i = (s.y + dy) * map.width + s.x + dx;
          if (map.classes[i] !== s.cls || map.provenance[i] !== Provenance.Painted) ok = false;
        }
      if (!ok) lost++;
    }
    return lost;
  } finally {
    project.close();
  }
}

/** Runs `task` again and again until `until` settles; returns the finished runs. */
async function repeatUntil(until: Promise<unknown>, task: () => Promise<Finished>): Promise<Finished[]> {
  let over = false;
  void until.then(() => (over = true));
  const runs: Finished[] = [];
  while (!over) runs.push(await task());
  return runs;
}

describe('two processes writing one label map', () => {
  const t = tempDir();
  let editor: string;
  const W = 200;
  const H = 150;

  /** A project with one image and two classes, a few painted seeds of each in the corners. */
  async function project(name: string): Promise<{ path: string; imageId: number }> {
    const path = join(t.dir, name);
    const p = Project.create(path);
    try {
      addClass(p.db, 'a');
      addClass(p.db, 'b');
      const r = await importImages(p.db, [{ name: 'img.png', read: () => makeImage(W, H, 'png', 3) }]);
      const imageId = r.imported[0]!.id;
      const classes = new Uint8Array(W * H).fill(UNLABELED);
      const provenance = new Uint8Array(W * H);
      // Seeds in the last rows (the editor's strokes use the top rows).
      for (let x = 0; x < W; x++) {
        const i = (H - 1) * W + x;
        classes[i] = x < W / 2 ? 0 : 1;
        provenance[i] = Provenance.Painted;
      }
      saveLabelMap(p.db, imageId, { width: W, height: H, classes, provenance });
      return { path, imageId };
    } finally {
      p.close();
    }
  }

  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), 'node'], { cwd: root });
    editor = await bundle(join(__dirname, 'editor-saver.ts'), t.dir);
  });
  afterAll(() => t.cleanup());

  it('maskwright propagate keeps every stroke the editor saved meanwhile, and the editor never meets a lock', async () => {
    const { path, imageId } = await project('propagate.maskwright');
    const editing = runEditor(editor, path, imageId, 240);
    const runs = await repeatUntil(editing, () => cli(['propagate', path]).done);
    const { strokes, busy, finished } = await editing;
    expect(finished.code, finished.stderr).toBe(0);
    expect(strokes).toHaveLength(240);
    expect(runs.length).toBeGreaterThan(1);
    for (const r of runs) {
      expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
      expect(r.code, r.stderr).toBe(0);
    }
    expect({ busy: busy.slice(0, 3), busyCount: busy.length, lost: lostStrokes(path, imageId, strokes) }).toEqual({
      busy: [],
      busyCount: 0,
      lost: 0,
    });
  });

  it('maskwright import --masks keeps every stroke the editor saved meanwhile', async () => {
    const { path, imageId } = await project('masks.maskwright');
    const maskFile = join(t.dir, 'img.png');
    const values = new Uint8Array(W * H);
    for (let i = 0; i < values.length; i++) values[i] = i % W < W / 2 ? 0 : 1;
    writeFileSync(maskFile, maskPng(W, H, values));
    const editing = runEditor(editor, path, imageId, 160);
    const runs = await repeatUntil(editing, () => cli(['import', path, '--masks', maskFile]).done);
    const { strokes, busy, finished } = await editing;
    expect(finished.code, finished.stderr).toBe(0);
    expect(runs.length).toBeGreaterThan(1);
    for (const r of runs) expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
    expect({ busy: busy.slice(0, 3), busyCount: busy.length, lost: lostStrokes(path, imageId, strokes) }).toEqual({
      busy: [],
      busyCount: 0,
      lost: 0,
    });
  });

  describe('with training and a trained model', () => {
    let trained: string;
    const train = (path: string, epochs: number) =>
      cli([
        'train',
        path,
        '--epochs',
        String(epochs),
        '--size',
        '32x32',
        '--backend',
        'cpu',
        '--width-base',
        '4',
        '--depth',
        '2',
      ]).done;

    beforeAll(async () => {
      trained = await makeProject(t.dir, 'trained.maskwright');
      const r = await train(trained, 1);
      expect(r.code, r.stderr).toBe(0);
    }, 120_000);

    it('editor saves succeed while maskwright train records epochs', async () => {
      const training = train(trained, 3);
      // Image 1 is labeled (painted) in the training project: the strokes repaint cells of it.
      const { strokes, busy, finished } = await runEditor(editor, trained, 1, 36, 60);
      const r = await training;
      expect(r.code, r.stderr).toBe(0);
      expect(hasStackTrace(r.stderr + r.stdout)).toBe(false);
      expect(finished.code, finished.stderr).toBe(0);
      expect({ busy: busy.length, lost: lostStrokes(trained, 1, strokes) }).toEqual({ busy: 0, lost: 0 });
    });

    it('maskwright predict --accept while the editor saves: no stack trace, no lost stroke', async () => {
      // Image 2 starts unlabeled, so every run accepts into it.
      const p = Project.open(trained);
      saveLabelMap(p.db, 2, {
        width: 32,
        height: 32,
        classes: new Uint8Array(32 * 32).fill(UNLABELED),
        provenance: new Uint8Array(32 * 32),
      });
      p.close();
      const editing = runEditor(editor, trained, 2, 36, 80);
      const runs = await repeatUntil(
        editing,
        () => cli(['predict', trained, '--image', '2', '--accept', '--backend', 'cpu']).done,
      );
      const { strokes, busy, finished } = await editing;
      expect(finished.code, finished.stderr).toBe(0);
      for (const r of runs) {
        expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
        expect(r.code, r.stderr).toBe(0);
      }
      expect({ busy: busy.length, lost: lostStrokes(trained, 2, strokes) }).toEqual({ busy: 0, lost: 0 });
    });
  });
});
