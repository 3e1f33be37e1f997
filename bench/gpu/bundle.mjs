#!/usr/bin/env node
// Bundles bench/gpu/bench.ts with everything it imports (TensorFlow.js and its backends included) into
// one CommonJS file, OUT/bench.cjs, and lays out the one package that must stay a file of its own:
// OUT/node_modules/webgpu (an ES module that loads the native dawn.node beside it), linux-x64 only.
// Usage: node bench/gpu/bundle.mjs OUT
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = resolve(process.argv[2] ?? join(root, '.gpu-bundle'));

// trainer/webgpu.ts loads tfjs-backend-webgpu with a runtime require (so that only processes that use it
// pay for it); esbuild cannot follow that, so this build turns it into a static require it can bundle.
const RUNTIME_REQUIRE = "nodeRequire('@tensorflow/tfjs-backend-webgpu')";
const staticWebgpuBackend = {
  name: 'static-tfjs-backend-webgpu',
  setup(b) {
    let seen = false;
    b.onLoad({ filter: /trainer[\\/]webgpu\.ts$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      if (!src.includes(RUNTIME_REQUIRE)) return undefined;
      seen = true;
      return { contents: src.replaceAll(RUNTIME_REQUIRE, "require('@tensorflow/tfjs-backend-webgpu')"), loader: 'ts' };
    });
    b.onEnd(() => {
      if (!seen)
        throw new Error(`bundle: ${RUNTIME_REQUIRE} not found in trainer/webgpu.ts; update bench/gpu/bundle.mjs`);
    });
  },
};

await build({
  entryPoints: [join(root, 'bench/gpu/bench.ts')],
  outfile: join(out, 'bench.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  // Native or optional: webgpu is laid out below; tfjs-node(-gpu) are optional and absent there.
  external: ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  plugins: [staticWebgpuBackend],
  logLevel: 'error',
  absWorkingDir: root,
});

const webgpu = join(root, 'node_modules', 'webgpu');
const dest = join(out, 'node_modules', 'webgpu');
mkdirSync(join(dest, 'dist', 'linux-x64'), { recursive: true });
for (const f of ['index.js', 'package.json', 'LICENSE.md']) copyFileSync(join(webgpu, f), join(dest, f));
copyFileSync(join(webgpu, 'dist', 'linux-x64', 'dawn.node'), join(dest, 'dist', 'linux-x64', 'dawn.node'));
copyFileSync(join(root, 'bench', 'train', 'step_torch.py'), join(out, 'step_torch.py'));
console.log(`bundled ${join(out, 'bench.cjs')}`);
