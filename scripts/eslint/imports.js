// The project's import graph for the cycle check: each file's relative imports that load at run time
// (`import type` and `export type` are erased, so they close no cycle), read from disk with TypeScript's
// parser and cached per file until it changes.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';

/** The file a relative specifier loads, as the bundlers resolve it (exact file first: `./x.svelte`). */
export function resolveImport(fromFile, specifier) {
  const base = resolve(dirname(fromFile), specifier);
  const stem = base.replace(/\.(js|mjs)$/, '');
  const candidates = [
    base,
    `${base}.ts`,
    `${stem}.ts`,
    `${base}.js`,
    `${base}.mjs`,
    `${base}/index.ts`,
    `${base}/index.js`,
  ];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}

/** The code of a file: a .svelte file's script blocks, anything else whole. */
function scriptOf(file, text) {
  if (!file.endsWith('.svelte')) return text;
  return [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
}

/** The run-time specifiers of a module's source: static imports and re-exports, dynamic imports, require. */
export function runtimeSpecifiers(file, text) {
  const source = ts.createSourceFile(file, scriptOf(file, text), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found = [];
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly) found.push(node.moduleSpecifier.text);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])) {
      const dynamic = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const required = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if (dynamic || required) found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const cache = new Map();

/** The project files a file on disk loads at run time (relative imports only: packages close no cycle). */
function edgesOf(file) {
  if (!/\.(ts|js|mjs|cjs|svelte)$/.test(file)) return [];
  const mtime = statSync(file).mtimeMs;
  const hit = cache.get(file);
  if (hit && hit.mtime === mtime) return hit.edges;
  const edges = runtimeSpecifiers(file, readFileSync(file, 'utf8'))
    .filter((s) => s.startsWith('.'))
    .map((s) => resolveImport(file, s))
    .filter((t) => t !== null);
  cache.set(file, { mtime, edges });
  return edges;
}

/**
 * A path of imports from `target` back to `start`, or null: `start`'s own imports are the ones being linted
 * (its text may differ from the disk), so the walk stops when it reaches it. `known` remembers, across the
 * imports of one linted file, which files cannot reach `start`.
 */
export function pathBack(start, target, known = new Set()) {
  const walk = (file, trail) => {
    if (file === start) return trail;
    if (known.has(file) || trail.includes(file)) return null;
    for (const next of edgesOf(file)) {
      const found = walk(next, [...trail, file]);
      if (found) return found;
    }
    known.add(file);
    return null;
  };
  return walk(target, []);
}
