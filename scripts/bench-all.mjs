#!/usr/bin/env node
// `npm run bench`: every benchmark in turn (each prints its own ratios against an in-run reference).
import { spawnSync } from 'node:child_process';

const benches = [
  'bench/db.bench.ts',
  'bench/editor/editor.bench.ts',
  'bench/large.bench.ts',
  'bench/propagate.bench.ts',
  'bench/train/step.bench.ts',
  'bench/predict.bench.ts',
  'bench/export.bench.ts',
  'bench/charts/charts.bench.mjs',
];
let failed = 0;
for (const b of benches) {
  console.log(`\n=== ${b}`);
  // TypeScript through run-ts; the chart bench is a plain module (it builds its page with Vite itself).
  const args = b.endsWith('.mjs') ? [b] : ['scripts/run-ts.mjs', b];
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
