#!/usr/bin/env node
// `npm start` runs Electron against node_modules, whose better-sqlite3 addon is built for Node (so the
// tests can use it). This builds a second copy for Electron's ABI into .electron-native/, which
// main/index.ts passes to better-sqlite3 as `nativeBinding`. Rebuilt only when Electron's version changes.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const electron = require('electron/package.json').version;
const sqlite = require('better-sqlite3/package.json').version;
const outDir = join(root, '.electron-native');
const stamp = join(outDir, 'stamp.json');
const want = JSON.stringify({ electron, sqlite, arch: process.arch });

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want && existsSync(join(outDir, 'better_sqlite3.node')))
  process.exit(0);

console.log(`Building better-sqlite3 ${sqlite} for Electron ${electron} (once per Electron version)...`);
const work = join(outDir, 'build');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
cpSync(dirname(require.resolve('better-sqlite3/package.json')), work, {
  recursive: true,
  filter: (p) => !p.includes(`${'build'}/Release/obj`),
});
const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
const env = { ...process.env };
// The workplace npmrc points node-gyp at Node's own headers; Electron needs its own.
delete env.npm_config_nodedir;
delete env.NPM_CONFIG_NODEDIR;
const r = spawnSync(
  process.execPath,
  [
    nodeGyp,
    'rebuild',
    '--release',
    `--target=${electron}`,
    `--arch=${process.arch}`,
    '--dist-url=https://electronjs.org/headers',
    '--runtime=electron',
  ],
  { cwd: work, stdio: 'inherit', env },
);
if (r.status !== 0) {
  console.error(
    'Could not build better-sqlite3 for Electron (needs a C++ toolchain and network access to Electron headers).',
  );
  process.exit(1);
}
cpSync(join(work, 'build', 'Release', 'better_sqlite3.node'), join(outDir, 'better_sqlite3.node'));
rmSync(work, { recursive: true, force: true });
writeFileSync(stamp, want);
