// No module imports, directly or through others, a module that imports it back. In cli/: the subcommands
// import `Command` from cli/command.ts, and cli/commands.ts (the list) imports the subcommands.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Relative module specifiers of a TypeScript source: imports and re-exports (types too), import(). */
function specifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found = [
    ...code.matchAll(/\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g),
    ...code.matchAll(/\bimport\s*['"]([^'"]+)['"]/g),
    ...code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]!);
  return found.filter((s) => s.startsWith('.'));
}

function resolveModule(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

/**
 * Every import cycle among the .ts files under `dir` (imports leaving `dir` are not followed), each as
 * the list of files from one module back to it, relative to `dir`.
 */
function importCycles(dir: string): string[][] {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
  const inside = new Set(files);
  const edges = new Map(
    files.map((f) => [
      f,
      specifiers(readFileSync(f, 'utf8'))
        .map((s) => resolveModule(f, s))
        .filter((t): t is string => t !== null && inside.has(t)),
    ]),
  );
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const t of edges.get(f)!) {
      if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].map((p) => relative(dir, p)));
      else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of files.sort()) if (!state.has(f)) visit(f);
  return cycles;
}

describe('import cycles', () => {
  it('finds a cycle through a type-only import and a re-export, and none in a chain', () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskwright-cycles-'));
    try {
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, 'a.ts'), "import { b } from './sub';\nexport const a = b;\n");
      writeFileSync(join(dir, 'sub', 'index.ts'), "export { b } from './b';\n");
      writeFileSync(join(dir, 'sub', 'b.ts'), "import type { A } from '../c';\nexport const b = 1 as A;\n");
      writeFileSync(join(dir, 'c.ts'), "// import { a } from './a';\nexport type A = number;\n");
      expect(importCycles(dir)).toEqual([]);
      writeFileSync(join(dir, 'c.ts'), "import { a } from './a';\nexport type A = typeof a;\n");
      expect(importCycles(dir)).toEqual([['a.ts', 'sub/index.ts', 'sub/b.ts', 'c.ts', 'a.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // cli/ had them (commands.ts and the subcommands); the other layers are checked as cheaply. Imports
  // between layers cannot close a cycle: the layer rule (scripts/eslint/layers.js) only lets them point down.
  it.each(['cli', 'core', 'db', 'main', 'trainer', 'worker', 'renderer/src'])('%s/ has none', (dir) => {
    expect(importCycles(join(root, dir))).toEqual([]);
  });
});
