#!/usr/bin/env node
// Runs a TypeScript entry point under Node: bundles it with esbuild into a temporary CommonJS file
// (native and heavy packages stay external) and executes it with the remaining arguments.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs FILE.ts [ARGS...]');
  process.exit(2);
}
// Inside the repo, so the bundle resolves the project's packages (native ones stay external).
const cache = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
const dir = mkdtempSync(join(cache, 'mw-run-'));
const out = join(dir, 'entry.cjs');
try {
  await build({
    entryPoints: [resolve(entry)],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    packages: 'external',
    logLevel: 'error',
  });
  const r = spawnSync(process.execPath, ['--enable-source-maps', out, ...args], {
    stdio: 'inherit',
    cwd: process.cwd(),
  });
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
