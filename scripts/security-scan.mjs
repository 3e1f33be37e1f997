#!/usr/bin/env node
// Static Electron security scan with @doyensec/electronegativity. The tool always exits 0, so this
// script reads its CSV report and fails on any HIGH finding (and when no report was written at all).
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const electronVersion = require('electron/package.json').version;
const cli = join(root, 'node_modules', '@doyensec', 'electronegativity', 'dist', 'index.js');
if (!existsSync(cli)) {
  console.error('security-scan: @doyensec/electronegativity is not installed (run npm install)');
  process.exit(1);
}

// Scan what ships: main and preload sources, the built renderer, package.json.
const stage = mkdtempSync(join(tmpdir(), 'mw-scan-'));
try {
  for (const p of ['main', 'preload', 'package.json']) cpSync(join(root, p), join(stage, p), { recursive: true });
  const renderer = join(root, 'dist', 'renderer');
  if (!existsSync(renderer)) {
    console.error('security-scan: dist/renderer is missing; build first (npm run build)');
    process.exit(1);
  }
  cpSync(renderer, join(stage, 'renderer'), { recursive: true });
  const report = join(stage, 'report.csv');
  const r = spawnSync(process.execPath, [cli, '-i', stage, '-e', electronVersion, '-r', '-o', report], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (!existsSync(report)) {
    console.error(`security-scan: electronegativity wrote no report\n${r.stdout}\n${r.stderr}`);
    process.exit(1);
  }
  const rows = readFileSync(report, 'utf8').trim().split('\n').slice(1).filter(Boolean);
  const findings = rows.map((line) => {
    const cells = line.match(/("([^"]|"")*"|[^,]*)(,|$)/g).map((c) => c.replace(/,$/, '').replace(/^"|"$/g, ''));
    return {
      check: cells[0],
      severity: cells[1],
      confidence: cells[2],
      file: cells[3],
      location: cells[4],
      description: cells[6],
    };
  });
  console.log(`electronegativity (Electron ${electronVersion}): ${findings.length} finding(s)`);
  for (const f of findings)
    console.log(`  ${f.severity.padEnd(13)} ${f.check.padEnd(28)} ${f.file}:${f.location}  ${f.description}`);
  const high = findings.filter((f) => f.severity === 'HIGH');
  if (high.length) {
    console.error(`security-scan: ${high.length} HIGH finding(s): failing`);
    process.exit(1);
  }
  console.log('security-scan: no HIGH findings');
} finally {
  rmSync(stage, { recursive: true, force: true });
}
