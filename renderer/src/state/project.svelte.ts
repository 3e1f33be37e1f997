/** The open project's images: listing, imports (dialog, folder, drop), splits, review status, deletion, lazy thumbnails. */
import type {
  GrantedPath,
  ImageStatus,
  ImageSummary,
  ImportFailure,
  ImportReport,
  LabelFormat,
  MaskImportReport,
  Split,
  TrainPlan,
} from '../../../core/ipc/contract';
import type { PixelSource, ValidationLabels } from '../../../core/training/settings';
import { call, errorMessage, onEvent } from '../lib/api';
import { ClassesState } from './classes.svelte';

/** What the last import did, as the report panel shows it. */
export type ImportSummary =
  | {
      kind: 'images';
      imported: string[];
      duplicates: { name: string; existingName: string }[];
      errors: ImportFailure[];
    }
  | {
      kind: 'masks';
      applied: string[];
      /** By id: the report shows their names as they are now (a rename or Load class names follows). */
      createdClasses: { id: number; name: string }[];
      unmatched: string[];
      errors: ImportFailure[];
    };

/** Thumbnail of an image: a data URL, or `failed` when it could not be loaded. */
export type Thumb = { state: 'ready'; url: string } | { state: 'failed' };

/** Dropped files travel to main in batches, so one drop of a big folder is not one giant message. */
const DROP_BATCH_BYTES = 64 * 1024 * 1024;
const DROP_BATCH_FILES = 64;
const THUMBNAIL_CONCURRENCY = 4;

export class ProjectState {
  images = $state<ImageSummary[]>([]);
  /** Per image, the share of pixels labeled by Fill unlabeled or a prediction (images.labelSources). */
  machineShare = $state<Record<number, number>>({});
  /** The split training would use now (train.plan): the grid's "Val (auto)", the Train view's counts. */
  plan = $state<TrainPlan | null>(null);
  /** The automatic validation hold-out, from `plan`. */
  readonly heldOut: readonly number[] = $derived(this.plan?.heldOut ?? []);
  loaded = $state(false);
  thumbs = $state<Record<number, Thumb>>({});
  /** Why the project cannot be changed (no write permission), or null: editing tools are off while set. */
  readOnly = $state<string | null>(null);
  report = $state<ImportSummary | null>(null);
  /** A line like "Importing 3 files…" while an import runs; null when idle. */
  importing = $state<string | null>(null);
  error = $state<string | null>(null);
  readonly classes: ClassesState;

  private readonly thumbQueue: number[] = [];
  // Bookkeeping only, never rendered: a plain Set on purpose.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly thumbRequested = new Set<number>();
  private thumbsInFlight = 0;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  private readonly statusByHand = new Set<number>();
  /** Imports run one after another (a drop during an import waits its turn). */
  private importChain: Promise<void> = Promise.resolve();
  /** Answers of `train.plan` older than the latest request are dropped. */
  private planRequest = 0;
  /** Set by Cancel: dropped files stop before their next batch (a dialog's import stops in main). */
  private importCancelled = false;

  constructor() {
    this.classes = new ClassesState(() => void this.refreshImages());
  }

  async load(): Promise<void> {
    await Promise.all([this.refreshImages(), this.classes.load()]);
    this.loaded = true;
  }

  async refreshImages(): Promise<void> {
    try {
      this.images = await call('images.list');
      const sources = await call('images.labelSources');
      this.machineShare = Object.fromEntries(sources.map((r) => [r.imageId, r.machine]));
    } catch (err) {
      this.error = errorMessage(err);
    }
  }

  /** Imports the files or folder a dialog granted (main resolves the grant; no path crosses over). */
  importGranted(picked: GrantedPath): Promise<void> {
    return this.runImport(`Importing ${picked.count === 1 ? '1 item' : `${picked.count} items`}…`, async () =>
      summarizeImages([await call('images.import', { grant: picked.grant })]),
    );
  }

  /** Imports files dropped on the window: their bytes are read here and sent in batches. */
  importFiles(files: File[]): Promise<void> {
    if (files.length === 0) return Promise.resolve();
    return this.runImport(`Importing ${files.length === 1 ? '1 file' : `${files.length} files`}…`, async () => {
      const reports: ImportReport[] = [];
      const unreadable: ImportFailure[] = [];
      let batch: { name: string; data: Uint8Array<ArrayBuffer> }[] = [];
      let bytes = 0;
      const flush = async () => {
        if (batch.length) reports.push(await call('images.importFiles', { files: batch }));
        batch = [];
        bytes = 0;
      };
      for (const file of files) {
        if (this.importCancelled) break;
        try {
          const data = new Uint8Array(await file.arrayBuffer());
          if (bytes + data.byteLength > DROP_BATCH_BYTES || batch.length >= DROP_BATCH_FILES) await flush();
          batch.push({ name: file.name, data });
          bytes += data.byteLength;
        } catch {
          // A dropped folder (or a file that vanished) cannot be read from the page.
          unreadable.push({
            name: file.name,
            code: 'IO',
            message: 'Cannot read this item; folders must be imported with Import folder…',
          });
        }
      }
      if (!this.importCancelled) await flush();
      const summary = summarizeImages(reports);
      return { ...summary, errors: [...summary.errors, ...unreadable] };
    });
  }

  /**
   * Imports a folder of masks, or of another tool's labels (`format`). When masks hold values that match
   * no class, or the files name classes the project lacks, and `createClasses` is not set, nothing is
   * applied and those come back for the user to confirm.
   */
  async importMasks(
    folder: GrantedPath,
    voidValue: number | undefined,
    createClasses = false,
    format?: LabelFormat,
  ): Promise<{ values: MaskImportReport['unknownValues']; names: string[] } | null> {
    let unknown: { values: MaskImportReport['unknownValues']; names: string[] } | null = null;
    await this.runImport(format ? 'Importing labels…' : 'Importing masks…', async () => {
      const r = await call('masks.import', {
        grant: folder.grant,
        ...(voidValue === undefined || format ? {} : { voidValue }),
        ...(createClasses ? { createClasses } : {}),
        ...(format ? { format } : {}),
      });
      if ((r.unknownValues.length || r.unknownClasses.length) && !createClasses) {
        unknown = { values: r.unknownValues, names: r.unknownClasses };
        return null;
      }
      if (r.createdClasses.length) await this.classes.load();
      return {
        kind: 'masks',
        applied: r.applied.map((a) => a.imageName),
        createdClasses: r.createdClasses.map((c) => ({ id: c.id, name: c.name })),
        unmatched: r.unmatched,
        errors: r.errors,
      };
    });
    return unknown;
  }

  /** The split for the Train form's label sources and validation choice (the project screen follows the form). */
  async refreshPlan(input: { sources: PixelSource[]; validateOn: ValidationLabels }): Promise<void> {
    const request = ++this.planRequest;
    try {
      const plan = await call('train.plan', input);
      if (request === this.planRequest) this.plan = plan;
    } catch {
      // No label source ticked, or no project: nothing is held out.
      if (request === this.planRequest) this.plan = null;
    }
  }

  /**
   * Sets the split. Putting images in Validation while some are held out automatically also pins the held
   * ones to Validation: a user Validation split ends the automatic hold-out (core/training/split.ts), and
   * moving one image in must not move the others out.
   */
  setSplit(ids: number[], split: Split): Promise<void> {
    const all = split === 'val' ? [...ids, ...this.heldOut.filter((id) => !ids.includes(id))] : ids;
    return this.patchMany(all, { split }, () => call('images.setSplit', { ids: all, split }));
  }

  /** `by`: the user chose it, or the editor moved an image on as it was labeled (see `statusByHand`). */
  setStatus(ids: number[], status: ImageStatus, by: 'user' | 'work' = 'user'): Promise<void> {
    if (by === 'user') for (const id of ids) this.statusByHand.add(id);
    return this.patchMany(ids, { status }, () => call('images.setStatus', { ids, status }));
  }

  /**
   * The editor saved an image's labels: its labeled and machine-labeled shares follow, and so does its
   * review status: an image still "To do" that the user labels becomes "Labeled". Only forward, and
   * never an image whose status the user set by hand in this session (a "To do" chosen again stays).
   */
  labelsSaved(imageId: number, labeledFraction: number, machineShare: number): void {
    this.images = this.images.map((i) => (i.id === imageId ? { ...i, labeledFraction } : i));
    this.machineShare = { ...this.machineShare, [imageId]: machineShare };
    const image = this.images.find((i) => i.id === imageId);
    if (!image || image.status !== 'todo' || labeledFraction <= 0 || this.statusByHand.has(imageId)) return;
    void this.setStatus([imageId], 'labeled', 'work');
  }

  /** Deletes images with their labels; true when it worked. */
  async removeImages(ids: number[]): Promise<boolean> {
    try {
      await call('images.remove', { ids });
      return true;
    } catch (err) {
      this.error = errorMessage(err);
      return false;
    } finally {
      await this.refreshImages();
    }
  }

  /** Asks for a thumbnail once; requests are queued so a big grid does not flood the main process. */
  requestThumbnail(id: number): void {
    if (this.thumbRequested.has(id)) return;
    this.thumbRequested.add(id);
    this.thumbQueue.push(id);
    this.pumpThumbnails();
  }

  dismissReport(): void {
    this.report = null;
  }

  dismissError(): void {
    this.error = null;
  }

  private pumpThumbnails(): void {
    while (this.thumbsInFlight < THUMBNAIL_CONCURRENCY && this.thumbQueue.length) {
      const id = this.thumbQueue.shift()!;
      this.thumbsInFlight++;
      call('images.thumbnail', { id })
        .then(
          (t) => (this.thumbs[id] = { state: 'ready', url: t.dataUrl }),
          () => (this.thumbs[id] = { state: 'failed' }),
        )
        .finally(() => {
          this.thumbsInFlight--;
          this.pumpThumbnails();
        });
    }
  }

  /** Shows the change at once and saves it; on failure the previous values come back. */
  private async patchMany(ids: number[], patch: Partial<ImageSummary>, save: () => Promise<unknown>): Promise<void> {
    const before = this.images;
    this.images = this.images.map((i) => (ids.includes(i.id) ? { ...i, ...patch } : i));
    try {
      await save();
    } catch (err) {
      this.images = before;
      this.error = errorMessage(err);
    }
  }

  /** Stops the import in progress: before its next file; what was imported stays (the report says so). */
  cancelImport(): void {
    if (this.importing === null) return;
    this.importCancelled = true;
    this.importing = 'Cancelling…';
    call('images.cancelImport').catch((err: unknown) => (this.error = errorMessage(err)));
  }

  private runImport(label: string, action: () => Promise<ImportSummary | null>): Promise<void> {
    const run = async () => {
      this.importing = label;
      this.importCancelled = false;
      this.error = null;
      const stop = onEvent('import.progress', ({ done, total, found }) => {
        if (this.importCancelled) return;
        if (done === 0 && found !== undefined) this.importing = `Found ${found} images…`;
        else if (total > 1) this.importing = `Importing ${done} of ${total}…`;
      });
      try {
        const report = await action();
        if (report) this.report = report;
      } catch (err) {
        this.error = errorMessage(err);
      } finally {
        stop();
        this.importing = null;
        await this.refreshImages();
      }
    };
    this.importChain = this.importChain.then(run);
    return this.importChain;
  }
}

function summarizeImages(reports: ImportReport[]): ImportSummary {
  return {
    kind: 'images',
    imported: reports.flatMap((r) => r.imported.map((i) => i.name)),
    duplicates: reports.flatMap((r) => r.duplicates),
    errors: reports.flatMap((r) => r.errors),
  };
}
