// The README's Layout table as a lint rule (as VS Code's `code-layering`): each relative import is
// resolved against the importing file, and the folder it lands in must be one its own folder may import.
import { dirname, relative, resolve, sep } from 'node:path';

/**
 * What each folder may import (besides itself). The most specific folder wins: main/services before main.
 * `worker/` is the entry of the training and prediction process: nothing imports it but the CLI, which
 * runs models in its own process.
 */
export const LAYERS = {
  core: [],
  db: ['core'],
  'main/services': ['core', 'db'],
  'main/ipc': ['core', 'db', 'main/services'],
  main: ['core', 'db', 'main/ipc', 'main/services'],
  preload: ['core'],
  renderer: ['core'],
  trainer: ['core'],
  worker: ['core', 'db', 'main/services', 'trainer'],
  cli: ['core', 'db', 'main/services', 'trainer', 'worker'],
};

const byLength = Object.keys(LAYERS).sort((a, b) => b.length - a.length);

/** The layer a repository-relative path belongs to, or null (tests/, bench/, scripts/, a package). */
export function layerOf(path) {
  const p = path.split(sep).join('/');
  return byLength.find((l) => p === l || p.startsWith(`${l}/`)) ?? null;
}

export function createLayersPlugin(root) {
  const rule = {
    meta: {
      type: 'problem',
      schema: [],
      messages: {
        layer: '{{from}}/ may not import {{to}}/ ({{target}}): {{from}}/ may import {{allowed}} (README, Layout)',
      },
    },
    create(context) {
      const from = layerOf(relative(root, context.filename));
      if (!from) return {};
      const check = (node, source) => {
        if (typeof source !== 'string' || !source.startsWith('.')) return;
        const target = relative(root, resolve(dirname(context.filename), source));
        const to = layerOf(target);
        if (!to || to === from || LAYERS[from].includes(to)) return;
        const allowed = LAYERS[from].length ? LAYERS[from].join(', ') : 'nothing of the project';
        context.report({ node, messageId: 'layer', data: { from, to, target: source, allowed } });
      };
      return {
        ImportDeclaration: (n) => check(n, n.source.value),
        ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
        ExportAllDeclaration: (n) => check(n, n.source.value),
        ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value),
      };
    },
  };
  return { rules: { layers: rule } };
}
