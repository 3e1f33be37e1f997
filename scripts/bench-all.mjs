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
];
let failed = 0;
for (const b of benches) {
  console.log(`\n=== ${b}`);
  const r = spawnSync(process.execPath, ['scripts/run-ts.mjs', b], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
