// Builds the renderer into dist/renderer. Served in the app over `app://maskwright/` and in the
// end-to-end tests over `http://maskwright.test/`, so every URL in the output is relative.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  publicDir: 'public',
  plugins: [svelte({ configFile: false })],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome130',
    sourcemap: true,
    // Everything is local; one chunk keeps the CSP simple and start-up fast.
    modulePreload: false,
    assetsInlineLimit: 0,
  },
});
