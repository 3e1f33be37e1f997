#!/usr/bin/env node
// Builds Maskwright. `node` target: main, preload and CLI bundles (esbuild). `all`: also the renderer (vite).
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = process.argv[2] ?? 'all';
if (!['node', 'all'].includes(target)) {
  console.error(`usage: node scripts/build.mjs [node|all]`);
  process.exit(2);
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
};
// Native and runtime-resolved packages stay outside the bundles.
// `webgpu` (Dawn) is an ES module with a native addon: loaded with import() at run time.
const external = ['electron', 'better-sqlite3', 'sharp', '@tensorflow/*', 'webgpu'];

await Promise.all([
  build({ ...common, entryPoints: ['main/index.ts'], outfile: 'dist/main/index.cjs', external }),
  // The preload runs sandboxed: it may require only 'electron', so everything else is bundled in.
  build({ ...common, entryPoints: ['preload/index.ts'], outfile: 'dist/preload/index.cjs', external: ['electron'] }),
  build({ ...common, entryPoints: ['cli/index.ts'], outfile: 'dist/cli/index.cjs', external }),
  // The training and prediction process (utilityProcess in the app, child process in the CLI).
  build({ ...common, entryPoints: ['worker/index.ts'], outfile: 'dist/worker/index.cjs', external }),
]);

if (target === 'all') {
  await viteBuild({ configFile: join(root, 'renderer/vite.config.ts'), logLevel: 'warn' });
}
