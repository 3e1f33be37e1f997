// The README's Layout table holds: lint fails an import across layers, a package imported outside the
// folders it belongs to, an import cycle and a dead export, and the Electron main process bundle never
// loads TensorFlow.js (training and prediction run in the worker process).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP } from '../../scripts/eslint/layers.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The specifier from a file to a module, both repository-relative: the cases follow the layer's folder name. */
const spec = (file: string, to: string) => {
  const r = posix.relative(posix.dirname(file), to);
  return r.startsWith('.') ? r : `./${r}`;
};

/** The package names a CommonJS bundle requires. */
const required = (file: string) =>
  new Set([...readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!));

describe('bundles', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), 'node'], { cwd: root });
  }, 60_000);

  it('the Electron main process requires no @tensorflow package; the worker process does', () => {
    const main = [...required(join(root, 'dist/main/index.cjs'))];
    const worker = [...required(join(root, 'dist/worker/index.cjs'))];
    expect(main.filter((m) => m.startsWith('@tensorflow'))).toEqual([]);
    expect(readFileSync(join(root, 'dist/main/index.cjs'), 'utf8')).not.toContain('@tensorflow');
    // The same check finds TensorFlow.js where it belongs: it is not vacuous.
    expect(worker).toContain('@tensorflow/tfjs');
  });
});

describe('layer lint rule', () => {
  const eslint = new ESLint({ cwd: root });
  const lint = async (file: string, code: string) =>
    (await eslint.lintText(code, { filePath: join(root, file) }))[0]!.messages
      .filter((m) => m.ruleId === 'maskwright/layers')
      .map((m) => m.message);

  it.each([
    [
      'trainer/x.ts',
      "import { listImages } from '../db/images';\nexport const f = listImages;\n",
      'trainer/ may not import db/',
    ],
    [
      'trainer/run/x.ts',
      `import { loadSamples } from '${spec('trainer/run/x.ts', `${APP}/dataset`)}';\nexport const f = loadSamples;\n`,
      `trainer/ may not import ${APP}/`,
    ],
    [
      `${APP}/x.ts`,
      `import { buildUNet } from '${spec(`${APP}/x.ts`, 'trainer/model')}';\nexport const f = buildUNet;\n`,
      `${APP}/ may not import trainer/`,
    ],
    [
      'main/ipc/x.ts',
      "import { runTraining } from '../../worker/index';\nexport const f = runTraining;\n",
      'main/ipc/ may not import worker/',
    ],
    [
      'db/x.ts',
      `import { Project } from '${spec('db/x.ts', `${APP}/project`)}';\nexport const f = Project;\n`,
      `db/ may not import ${APP}/`,
    ],
    [
      'renderer/src/x.ts',
      "import { listImages } from '../../db/images';\nexport const f = listImages;\n",
      'renderer/ may not import db/',
    ],
    [
      'core/x.ts',
      "import { listImages } from '../db/images';\nexport const f = listImages;\n",
      'core/ may not import db/',
    ],
    [
      `${APP}/x.ts`,
      `import { registerIpc } from '${spec(`${APP}/x.ts`, 'main/index')}';\nexport const f = registerIpc;\n`,
      `${APP}/ may not import main/`,
    ],
    [
      'renderer/src/components/X.svelte',
      '<script lang="ts">\n  import { listImages } from \'../../../db/images\';\n  const f = listImages;\n</script>\n{f}\n',
      'renderer/src/components/ may not import db/',
    ],
    // The screens host the editor; the editor imports none of them (what both use is in renderer/src/ui).
    [
      'renderer/src/editor/X.svelte',
      '<script lang="ts">\n  import ClassRow from \'../components/ClassRow.svelte\';\n</script>\n<ClassRow />\n',
      'renderer/src/editor/ may not import renderer/src/components/',
    ],
    [
      'renderer/src/editor/tools/x.ts',
      "import { x } from '../../components/x';\nexport const f = x;\n",
      'renderer/src/editor/ may not import renderer/src/components/',
    ],
    // Packages: TensorFlow.js and Dawn run in the training and prediction processes, SQLite behind db/,
    // Electron in main's entry files and the preload only.
    [
      `${APP}/x.ts`,
      "import * as tf from '@tensorflow/tfjs';\nexport const f = tf;\n",
      `${APP}/ may not import @tensorflow/tfjs: only trainer/, worker/, cli/ may`,
    ],
    [
      `${APP}/x.ts`,
      "export const f = () => import('@tensorflow/tfjs-backend-wasm');\n",
      `${APP}/ may not import @tensorflow/tfjs-backend-wasm`,
    ],
    ['main/ipc/x.ts', "export const f = () => import('webgpu');\n", 'main/ipc/ may not import webgpu'],
    [
      'trainer/x.ts',
      "import Database from 'better-sqlite3';\nexport const f = Database;\n",
      'trainer/ may not import better-sqlite3: only db/ may',
    ],
    [
      `${APP}/x.ts`,
      "import type { Database } from 'better-sqlite3';\nexport type F = Database;\n",
      `${APP}/ may not import better-sqlite3`,
    ],
    [
      'renderer/src/x.ts',
      "import { ipcRenderer } from 'electron';\nexport const f = ipcRenderer;\n",
      'renderer/ may not import electron: only main/index.ts, security.ts, protocol.ts, preload/ may',
    ],
    [
      'renderer/src/components/X.svelte',
      '<script lang="ts">\n  import { ipcRenderer } from \'electron\';\n  const f = ipcRenderer;\n</script>\n{f}\n',
      'renderer/src/components/ may not import electron',
    ],
    [
      'main/ipc/x.ts',
      "import { dialog } from 'electron';\nexport const f = dialog;\n",
      'main/ipc/ may not import electron',
    ],
    ['worker/x.ts', "import { app } from 'electron';\nexport const f = app;\n", 'worker/ may not import electron'],
  ])('%s: %s is refused', async (file, code, message) => {
    const found = await lint(file, code);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(message);
  });

  it.each([
    [
      'worker/x.ts',
      "import { listImages } from '../db/images';\nimport { buildUNet } from '../trainer/model';\nexport const f = [listImages, buildUNet];\n",
    ],
    [
      'trainer/run/x.ts',
      "import { buildUNet } from '../model';\nimport { oneLine } from '../../core/ipc/errors';\nexport const f = [buildUNet, oneLine];\n",
    ],
    [
      'main/ipc/x.ts',
      `import { findCheckpoint } from '${spec('main/ipc/x.ts', `${APP}/predict`)}';\nexport const f = findCheckpoint;\n`,
    ],
    ['cli/x.ts', "import { predictProjectImage } from '../worker/predict';\nexport const f = predictProjectImage;\n"],
    [
      'renderer/src/components/X.svelte',
      '<script lang="ts">\n  import { oneLine } from \'../../../core/ipc/errors\';\n  const f = oneLine;\n</script>\n{f}\n',
    ],
    [
      'renderer/src/components/X.svelte',
      "<script lang=\"ts\">\n  import Editor from '../editor/Editor.svelte';\n  import Icon from '../ui/Icon.svelte';\n</script>\n<Editor /><Icon />\n",
    ],
    [
      'renderer/src/editor/tools/x.ts',
      "import { call } from '../../lib/api';\nimport type { ProjectState } from '../../state/project.svelte';\nexport const f = call;\nexport type P = ProjectState;\n",
    ],
    ['trainer/x.ts', "import * as tf from '@tensorflow/tfjs';\nexport const f = () => [tf, import('webgpu')];\n"],
    ['worker/x.ts', "import type * as tf from '@tensorflow/tfjs-core';\nexport type F = tf.Tensor;\n"],
    ['cli/x.ts', "import * as tf from '@tensorflow/tfjs';\nexport const f = tf;\n"],
    ['db/x.ts', "import Database from 'better-sqlite3';\nexport const f = Database;\n"],
    ['main/x.ts', "import { app } from 'electron';\nexport const f = app;\n"],
    ['preload/x.ts', "import { ipcRenderer } from 'electron';\nexport const f = ipcRenderer;\n"],
    [`${APP}/x.ts`, "import sharp from 'sharp';\nimport { z } from 'zod';\nexport const f = [sharp, z];\n"],
    [
      'tests/x.ts',
      "import * as tf from '@tensorflow/tfjs';\nimport Database from 'better-sqlite3';\nexport const f = [tf, Database];\n",
    ],
  ])('%s: allowed imports pass', async (file, code) => {
    expect(await lint(file, code)).toEqual([]);
  });

  describe('import cycles', () => {
    // Three modules on disk, a → b → c; the linted text of c imports a back.
    let dir: string;
    const rel = (name: string) => posix.relative(root, join(dir, name));
    beforeAll(() => {
      dir = mkdtempSync(join(root, 'tests', '.cycle-'));
      writeFileSync(join(dir, 'a.ts'), "import { b } from './b';\nexport const a = () => b();\n");
      writeFileSync(join(dir, 'b.ts'), "import { c } from './c';\nexport const b = () => c();\n");
      writeFileSync(join(dir, 'c.ts'), 'export const c = () => 1;\n');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('an import that closes a cycle is refused, with the cycle named', async () => {
      const found = await lint(rel('c.ts'), "import { a } from './a';\nexport const c = () => a();\n");
      expect(found).toEqual([
        `import cycle: ${['c.ts', 'a.ts', 'b.ts', 'c.ts'].map(rel).join(' → ')} (README, Layout)`,
      ]);
    });

    it('a dynamic import closes a cycle too', async () => {
      const found = await lint(rel('c.ts'), "export const c = () => import('./a');\n");
      expect(found).toHaveLength(1);
      expect(found[0]).toContain('import cycle');
    });

    it('type-only imports load nothing, so they close no cycle; the files as they are have none', async () => {
      expect(await lint(rel('c.ts'), "import type { a } from './a';\nexport type C = typeof a;\n")).toEqual([]);
      expect(await lint(rel('c.ts'), readFileSync(join(dir, 'c.ts'), 'utf8'))).toEqual([]);
    });
  });
});

describe('dead code (knip, part of npm run lint)', () => {
  // A project laid out as ours with our knip.jsonc: main/index.ts uses one export of core/x.ts, a test
  // another, and nothing the third.
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'knip-'));
    const files: Record<string, string> = {
      'package.json': '{ "name": "fixture", "private": true, "type": "module" }\n',
      'knip.jsonc': readFileSync(join(root, 'knip.jsonc'), 'utf8'),
      'main/index.ts': "import { used } from '../core/x';\nconsole.log(used);\n",
      'tests/x.test.ts': "import { forTests } from '../core/x';\nconsole.log(forTests);\n",
      'core/x.ts': 'export const used = 1;\nexport const forTests = 2;\nexport const dead = 3;\n',
    };
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails on an export nothing imports, and only on that one (a test counts as a user)', () => {
    const knip = join(root, 'node_modules', 'knip', 'bin', 'knip.js');
    const run = spawnSync(process.execPath, [knip, '--no-progress', '--directory', dir, '--reporter', 'json'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    const { issues } = JSON.parse(run.stdout) as { issues: { file: string; exports: { name: string }[] }[] };
    expect(issues.flatMap((i) => i.exports.map((e) => `${i.file}: ${e.name}`))).toEqual(['core/x.ts: dead']);
  });
});
