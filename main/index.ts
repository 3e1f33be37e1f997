/**
 * Electron main process: a window, the app:// protocol, and the IPC registry on ipcMain. Nothing else:
 * every handler lives in ./ipc and runs without Electron.
 */
import { app, BrowserWindow, dialog, ipcMain, protocol, session, utilityProcess } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DROP_GRANT_CHANNEL } from '../core/ipc/channels';
import { createAppRegistry, grantDropped, type Dialogs } from './ipc/handlers';
import type { ForkWorker } from '../services/job-process';
import { serveAppFile } from './protocol';
import { APP_ORIGIN, APP_SCHEME, hardenSession, hardenWebContents, isAppUrl } from './security';

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

const root = join(__dirname, '..', '..');
const rendererDir = join(root, 'dist', 'renderer');
const PROJECT_FILTER = { name: 'Maskwright project', extensions: ['maskwright'] };
const IMAGE_FILTER = { name: 'Images', extensions: ['png', 'jpg', 'jpeg', 'tif', 'tiff', 'webp'] };

function electronDialogs(getWindow: () => BrowserWindow | null): Dialogs {
  const parent = () => getWindow() ?? undefined;
  return {
    async createProject() {
      const opts = { title: 'New project', defaultPath: 'Untitled.maskwright', filters: [PROJECT_FILTER] };
      const w = parent();
      const r = w ? await dialog.showSaveDialog(w, opts) : await dialog.showSaveDialog(opts);
      if (r.canceled || !r.filePath) return null;
      return r.filePath.endsWith('.maskwright') ? r.filePath : `${r.filePath}.maskwright`;
    },
    async openProject() {
      const opts = { title: 'Open project', filters: [PROJECT_FILTER], properties: ['openFile' as const] };
      const w = parent();
      const r = w ? await dialog.showOpenDialog(w, opts) : await dialog.showOpenDialog(opts);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    async pickImages() {
      const opts = {
        title: 'Import images',
        filters: [IMAGE_FILTER],
        properties: ['openFile' as const, 'multiSelections' as const],
      };
      const w = parent();
      const r = w ? await dialog.showOpenDialog(w, opts) : await dialog.showOpenDialog(opts);
      return r.canceled ? [] : r.filePaths;
    },
    async pickFolder(purpose) {
      const titles = {
        'images.import': 'Import a folder of images',
        'masks.import': 'Import a folder of masks',
        'export.run': 'Export into a folder',
      };
      const opts = {
        title: titles[purpose],
        properties: ['openDirectory' as const, ...(purpose === 'export.run' ? (['createDirectory'] as const) : [])],
      };
      const w = parent();
      const r = w ? await dialog.showOpenDialog(w, opts) : await dialog.showOpenDialog(opts);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
  };
}

/** In development the SQLite addon in node_modules is built for Node; scripts/electron-native.mjs builds one for Electron. */
function devNativeBinding(): string | undefined {
  if (app.isPackaged) return undefined;
  const p = join(root, '.electron-native', 'better_sqlite3.node');
  return existsSync(p) ? p : undefined;
}

/** Training runs in a utility process: a crash or a long kernel never blocks the window. */
const forkUtility: ForkWorker = (modulePath) => {
  const child = utilityProcess.fork(modulePath, [], { serviceName: 'Maskwright training', stdio: 'inherit' });
  return {
    postMessage: (m) => child.postMessage(m),
    // Parsed by the job's parent (services/job-process.ts startJob).
    onMessage: (fn) => child.on('message', fn),
    onExit: (fn) => child.on('exit', fn),
    kill: () => void child.kill(),
  };
};

let mainWindow: BrowserWindow | null = null;
/** Set once the renderer has saved its edits (or did not answer in time): the next close goes through. */
let closeAllowed = false;
const CLOSE_TIMEOUT_MS = 10_000;

async function start(): Promise<void> {
  await app.whenReady();
  hardenSession(session.defaultSession);
  protocol.handle(APP_SCHEME, (request) => serveAppFile(rendererDir, request.url));

  const nativeBinding = devNativeBinding();
  const { registry, session: projectSession } = createAppRegistry({
    version: app.getVersion(),
    platform: process.platform,
    dataDir: app.getPath('userData'),
    dialogs: electronDialogs(() => mainWindow),
    emit: (event, payload) => mainWindow?.webContents.send(event, payload),
    forkWorker: forkUtility,
    workerModule: join(__dirname, '..', 'worker', 'index.cjs'),
    closeWindow: () => {
      if (!mainWindow || closeAllowed) return false;
      closeAllowed = true;
      mainWindow.close();
      return true;
    },
    ...(nativeBinding ? { nativeBinding } : {}),
  });
  for (const channel of registry.channels) {
    ipcMain.handle(channel, (event, payload: unknown) => {
      if (!isAppUrl(event.senderFrame?.url)) {
        return { ok: false, error: { code: 'UNTRUSTED_FRAME', message: 'IPC from an untrusted frame' } };
      }
      return registry.invoke(channel, payload);
    });
  }

  ipcMain.handle(DROP_GRANT_CHANNEL, (event, payload: unknown) => {
    if (!isAppUrl(event.senderFrame?.url)) {
      return { ok: false, error: { code: 'UNTRUSTED_FRAME', message: 'IPC from an untrusted frame' } };
    }
    return grantDropped(projectSession, payload);
  });

  app.on('web-contents-created', (_e, contents) => hardenWebContents(contents));
  app.on('before-quit', () => projectSession.close());
  app.on('window-all-closed', () => app.quit());

  mainWindow = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'Maskwright',
    backgroundColor: '#1b1d21',
    show: false,
    webPreferences: {
      preload: join(__dirname, '..', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
    },
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  // Closing waits for the renderer to save what is being edited (it answers with app.closeReady).
  mainWindow.on('close', (event) => {
    if (closeAllowed) return;
    event.preventDefault();
    mainWindow?.webContents.send('app.beforeClose', null);
    setTimeout(() => {
      if (closeAllowed) return;
      closeAllowed = true;
      mainWindow?.close();
    }, CLOSE_TIMEOUT_MS);
  });
  mainWindow.on('closed', () => (mainWindow = null));
  await mainWindow.loadURL(`${APP_ORIGIN}/index.html`);
}

start().catch((err: unknown) => {
  console.error('Maskwright failed to start', err);
  app.exit(1);
});
