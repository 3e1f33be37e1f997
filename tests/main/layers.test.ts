// The README's Layout table holds: lint fails an import across layers, and the Electron main process
// bundle never loads TensorFlow.js (training and prediction run in the worker process).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));

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
      "import { loadSamples } from '../../main/services/dataset';\nexport const f = loadSamples;\n",
      'trainer/ may not import main/services/',
    ],
    [
      'main/services/x.ts',
      "import { buildUNet } from '../../trainer/model';\nexport const f = buildUNet;\n",
      'main/services/ may not import trainer/',
    ],
    [
      'main/ipc/x.ts',
      "import { runTraining } from '../../worker/index';\nexport const f = runTraining;\n",
      'main/ipc/ may not import worker/',
    ],
    [
      'db/x.ts',
      "import { Project } from '../main/services/project';\nexport const f = Project;\n",
      'db/ may not import main/services/',
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
      'main/services/x.ts',
      "import { registerIpc } from '../index';\nexport const f = registerIpc;\n",
      'main/services/ may not import main/',
    ],
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
    ['main/ipc/x.ts', "import { findCheckpoint } from '../services/predict';\nexport const f = findCheckpoint;\n"],
    ['cli/x.ts', "import { predictProjectImage } from '../worker/predict';\nexport const f = predictProjectImage;\n"],
  ])('%s: allowed imports pass', async (file, code) => {
    expect(await lint(file, code)).toEqual([]);
  });
});
