#!/usr/bin/env node
/**
 * Training chart benchmark (issue 24 item 6): 10,000 step losses, then 200 live appends of one step each,
 * in the same Chromium run (Debian's, via playwright-core as tests/e2e do), drawn by
 *   before: the hand-written SVG chart the app had (page/SvgLineChart.svelte), fed from the deep $state
 *           array the app had,
 *   svg:    the same chart fed as the app feeds charts now (a $state.raw array each flush replaces),
 *   now:    today's LineChart.svelte on uPlot, fed the same way,
 *   uplot:  a bare uPlot chart on plain arrays (the floor).
 * Each figure is the time from the update until the next frame has been produced (vsync off), so it
 * includes style, layout and paint. Also the bytes uPlot adds to the renderer bundle (minified, gzip).
 * Run: node bench/charts/charts.bench.mjs
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { build } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const POINTS = 10_000;
const APPENDS = 200;
const ROUNDS = 5;
const ORIGIN = 'http://bench.test';

async function bundle(root, input, outDir) {
  await build({
    root,
    base: './',
    configFile: false,
    logLevel: 'warn',
    plugins: [svelte({ configFile: false })],
    build: { outDir, emptyOutDir: true, target: 'chrome130', modulePreload: false, rollupOptions: { input } },
  });
}

function files(dir) {
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

/** Bytes of uPlot's JS and CSS as Vite bundles them: a page that imports only uPlot, less an empty page. */
async function uplotBytes(tmp) {
  const measure = async (name, code) => {
    const root = join(tmp, name);
    const fsRoot = mkdtempSync(root);
    writeFileSync(join(fsRoot, 'index.html'), '<script type="module" src="./m.js"></script>');
    writeFileSync(join(fsRoot, 'm.js'), code);
    const out = join(fsRoot, 'dist');
    await bundle(fsRoot, join(fsRoot, 'index.html'), out);
    const assets = files(out).filter((f) => ['.js', '.css'].includes(extname(f)));
    return {
      min: assets.reduce((s, f) => s + statSync(f).size, 0),
      gzip: assets.reduce((s, f) => s + gzipSync(readFileSync(f)).length, 0),
    };
  };
  const empty = await measure('empty', 'document.title = "x";');
  const withUplot = await measure(
    'uplot',
    `import uPlot from '${join(here, '../../node_modules/uplot/dist/uPlot.esm.js')}';\n` +
      `import '${join(here, '../../node_modules/uplot/dist/uPlot.min.css')}';\nwindow.u = uPlot;`,
  );
  return { min: withUplot.min - empty.min, gzip: withUplot.gzip - empty.gzip };
}

const stats = (ms) => {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { p50: at(0.5), p95: at(0.95), max: s[s.length - 1] };
};
const f = (x) => x.toFixed(2).padStart(7);

const tmp = mkdtempSync(join(tmpdir(), 'mw-chart-bench-'));
try {
  const out = join(tmp, 'page');
  await bundle(join(here, 'page'), join(here, 'page/index.html'), out);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--disable-gpu-vsync', '--disable-frame-rate-limit'],
  });
  const NAMES = ['before', 'svg', 'now', 'uplot'];
  const results = Object.fromEntries(NAMES.map((n) => [n, { first: [], append: [] }]));
  try {
    for (let round = 0; round < ROUNDS; round++)
      for (const which of round % 2 ? [...NAMES].reverse() : NAMES) {
        // A fresh page per chart and round: neither warms the other's code.
        const page = await browser.newPage({ viewport: { width: 1024, height: 700 } });
        await page.route(`${ORIGIN}/**`, (route) => {
          const path = new URL(route.request().url()).pathname.replace(/^\/$/, '/index.html');
          const type = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' }[extname(path)];
          return route.fulfill({ body: readFileSync(join(out, path)), contentType: type });
        });
        await page.goto(`${ORIGIN}/`);
        await page.waitForFunction(() => 'bench' in globalThis);
        const r = await page.evaluate(([w, n, a]) => globalThis.bench[w](n, a), [which, POINTS, APPENDS]);
        results[which].first.push(r.first);
        // The first appends of each round warm up the JIT; count the rest.
        results[which].append.push(...r.append.slice(10));
        await page.close();
      }
  } finally {
    await browser.close();
  }
  const bytes = await uplotBytes(tmp);
  console.log(`Chromium ${'(Debian)'}; ${POINTS} points, ${APPENDS} appends, ${ROUNDS} rounds (ms until next frame)`);
  console.log('chart          first p50   append p50   append p95   append max');
  for (const [name, r] of Object.entries(results)) {
    const first = stats(r.first);
    const append = stats(r.append);
    console.log(`${name.padEnd(12)} ${f(first.p50)}      ${f(append.p50)}      ${f(append.p95)}      ${f(append.max)}`);
  }
  console.log(
    `uPlot adds ${(bytes.min / 1024).toFixed(1)} KiB minified JS+CSS (${(bytes.gzip / 1024).toFixed(1)} KiB gzip)`,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
