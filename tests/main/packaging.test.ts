/**
 * electron-builder.yml, checked with electron-builder's own file matchers (app-builder-lib), since a
 * real `npm run dist` needs Electron's download: each platform's package keeps only its own Dawn
 * binary (`webgpu/dist/<platform>-<arch>/`), and the webgpu package is unpacked from the asar (a native
 * addon cannot be loaded from inside the archive, and its index.js finds dawn.node beside itself).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load: (s: string) => Record<string, unknown> };
const matchers = require('app-builder-lib/out/fileMatcher') as {
  FileMatcher: new (
    from: string,
    to: string,
    expand: (p: string) => string,
    patterns?: string[],
  ) => { createFilter(): Filter; patterns: string[] };
  getNodeModuleFileMatcher: (...a: unknown[]) => { patterns: string[] };
  getFileMatchers: (...a: unknown[]) => { createFilter(): Filter }[] | null;
};
type Filter = (file: string, stat: { isDirectory(): boolean; moduleFullFilePath?: string }) => boolean;

const root = join(__dirname, '..', '..');
const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8'));
const dists = readdirSync(join(root, 'node_modules', 'webgpu', 'dist'));
const fileStat = (moduleFullFilePath?: string) => ({ isDirectory: () => false, moduleFullFilePath });

const targets = [
  { platform: 'linux', arch: 'x64', keep: 'linux-x64' },
  { platform: 'linux', arch: 'arm64', keep: 'linux-arm64' },
  { platform: 'mac', arch: 'universal', keep: 'darwin-universal' },
  { platform: 'mac', arch: 'arm64', keep: 'darwin-universal' },
  { platform: 'win', arch: 'x64', keep: 'win32-x64' },
  { platform: 'win', arch: 'arm64', keep: 'win32-arm64' },
];

describe('electron-builder packaging of Dawn (webgpu)', () => {
  it('the webgpu package carries the binaries this test expects', () => {
    expect(dists.sort()).toEqual(['darwin-universal', 'linux-arm64', 'linux-x64', 'win32-arm64', 'win32-x64']);
  });

  for (const t of targets) {
    it(`${t.platform} ${t.arch}: ships ${t.keep}/dawn.node only, unpacked from the asar`, () => {
      const expand = (p: string) => p.replace(/\$\{arch\}/g, t.arch).replace(/\$\{os\}/g, t.platform);
      const platformOptions = (config[t.platform] ?? {}) as Record<string, unknown>;
      const packager = { config, debugLogger: { isEnabled: false } };
      const appDir = root;
      // As electron-builder copies a dependency: a matcher per module with the node_modules patterns,
      // paths relative to the app as `moduleFullFilePath`.
      const nm = matchers.getNodeModuleFileMatcher(appDir, '/out', expand, platformOptions, packager);
      const dep = join(root, 'node_modules', 'webgpu');
      const filter = new matchers.FileMatcher(dep, '/out/node_modules/webgpu', expand, nm.patterns).createFilter();
      const shipped = dists.filter((d) =>
        filter(join(dep, 'dist', d, 'dawn.node'), fileStat(`node_modules/webgpu/dist/${d}/dawn.node`)),
      );
      expect(shipped).toEqual([t.keep]);
      expect(filter(join(dep, 'index.js'), fileStat('node_modules/webgpu/index.js'))).toBe(true);

      const unpack = matchers
        .getFileMatchers(config, 'asarUnpack', '/out', {
          macroExpander: expand,
          customBuildOptions: platformOptions,
          globalOutDir: join(root, 'release'),
          defaultSrc: appDir,
        })![0]!
        .createFilter();
      for (const f of [`dist/${t.keep}/dawn.node`, 'index.js', 'package.json'])
        expect(unpack(join(dep, f), fileStat(`node_modules/webgpu/${f}`)), f).toBe(true);
      // The app's own code stays in the asar.
      expect(unpack(join(root, 'dist/main/index.cjs'), fileStat())).toBe(false);
    });
  }
});
