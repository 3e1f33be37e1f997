// Moves a folder of the project and keeps every reference to it working:
//   node scripts/move-folder.mjs services services
// 1. `git mv` the folder; 2. rewrite each relative specifier (import, export, import(), require, vi.mock)
// that loads a moved file or is written in one, so it points at the same file from the new place;
// 3. replace the folder's path where it is written out (comments, the README, the layer rule's config).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { resolveImport } from './eslint/imports.js';

const root = resolve(import.meta.dirname, '..');
const [from, to] = process.argv.slice(2).map((p) => p.replace(/\/+$/, ''));
if (!from || !to) {
  console.error('usage: node scripts/move-folder.mjs <folder> <new folder>   (repository-relative)');
  process.exit(2);
}

const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
const files = git('ls-files', '-z').split('\0').filter(Boolean);
const inside = (p) => p === from || p.startsWith(`${from}/`);
const moved = (p) => (inside(p) ? to + p.slice(from.length) : p);
const rel = (abs) => relative(root, abs).split('\\').join('/');

/** The specifier from `file` to the path `written` (both at their new places), as the project writes them. */
function specifier(file, written) {
  const s = posix.relative(posix.dirname(file), written) || '.';
  return s.startsWith('.') ? s : `./${s}`;
}

const code = /\.(ts|js|mjs|cjs|svelte)$/;
const literal = /(['"])(\.\.?\/[^'"\n]*|\.\.?)\1/g;
const rewritten = new Map();
for (const file of files.filter((f) => code.test(f))) {
  const text = readFileSync(join(root, file), 'utf8');
  const next = text.replace(literal, (whole, quote, spec) => {
    const target = resolveImport(join(root, file), spec);
    if (!target) return whole;
    if (!inside(rel(target)) && !inside(file)) return whole;
    // The path as written (its ending kept: `./x` for x.ts, `./X.svelte`, a folder for its index).
    const written = rel(resolve(dirname(join(root, file)), spec));
    return quote + specifier(moved(file), moved(written)) + quote;
  });
  if (next !== text || inside(file)) rewritten.set(moved(file), next);
}

git('mv', from, to);
for (const [file, text] of rewritten) writeFileSync(join(root, file), text);

// The folder's path written out, as a whole path segment (not `xmain/services`, not `main/servicesx`).
const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const path = new RegExp(`(?<![\\w.-])${escaped}(?![\\w-])`, 'g');
const text = /\.(ts|js|mjs|cjs|svelte|md|json|ya?ml)$/;
let mentions = 0;
for (const file of git('ls-files', '-z')
  .split('\0')
  .filter((f) => text.test(f) && f !== 'package-lock.json')) {
  const abs = join(root, file);
  const before = readFileSync(abs, 'utf8');
  const after = before.replace(path, () => (mentions++, to));
  if (after !== before) writeFileSync(abs, after);
}
console.log(`moved ${from}/ to ${to}/: ${rewritten.size} files' imports rewritten, ${mentions} mentions renamed`);
console.log('check: npm run typecheck && npm run lint, then read `git diff` for prose that names the old place');
