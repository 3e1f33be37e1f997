/**
 * Every channel's handler. Electron-specific things (dialogs) arrive as plain functions in `deps`,
 * so this module runs the same under Electron, in the tests and behind the browser end-to-end harness.
 */
import type { GrantedPath, GrantUse, ProjectInfo, RecentProject } from '../../core/ipc/contract';
import { GrantTable } from './grants';
import { AppError, type Envelope } from '../../core/ipc/errors';
import { LIMITS } from '../../core/ipc/contract';
import { z } from 'zod';
import { isAbsolute } from 'node:path';
import type { Emit } from '../../core/ipc/events';
import type { BackendStatus } from '../../core/training/backends';
import * as classes from '../../db/classes';
import * as images from '../../db/images';
import { classUsage } from '../../db/labelmaps';
import { loadLabels, saveLabelChanges, saveLabels } from '../../services/labels';
import { browserImage, previewImage } from '../../services/decode';
import { expandPaths, fileSource, importImages } from '../../services/import-images';
import { importMasks } from '../../services/import-masks';
import { importLabels } from '../../services/import-labels';
import { applyClassFile, parseClassFile } from '../../services/class-file';
import { labelSources } from '../../services/label-sources';
import { trainPlan } from '../../services/split';
import { Project } from '../../services/project';
import { computeClassWeights } from '../../services/class-weights';
import { runExport } from '../../services/export';
import { backendsInProcess, startTraining, type TrainingHandle } from '../../services/training';
import type { ForkWorker } from '../../services/job-process';
import { PredictionWorker, scoreInProcess } from '../../services/prediction-worker';
import { RankCache, rankState } from '../../services/rank-cache';
import { activeCheckpointChoice, listCheckpoints, listEpochs, listRuns, setActiveCheckpoint } from '../../db/runs';
import { RecentProjects } from '../../services/recent';
import { createRegistry, type Handlers, type Registry } from './registry';

/** Native dialogs: they answer paths, which never leave main; the renderer gets grants for them. */
export interface Dialogs {
  createProject(): Promise<string | null>;
  openProject(): Promise<string | null>;
  pickImages(): Promise<string[]>;
  /** `purpose` titles the dialog (import images, import masks, export). */
  pickFolder(purpose: FolderPurpose): Promise<string | null>;
}
export type FolderPurpose = 'images.import' | 'masks.import' | 'export.run';

export interface HandlerDeps {
  version: string;
  platform: string;
  /** Where app settings (recent projects) live; never inside a project. */
  dataDir: string;
  dialogs: Dialogs;
  /** better-sqlite3 addon built for Electron's ABI, when running under Electron in development. */
  nativeBinding?: string;
  /** Pushes a progress event to the window (no-op when absent, e.g. in the CLI). */
  emit?: Emit;
  /** Closes the window once the renderer has saved (see `app.beforeClose`); false when nothing waits. */
  closeWindow?: () => boolean;
  /** Starts the training process (Electron's utilityProcess in the app, child_process.fork in tests). */
  forkWorker?: ForkWorker;
  /** The built training worker (dist/worker/index.cjs). */
  workerModule?: string;
}

/** The state behind one window: at most one open project. */
export class Session {
  project: Project | null = null;
  /** The paths this window may use, by opaque grant id (see main/ipc/grants.ts). */
  readonly grants = new GrantTable();
  training: TrainingHandle | null = null;
  /** Aborts the import from a dialog's grant in progress (images.cancelImport). */
  importAbort: AbortController | null = null;
  /** Aborts the export in progress (export.cancel). */
  exportAbort: AbortController | null = null;
  /** The open project's prediction process (predict.image), started by the first prediction. */
  private predictor: PredictionWorker | null = null;
  /** The open project's "Label next" scores (predict.rank), kept until it is closed. */
  private rankCache: RankCache | null = null;
  constructor(readonly deps: HandlerDeps) {}

  require(): Project {
    if (!this.project) throw new AppError('NO_PROJECT', 'No project is open');
    return this.project;
  }

  /** The open project's long-lived prediction process (closed with the project). */
  prediction(fork: ForkWorker, modulePath: string): PredictionWorker {
    const project = this.require();
    this.predictor ??= new PredictionWorker(project.path, fork, modulePath, { nativeBinding: this.deps.nativeBinding });
    return this.predictor;
  }

  /** The open project's "Label next" ranking, scored in processes of their own (see rank-cache.ts). */
  ranking(fork: ForkWorker, modulePath: string): RankCache {
    const project = this.require();
    this.rankCache ??= new RankCache(
      () => rankState(project.db),
      (ids) => scoreInProcess(project.path, ids, fork, modulePath, { nativeBinding: this.deps.nativeBinding }),
    );
    return this.rankCache;
  }

  /** The ranking if one was made for the open project (null: "Label next" was not used yet). */
  keptRanking(): RankCache | null {
    return this.rankCache;
  }

  /** Cancels the pending prediction, if any (predict.cancel). */
  cancelPrediction(): boolean {
    return this.predictor?.cancelPending('Prediction cancelled') ?? false;
  }

  private closePrediction(): void {
    this.predictor?.close();
    this.predictor = null;
    this.rankCache = null;
  }

  switchTo(project: Project): ProjectInfo {
    this.stopTraining();
    this.closePrediction();
    this.stopFileWork();
    const old = this.project;
    this.project = project;
    try {
      old?.close();
    } catch {
      // Its changes are safe in its -wal file (a full disk kept them from being folded back); the next
      // open folds them in. The project asked for opens all the same.
    }
    new RecentProjects(this.deps.dataDir).touch(project.path);
    return project.info();
  }

  /** Stops a running import or export before its next file: the project they read is closing. */
  private stopFileWork(): void {
    this.importAbort?.abort();
    this.exportAbort?.abort();
  }

  /** Asks a running training to stop; it records its run as stopped on its own. */
  stopTraining(): boolean {
    if (!this.training) return false;
    this.training.stop();
    return true;
  }

  close(): boolean {
    this.stopTraining();
    this.closePrediction();
    this.stopFileWork();
    const had = this.project;
    this.project = null;
    had?.close();
    return had !== null;
  }
}

export function createHandlers(session: Session): Handlers {
  const { deps } = session;
  const recent = new RecentProjects(deps.dataDir);
  const db = () => session.require().db;
  let backends: Promise<BackendStatus[]> | null = null;
  /** The project's database for a change; a read-only project answers READ_ONLY with the reason. */
  const writable = (action: string) => {
    const project = session.require();
    project.requireWritable(action);
    return project.db;
  };
  const trainingProcess = () => {
    if (!deps.forkWorker || !deps.workerModule) throw new AppError('UNSUPPORTED', 'Training is not available here');
    return { fork: deps.forkWorker, module: deps.workerModule };
  };
  /** A grant for what a dialog answered (null when cancelled); the path stays here. */
  const granted = (answer: string | string[] | null, use: GrantUse): GrantedPath | null => {
    const paths = answer === null ? [] : typeof answer === 'string' ? [answer] : answer;
    if (paths.length === 0) return null;
    const label = paths.length === 1 ? paths[0]! : `${paths.length} files`;
    return { grant: session.grants.issue(paths, use), label, count: paths.length };
  };
  const recentList = (): RecentProject[] =>
    recent.list().map((r) => ({ ...r, grant: session.grants.issue([r.path], 'project.open') }));
  const importProgress = (names: readonly string[]) => (done: number, total: number) =>
    deps.emit?.('import.progress', { done, total, name: names[done - 1] ?? '' });

  return {
    'app.info': () => ({ version: deps.version, platform: deps.platform, dataDir: deps.dataDir }),
    'app.closeReady': () => ({ closing: deps.closeWindow?.() ?? false }),

    'project.create': ({ grant }) =>
      session.switchTo(Project.create(session.grants.resolveOne(grant, 'project.create'), deps.nativeBinding)),
    'project.open': ({ grant }) =>
      session.switchTo(Project.open(session.grants.resolveOne(grant, 'project.open'), deps.nativeBinding)),
    'project.close': () => ({ closed: session.close() }),
    'project.current': () => session.project?.info() ?? null,
    'project.recent': () => recentList(),
    'project.forgetRecent': ({ grant }) => {
      recent.forget(session.grants.resolveOne(grant, 'project.open'));
      return recentList();
    },

    'dialog.createProject': async () => granted(await deps.dialogs.createProject(), 'project.create'),
    'dialog.openProject': async () => granted(await deps.dialogs.openProject(), 'project.open'),
    'dialog.pickImages': async () => granted(await deps.dialogs.pickImages(), 'images.import'),
    'dialog.pickFolder': async ({ purpose }) => granted(await deps.dialogs.pickFolder(purpose), purpose),

    'images.list': () => images.listImages(db()),
    'images.thumbnail': ({ id }) => {
      const t = images.getThumbnail(db(), id);
      if (!t) throw new AppError('NOT_FOUND', `No image with id ${id}`);
      return { id, dataUrl: `data:${t.mime};base64,${t.data.toString('base64')}` };
    },
    'images.import': async ({ grant }) => {
      const target = writable('import images');
      const paths = session.grants.resolve(grant, 'images.import');
      const abort = new AbortController();
      session.importAbort = abort;
      try {
        // A folder of many thousand files takes a while to search: say how many images it found so far.
        let shown = 0;
        const onFound = (found: number) => {
          if (Date.now() - shown < 100) return;
          shown = Date.now();
          deps.emit?.('import.progress', { done: 0, total: 0, name: '', found });
        };
        const { files, errors } = await expandPaths(paths, { signal: abort.signal, onFound });
        deps.emit?.('import.progress', { done: 0, total: 0, name: '', found: files.length });
        const sources = files.map(fileSource);
        const report = await importImages(target, sources, importProgress(sources.map((s) => s.name)), abort.signal);
        return { ...report, errors: [...errors, ...report.errors] };
      } finally {
        if (session.importAbort === abort) session.importAbort = null;
      }
    },
    'images.cancelImport': () => {
      const abort = session.importAbort;
      abort?.abort();
      return { cancelling: !!abort };
    },
    'images.importFiles': ({ files }) =>
      importImages(
        writable('import images'),
        files.map((f) => ({ name: f.name, read: async () => f.data })),
        importProgress(files.map((f) => f.name)),
      ),
    'images.setSplit': ({ ids, split }) => ({ updated: images.setSplit(writable('change splits'), ids, split) }),
    'images.setStatus': ({ ids, status }) => ({
      updated: images.setStatus(writable('change review status'), ids, status),
    }),
    'images.remove': ({ ids }) => ({ removed: images.removeImages(writable('remove images'), ids) }),

    'images.original': ({ id }) => browserImage(db(), id),
    'images.preview': ({ id, maxSide }) => previewImage(db(), id, maxSide),
    'labels.load': ({ imageId }) => loadLabels(db(), imageId),
    'labels.save': (input) => saveLabels(writable('save labels'), input),
    'labels.saveChanges': (input) => saveLabelChanges(writable('save labels'), input),

    'masks.import': async ({ grant, voidValue, imageId, createClasses, format }) => {
      const target = writable('import masks');
      if (format)
        return importLabels(target, session.grants.resolveOne(grant, 'masks.import'), format, { createClasses });
      const r = await importMasks(target, session.grants.resolve(grant, 'masks.import'), {
        voidValue,
        imageId,
        createClasses,
      });
      return { ...r, unknownClasses: [] };
    },

    'classes.list': () => classes.listClasses(db()),
    'classes.add': ({ name, color }) => classes.addClass(writable('add classes'), name, color),
    'classes.update': ({ id, ...patch }) => classes.updateClass(writable('change classes'), id, patch),
    'classes.reorder': ({ ids }) => classes.reorderClasses(writable('reorder classes'), ids),
    'classes.remove': ({ id }) => classes.removeClass(writable('delete classes'), id),
    'classes.merge': ({ from, into }) => classes.mergeClasses(writable('merge classes'), from, into),
    'classes.usage': ({ id }) => ({ id, ...classUsage(db(), classes.getClass(db(), id).value) }),
    'images.labelSources': () => labelSources(db()),
    'classes.loadNames': ({ name, text }) => {
      const changed = applyClassFile(db(), parseClassFile(text, name));
      return { changed, classes: classes.listClasses(db()) };
    },

    'train.classWeights': ({ sources }) => computeClassWeights(db(), sources),
    'train.plan': ({ sources, validateOn }) => trainPlan(db(), sources, validateOn),
    'train.start': ({ settings }) => {
      const project = session.require();
      project.requireWritable('train (runs and checkpoints are saved in the project)');
      if (session.training) throw new AppError('CONFLICT', 'A training run is already in progress');
      const { fork, module } = trainingProcess();
      const handle = startTraining(
        project.db,
        project.path,
        settings,
        fork,
        module,
        (msg) => deps.emit?.('train.message', msg),
        deps.nativeBinding,
      );
      session.training = handle;
      void handle.done.finally(() => {
        if (session.training === handle) session.training = null;
      });
      return { runId: handle.runId };
    },
    'train.stop': () => ({ stopping: session.stopTraining() }),
    'train.backends': () => {
      const { fork, module } = trainingProcess();
      // Loading Dawn and the native packages takes a process and a moment: once per session.
      backends ??= backendsInProcess(fork, module).catch((e: unknown) => {
        backends = null;
        throw e;
      });
      return backends;
    },
    'runs.list': () => listRuns(db()),
    'runs.epochs': ({ runId }) => listEpochs(db(), runId),
    'runs.checkpoints': ({ runId }) => listCheckpoints(db(), runId),
    'model.active': () => {
      const a = activeCheckpointChoice(db());
      if (!a) return null;
      const c = a.checkpoint;
      return { checkpointId: c.id, runId: c.runId, epoch: c.epoch, chosen: a.basis === 'chosen', basis: a.basis };
    },
    'model.select': ({ checkpointId }) => {
      setActiveCheckpoint(writable('choose the model'), checkpointId);
      return { checkpointId };
    },
    'predict.image': async ({ imageId, checkpointId }) => {
      const { fork, module } = trainingProcess();
      const r = await session.prediction(fork, module).predictImage(imageId, checkpointId);
      const p = r.prediction;
      return {
        imageId,
        checkpointId: r.checkpointId,
        width: p.width,
        height: p.height,
        values: p.values,
        confidence: p.confidence,
        meanConfidence: p.meanConfidence,
      };
    },
    'predict.rank': () => {
      const { fork, module } = trainingProcess();
      return session.ranking(fork, module).rank();
    },
    'predict.rankRefresh': () => ({ refreshing: session.keptRanking()?.refresh() ?? false }),
    'export.run': async ({ kind, grant, checkpointId, overwrite, labels, imageIds, format, polygons }) => {
      const target = db();
      const dir = session.grants.resolveOne(grant, 'export.run');
      const abort = new AbortController();
      session.exportAbort = abort;
      try {
        return await runExport(target, kind, dir, {
          checkpointId,
          overwrite,
          labels,
          signal: abort.signal,
          imageIds,
          format,
          polygons,
        });
      } catch (e) {
        // Closed (or another project opened) while it ran: whatever failed next, that is the reason.
        if (!target.open)
          throw new AppError(
            'CANCELLED',
            `Export stopped: the project was closed while it ran; the files written to ${dir} so far are whole`,
          );
        throw e;
      } finally {
        if (session.exportAbort === abort) session.exportAbort = null;
      }
    },
    'predict.cancel': () => ({ cancelled: session.cancelPrediction() }),
    'export.cancel': () => {
      const abort = session.exportAbort;
      abort?.abort();
      return { cancelling: !!abort };
    },
  } satisfies Handlers;
}

const droppedSchema = z.object({
  paths: z
    .array(
      z
        .string()
        .min(1)
        .max(4096)
        .refine((p) => !p.includes('\0') && isAbsolute(p), 'expected an absolute path'),
    )
    .min(1)
    .max(LIMITS.maxPathsPerImport),
});

/**
 * Answers the preload's DROP_GRANT_CHANNEL message: the paths of files dropped on the window (read by the
 * preload with webUtils.getPathForFile, which the page cannot forge) become one grant to import them.
 */
export function grantDropped(session: Session, payload: unknown): Envelope<GrantedPath | null> {
  const parsed = droppedSchema.safeParse(payload);
  if (!parsed.success) return { ok: false, error: { code: 'INVALID_INPUT', message: 'Malformed drop' } };
  const { paths } = parsed.data;
  const label = paths.length === 1 ? paths[0]! : `${paths.length} items`;
  return { ok: true, value: { grant: session.grants.issue(paths, 'images.import'), label, count: paths.length } };
}

/** The registry for one window/session; main registers `registry.channels` on ipcMain. */
export function createAppRegistry(deps: HandlerDeps): { registry: Registry; session: Session } {
  const session = new Session(deps);
  return { registry: createRegistry(createHandlers(session)), session };
}
