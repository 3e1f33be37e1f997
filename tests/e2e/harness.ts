/**
 * End-to-end harness: the built renderer (dist/renderer) in Debian's Chromium, driven by
 * playwright-core, with `window.api` routed to a real registry (real SQLite files in a temp folder).
 *
 * Stands in for Electron as follows:
 * - the `app://maskwright/` protocol: requests to http://maskwright.test/ are answered by a route
 *   with the app's own protocol handler (`serveAppFile`: files from dist/renderer, the app's
 *   Content-Security-Policy header); no server, no network, every other request is aborted;
 * - the preload: `browser/page-init.ts` defines `window.api` and forwards to an exposed function;
 * - IPC's structured clone: byte arrays travel base64-encoded both ways (see page-init.ts);
 * - native dialogs: `dialogs` holds what each dialog answers next, set by the test.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterEach, beforeEach, expect } from 'vitest';
import { makeCall, type Call } from '../../core/ipc/client';
import type { MaskwrightApi } from '../../core/ipc/contract';
import type { GrantUse } from '../../core/ipc/contract';
import { createAppRegistry, type Dialogs, type FolderPurpose, type Session } from '../../main/ipc/handlers';
import { nodeFork, workerPath } from '../../services/job-process';
import type { Registry } from '../../main/ipc/registry';
import { serveAppFile } from '../../main/protocol';
import { APP_ORIGIN } from '../../main/security';
import type { DropFile } from './protocol';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const RENDERER_DIR = join(root, 'dist', 'renderer');
export const ARTIFACTS_DIR = join(root, 'test-artifacts', 'e2e');
export const CHROMIUM = '/usr/bin/chromium';
export const ORIGIN = 'http://maskwright.test';

/** What the stubbed native dialogs answer next; `calls` counts how often each was shown. */
export class StubDialogs implements Dialogs {
  createProjectPath: string | null = null;
  openProjectPath: string | null = null;
  imagePaths: string[] = [];
  folderPath: string | null = null;
  readonly calls: Record<keyof Dialogs, number> = { createProject: 0, openProject: 0, pickImages: 0, pickFolder: 0 };

  async createProject() {
    this.calls.createProject++;
    return this.createProjectPath;
  }
  async openProject() {
    this.calls.openProject++;
    return this.openProjectPath;
  }
  async pickImages() {
    this.calls.pickImages++;
    return this.imagePaths;
  }
  /** What the last folder dialog was opened for. */
  folderPurpose: FolderPurpose | null = null;
  async pickFolder(purpose: FolderPurpose) {
    this.calls.pickFolder++;
    this.folderPurpose = purpose;
    return this.folderPath;
  }
}

export interface Harness {
  page: Page;
  browser: Browser;
  context: BrowserContext;
  registry: Registry;
  session: Session;
  /** Typed calls straight to the registry, for asserting on the database. */
  call: Call;
  /**
   * A grant for `paths` as a native dialog would issue it (the same session table): test setup that
   * skips the dialog, e.g. `h.call('project.create', { grant: h.grant(path, 'project.create') })`.
   */
  grant(paths: string | string[], use: GrantUse): string;
  dialogs: StubDialogs;
  /** A fresh temp folder for this test (project files, fixtures, app data). */
  tmp: string;
  /** Console errors, uncaught page errors and failed requests seen so far. */
  problems: string[];
  /** Opens the app's start page and waits until the renderer has started. */
  open(): Promise<void>;
  screenshot(name: string): Promise<string>;
  /** Dispatches dragenter, dragover and (unless `drop` is false) drop with these files on the middle of the window. */
  dragFiles(files: { name: string; type: string; bytes: Uint8Array }[], options?: { drop?: boolean }): Promise<void>;
  /** Sends an event to the page as main's `webContents.send` would. */
  emit(event: string, payload: unknown): void;
  /** How often the renderer said it may close (`app.closeReady`), as main's window would see it. */
  closeRequests(): number;
  close(): Promise<void>;
}

/** Turns every `Uint8Array` in a result into `{ __u8: base64 }` for the page (see page-init.ts). */
export function encodeResult(value: unknown): unknown {
  if (value instanceof Uint8Array)
    return { __u8: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (Array.isArray(value)) return value.map(encodeResult);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeResult(v)]));
  }
  return value;
}

/** Turns `{ __u8: base64 }` (see page-init.ts) back into `Uint8Array`, everywhere in a payload. */
export function decodePayload(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodePayload);
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (typeof obj.__u8 === 'string' && Object.keys(obj).length === 1) {
      const buf = Buffer.from(obj.__u8, 'base64');
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, decodePayload(v)]));
  }
  return value;
}

let initScript: string | undefined;
function pageInitScript(): string {
  initScript ??= transformSync(readFileSync(join(root, 'tests/e2e/browser/page-init.ts'), 'utf8'), {
    loader: 'ts',
    format: 'iife',
    target: 'chrome120',
  }).code;
  return initScript;
}

function assertPrerequisites(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}; the end-to-end tests need Debian's Chromium. ` +
        'Install it with: apt-get install -y chromium',
    );
  }
  const built = join(RENDERER_DIR, 'index.html');
  const rebuild = 'Run `npm run build` (or `npx vite build --config renderer/vite.config.ts`) first.';
  if (!existsSync(built)) throw new Error(`The renderer is not built (${built} is missing). ${rebuild}`);
  const stale = newestSource(join(root, 'renderer'));
  if (stale && stale.mtimeMs > statSync(built).mtimeMs) {
    throw new Error(`The built renderer is older than ${stale.path}. ${rebuild}`);
  }
}

/** The most recently modified file under `dir` (a stale build makes for confusing failures). */
function newestSource(dir: string): { path: string; mtimeMs: number } | undefined {
  let newest: { path: string; mtimeMs: number } | undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const { mtimeMs } = statSync(path);
    if (!newest || mtimeMs > newest.mtimeMs) newest = { path, mtimeMs };
  }
  return newest;
}

export async function launchHarness(): Promise<Harness> {
  assertPrerequisites();
  const tmp = mkdtempSync(join(tmpdir(), 'maskwright-e2e-'));
  const dialogs = new StubDialogs();
  // Stands in for `webContents.send`: set once the page exists; events are delivered in order.
  let emitToPage: (event: string, payload: unknown) => void = () => {};
  let closeRequests = 0;
  const { registry, session } = createAppRegistry({
    version: 'test',
    platform: process.platform,
    dataDir: join(tmp, 'data'),
    dialogs,
    emit: (event, payload) => emitToPage(event, payload),
    closeWindow: () => {
      closeRequests++;
      return true;
    },
    // Training runs the built worker (dist/trainer); tests that train build it first.
    forkWorker: nodeFork,
    workerModule: workerPath(join(root, 'dist')),
  });
  const call = makeCall({ invoke: (channel, input) => registry.invoke(channel, input) } as MaskwrightApi);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const problems: string[] = [];

  // Later routes win: everything is aborted except the app's own origin.
  await context.route('**/*', (route) => {
    problems.push(`blocked request: ${route.request().url()}`);
    return route.abort('blockedbyclient');
  });
  await context.route(`${ORIGIN}/**`, async (route) => {
    const response = await serveAppFile(RENDERER_DIR, route.request().url().replace(ORIGIN, APP_ORIGIN));
    await route.fulfill({
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body: Buffer.from(await response.arrayBuffer()),
    });
  });

  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('crash', () => problems.push('page crashed'));
  await page.exposeFunction('__maskwrightInvoke', (channel: string, payload: unknown) =>
    registry.invoke(channel, decodePayload(payload)).then(encodeResult),
  );
  await page.addInitScript({ content: pageInitScript() });
  emitToPage = (event, payload) => {
    type Emit = { __maskwrightEmit(e: string, p: unknown): void };
    page
      .evaluate(([e, p]) => (globalThis as unknown as Emit).__maskwrightEmit(e, p), [
        event,
        encodeResult(payload),
      ] as const)
      .catch(() => {}); // the page may be navigating; an event is not worth failing for
  };

  return {
    page,
    browser,
    context,
    registry,
    session,
    call,
    grant: (paths, use) => session.grants.issue(typeof paths === 'string' ? [paths] : paths, use),
    dialogs,
    tmp,
    problems,
    async open() {
      await page.goto(`${ORIGIN}/index.html`);
      await page.locator(".app[data-ready='true']").waitFor();
    },
    async screenshot(name) {
      mkdirSync(ARTIFACTS_DIR, { recursive: true });
      const path = join(ARTIFACTS_DIR, `${name}.png`);
      await page.screenshot({ path });
      return path;
    },
    async dragFiles(files, options = {}) {
      const list: DropFile[] = files.map((f) => ({
        name: f.name,
        type: f.type,
        base64: Buffer.from(f.bytes).toString('base64'),
      }));
      type E2e = { __maskwrightE2e: { dragFiles(l: DropFile[], drop: boolean): void } };
      await page.evaluate(([l, drop]) => (globalThis as unknown as E2e).__maskwrightE2e.dragFiles(l, drop), [
        list,
        options.drop ?? true,
      ] as const);
    },
    emit: (event, payload) => emitToPage(event, payload),
    closeRequests: () => closeRequests,
    async close() {
      await browser.close().catch(() => {});
      session.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/**
 * Registers hooks that give each test a fresh harness and fail the test on any console error, page
 * error or blocked request. Returns a getter for the current test's harness.
 */
export function useHarness(): () => Harness {
  let current: Harness | undefined;
  beforeEach(async () => {
    current = await launchHarness();
  });
  afterEach(async () => {
    if (!current) return;
    const problems = [...current.problems];
    await current.close();
    current = undefined;
    expect(problems, 'console errors, page errors or blocked requests').toEqual([]);
  });
  return () => {
    if (!current) throw new Error('useHarness(): no harness outside a test');
    return current;
  };
}
