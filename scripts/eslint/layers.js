// The README's Layout table as a lint rule (as VS Code's `code-layering`): each relative import is
// resolved against the importing file, and the folder it lands in must be one its own folder may import;
// each package import must come from a folder that package is allowed in; and no import may close a cycle.
import { dirname, relative, resolve, sep } from 'node:path';
import { pathBack, resolveImport } from './imports.js';

/**
 * The shared application layer: the operations on a project (import, labels, training and prediction
 * parents, export) that the Electron main process, the worker and the CLI all run, in Node, without
 * Electron or TensorFlow.js. Renaming its folder is this line (and moving the files).
 */
export const APP = 'services';

/**
 * What each folder may import (besides itself). The most specific folder wins: main/ipc before main.
 * `renderer/src/components` and `renderer/src/editor` are folders of their own so that only the first may
 * import the second. `worker/` is the entry of the training and prediction process: nothing imports it but the CLI, which
 * runs models in its own process.
 */
export const LAYERS = {
  core: [],
  db: ['core'],
  [APP]: ['core', 'db'],
  'main/ipc': ['core', 'db', APP],
  main: ['core', 'db', 'main/ipc', APP],
  preload: ['core'],
  // The screens (components/) host the editor; the editor uses neither them nor their pieces: what both
  // use lives in renderer/ (ui/, lib/, state/), so a change to one screen never reaches into the other.
  renderer: ['core', 'renderer/src/components', 'renderer/src/editor'],
  'renderer/src/components': ['core', 'renderer', 'renderer/src/editor'],
  'renderer/src/editor': ['core', 'renderer'],
  trainer: ['core'],
  worker: ['core', 'db', APP, 'trainer'],
  cli: ['core', 'db', APP, 'trainer', 'worker'],
};

/**
 * The folders each of these packages may be imported from (`@scope/*`: every package of the scope). `main`
 * is the Electron entry files only: main/ipc and the application layer are folders of their own. Files
 * outside the layers (tests/, bench/, scripts/) may import any package; packages not listed, any folder.
 */
export const PACKAGES = {
  '@tensorflow/*': ['trainer', 'worker', 'cli'],
  webgpu: ['trainer', 'worker', 'cli'],
  'better-sqlite3': ['db'],
  electron: ['main', 'preload'],
};

const byLength = Object.keys(LAYERS).sort((a, b) => b.length - a.length);

/** The layer a repository-relative path belongs to, or null (tests/, bench/, scripts/, a package). */
export function layerOf(path) {
  const p = path.split(sep).join('/');
  return byLength.find((l) => p === l || p.startsWith(`${l}/`)) ?? null;
}

/** The PACKAGES entry a bare specifier falls under (`@tensorflow/tfjs-core/dist/x` → `@tensorflow/*`), or null. */
export function packageRule(specifier) {
  const [first, second] = specifier.split('/');
  const name = first.startsWith('@') ? `${first}/${second}` : first;
  return [name, `${first}/*`].find((k) => k in PACKAGES) ?? null;
}

const isTypeOnly = (node) => node.importKind === 'type' || node.exportKind === 'type';

export function createLayersPlugin(root) {
  const rule = {
    meta: {
      type: 'problem',
      schema: [],
      messages: {
        layer: '{{from}}/ may not import {{to}}/ ({{target}}): {{from}}/ may import {{allowed}} (README, Layout)',
        package: '{{from}}/ may not import {{target}}: only {{allowed}} may (README, Layout)',
        cycle: 'import cycle: {{cycle}} (README, Layout)',
      },
    },
    create(context) {
      const file = context.filename;
      const from = layerOf(relative(root, file));
      const name = (f) => relative(root, f).split(sep).join('/');
      let known = new Set();
      const checkLayer = (node, source) => {
        const to = layerOf(relative(root, resolve(dirname(file), source)));
        if (!to || to === from || LAYERS[from].includes(to)) return;
        const allowed = LAYERS[from].length ? LAYERS[from].join(', ') : 'nothing of the project';
        context.report({ node, messageId: 'layer', data: { from, to, target: source, allowed } });
      };
      const checkPackage = (node, source) => {
        const key = packageRule(source);
        if (!key || PACKAGES[key].includes(from)) return;
        const allowed = PACKAGES[key].map((l) => (l === 'main' ? 'main/index.ts, security.ts, protocol.ts' : `${l}/`));
        context.report({ node, messageId: 'package', data: { from, target: source, allowed: allowed.join(', ') } });
      };
      const checkCycle = (node, source) => {
        const target = resolveImport(file, source);
        if (!target || target === file) return;
        const back = pathBack(file, target, known);
        if (!back) return;
        known = new Set(); // a found path may have marked files on it as dead ends: start afresh
        const cycle = [file, ...back, file].map(name).join(' → ');
        context.report({ node, messageId: 'cycle', data: { cycle } });
      };
      const check = (node, source, typeOnly = false) => {
        if (typeof source !== 'string') return;
        if (!source.startsWith('.')) return from && !source.startsWith('node:') && checkPackage(node, source);
        if (from) checkLayer(node, source);
        if (!typeOnly) checkCycle(node, source);
      };
      return {
        ImportDeclaration: (n) => check(n, n.source.value, isTypeOnly(n)),
        ExportNamedDeclaration: (n) => n.source && check(n, n.source.value, isTypeOnly(n)),
        ExportAllDeclaration: (n) => check(n, n.source.value, isTypeOnly(n)),
        ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value),
        'CallExpression[callee.name="require"]': (n) =>
          n.arguments[0]?.type === 'Literal' && check(n, n.arguments[0].value),
      };
    },
  };
  return { rules: { layers: rule } };
}
