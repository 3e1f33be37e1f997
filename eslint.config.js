// Lint: typescript-eslint and svelte recommended rules, plus the layer rules: the README's Layout table with
// the packages each folder may import and no import cycles (scripts/eslint/layers.js), core/ pure, SQL in db/.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import { LAYERS, createLayersPlugin } from './scripts/eslint/layers.js';

const nodeBuiltins = [
  'fs',
  'path',
  'os',
  'child_process',
  'crypto',
  'zlib',
  'worker_threads',
  'url',
  'util',
  'stream',
  'events',
  'http',
  'https',
  'net',
];

export default ts.config(
  {
    files: ['**/*.ts', '**/*.svelte', '**/*.js', '**/*.mjs'],
    plugins: { maskwright: createLayersPlugin(import.meta.dirname) },
    rules: { 'maskwright/layers': 'error' },
  },
  { ignores: ['dist/', 'release/', 'node_modules/', 'test-artifacts/', '.electron-native/', '.gpu-bundle/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] },
      globals: { ...globals.browser },
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['tests/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // core/ is pure TypeScript: it runs in the renderer, in workers, in main and in the CLI alike.
    files: ['core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'core/ must not import Node modules' })),
          patterns: [
            { group: ['node:*'], message: 'core/ must not import Node modules' },
            { group: ['electron', 'electron/*'], message: 'core/ must not import Electron' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', 'require'],
    },
  },
  {
    // All SQL lives in db/: everything else calls db/'s named functions.
    files: Object.keys(LAYERS)
      .filter((layer) => layer !== 'db')
      .map((layer) => `${layer}/**`),
    rules: {
      'no-restricted-syntax': [
        'error',
        ...[
          'CallExpression[callee.property.name=/^(prepare|pragma|transaction)$/]',
          "CallExpression[callee.property.name='exec'][callee.object.name='db']",
          "CallExpression[callee.property.name='exec'][callee.object.property.name='db']",
        ].map((selector) => ({ selector, message: 'SQL belongs in db/: add a named function there' })),
      ],
    },
  },
);
