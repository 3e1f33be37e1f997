/**
 * Preview, then accept: "Fill unlabeled" (G) and "Predict" (M) compute labels for the open image (a
 * source, see previewSources.ts), show what they would write, shaded by confidence, and write it on
 * accept. One controller for both, so they follow the same rules:
 *
 * - What is written is core/labelmap/accept.ts's rule, the one `maskwright propagate` and `maskwright
 *   predict --accept` follow: painted, imported and predicted labels never change.
 * - The minimum confidence slider re-plans the kept result live (pixels less sure stay unlabeled),
 *   without computing again; each source keeps its own minimum.
 * - Accept writes one `applyPatch` over the bounding box of the changed pixels: one undo step, then the
 *   usual autosave.
 * - Editing while a result is computed or previewed (a stroke, undo, redo, another image, a class
 *   removed) drops it: the result belongs to the labels it started from.
 */
import { applyPatch, patchOf, planAccept, sampleMap } from '../../../core/labelmap';
import type { AcceptPlan, EditEntry, Proposal } from '../../../core/labelmap';
import { drawPreview } from './previewCanvas';
import type { ImageSession } from './session';

export type PreviewKind = 'fill' | 'predict';
/** `failed`: the panel says why until dismissed, for sources whose failures need reading (`keepsFailure`). */
export type PreviewPhase = 'idle' | 'running' | 'preview' | 'failed';

/** What the controller needs from the editor (kept narrow so the editor's internals stay its own). */
export interface PreviewHost {
  /** The open image's session and decoded photo, or null while none is shown. */
  current(): { session: ImageSession; photo: ImageBitmap } | null;
  /** Colours (0xRRGGBBAA by label value) and hidden label values of the overlay. */
  style(): { palette: Uint32Array; hidden: readonly number[] };
  /**
   * Shows (or, with null, removes) the preview canvas above the labels, image-sized, or at `at` with each
   * of its pixels `at.step` image pixels wide (the part on screen); `previewChanged` redraws it.
   */
  showPreview(canvas: HTMLCanvasElement | null, at?: { x: number; y: number; step: number }): void;
  /**
   * The part of the image on screen, sampled about once per screen pixel, when that is much less than
   * the whole image (a large image zoomed out or in); a source may deliver it first. Null otherwise.
   */
  visible?(): VisibleGrid | null;
  previewChanged(): void;
  /** Redraws the entry's rectangle and records it as one undo step (autosaved). */
  commit(session: ImageSession, entry: EditEntry): void;
  say(text: string): void;
}

/** A rectangle of image pixels sampled every `step` pixels (core/labelmap's `sampleMap`). */
export interface VisibleGrid {
  x: number;
  y: number;
  width: number;
  height: number;
  step: number;
}

/** A source's labels for the visible grid, as its whole result will have them there, shown first. */
export interface PartialResult {
  grid: VisibleGrid;
  /** Labels and confidence per sampled pixel (`sampleMap`'s size). */
  proposal: Proposal;
  floor: number;
}

/** The visible grid a source may deliver first, and where it goes. */
export interface EarlyView {
  grid: VisibleGrid;
  show(partial: PartialResult): void;
}

/** A computed result: the labels to preview and what to say about them. */
export interface SourceResult {
  proposal: Proposal;
  /** Confidence (in the proposal's units) drawn faintest; the confidence's `top` is drawn surest. */
  floor: number;
  /** Beside the counts in the panel (the mean confidence of a prediction). */
  note?: { text: string; title: string };
  /** How the result was computed, in the status bar while it is previewed. */
  report?: { label: string; text: string; warnings: string[] };
}

export interface SourceJob {
  /** Rejects with `PreviewRefused` when the result cannot be shown (said in the status line). */
  result: Promise<SourceResult>;
  /** Stops the computation; `result` is ignored from then on. */
  cancel(): void;
}

/** The result cannot be previewed (e.g. its size is not the labels'); the message says why. */
export class PreviewRefused extends Error {
  override readonly name = 'PreviewRefused';
}

/** Words of a source, in the panel and the status line. */
interface SourceText {
  /** The panel's accessible name ("Fill unlabeled"). */
  panel: string;
  /** Subject of the status lines ("Fill cancelled.", "Fill discarded: …"). */
  noun: string;
  running: string;
  title: string;
  /** After the count of pixels the accept changes ("1,234 px would change"). */
  changes: string;
  /** Accessible name of that count. */
  countLabel: string;
  /** After an edit dropped the result: how to get it again ("Press G to fill again."). */
  again: string;
  accepted(pixels: string): string;
}

/** A way to compute labels for the open image (previewSources.ts). */
export interface PreviewSource {
  readonly kind: PreviewKind;
  readonly text: SourceText;
  /** Whether the job reports progress (a bar) or not (a spinner). */
  readonly reportsProgress: boolean;
  /** Whether a failure stays in the panel until dismissed (else it is said in the status line). */
  readonly keepsFailure: boolean;
  /**
   * Starts computing for the open image, or says why it cannot (a string for the status line). With
   * `early`, a source may show the visible grid's labels before the whole result (`early.show`).
   */
  start(
    session: ImageSession,
    photo: ImageBitmap,
    progress: (fraction: number) => void,
    early?: EarlyView,
  ): SourceJob | string;
  /** What the status line or the panel says about a failed job. */
  failure(err: unknown): string;
}

/**
 * Minimum confidence a preview starts with: pixels less sure stay unlabeled unless the user lowers it
 * (issue 11: at 0 a 35 %-confident prediction went in whole with one key).
 */
const DEFAULT_THRESHOLD = 0.5;

/** Where a preview is drawn: an image-sized canvas and `drawPreview` (a seam, so tests run without a DOM). */
export interface PreviewSurface {
  create(): HTMLCanvasElement;
  draw: typeof drawPreview;
}

const DOM_SURFACE: PreviewSurface = { create: () => document.createElement('canvas'), draw: drawPreview };

interface Kept {
  session: ImageSession;
  /** `session.edits` when the job started: any later edit makes the result stale. */
  edits: number;
  result: SourceResult;
}

export class PreviewController {
  phase = $state<PreviewPhase>('idle');
  /** The source of what runs, is previewed or failed; null while idle. */
  source = $state.raw<PreviewSource | null>(null);
  /** Completed fraction of the running job, 0..1 (sources that report progress). */
  progress = $state(0);
  /** Pixels with confidence below this stay unlabeled (0..1), per source. */
  thresholds = $state<Record<PreviewKind, number>>({ fill: DEFAULT_THRESHOLD, predict: DEFAULT_THRESHOLD });
  /** Why the last job failed (phase `failed`). */
  failure = $state<string | null>(null);
  /** The kept result's note and report (null while none is previewed). */
  result = $state.raw<Omit<SourceResult, 'proposal' | 'floor'> | null>(null);
  /**
   * What the accept would do at the current threshold. Its own state, written (never read) by
   * `render()`: rendering runs from the editor's style effect, and an effect that reads what it writes
   * re-runs itself (issue 11: `effect_update_depth_exceeded`, a frozen window).
   */
  counts = $state({ changed: 0, unlabeled: 0 });

  private job: SourceJob | null = null;
  private kept: Kept | null = null;
  /** The plan the preview shows, with its threshold: accept writes it (no second pass over the image). */
  private plan: { plan: AcceptPlan; threshold: number } | null = null;
  private canvas: HTMLCanvasElement | null = null;

  constructor(
    private readonly host: PreviewHost,
    private readonly sources: Record<PreviewKind, PreviewSource>,
    private readonly surface: PreviewSurface = DOM_SURFACE,
  ) {}

  get active(): boolean {
    return this.phase !== 'idle';
  }

  /** The current source's minimum confidence (the fill's while idle). */
  get threshold(): number {
    return this.thresholds[this.source?.kind ?? 'fill'];
  }

  /** Whether a job of this kind is running (its toolbar button waits). */
  running(kind: PreviewKind): boolean {
    return this.phase === 'running' && this.source?.kind === kind;
  }

  /** Computes a preview of the open image (replacing whatever runs or is previewed). */
  start(kind: PreviewKind): void {
    const cur = this.host.current();
    if (!cur) return;
    this.stop();
    const source = this.sources[kind];
    const { session, photo } = cur;
    const edits = session.edits;
    const grid = this.host.visible?.() ?? null;
    const early: EarlyView | undefined = grid
      ? {
          grid,
          show: (partial) => {
            if (this.job === job && this.phase === 'running' && session.edits === edits)
              this.showPartial(session, partial);
          },
        }
      : undefined;
    const job = source.start(
      session,
      photo,
      (fraction) => {
        if (this.job === job) this.progress = fraction;
      },
      early,
    );
    if (typeof job === 'string') {
      this.host.say(job);
      return;
    }
    this.job = job;
    this.source = source;
    this.phase = 'running';
    job.result.then(
      (result) => {
        if (this.job !== job) return;
        this.job = null;
        if (this.host.current()?.session !== session || session.edits !== edits) {
          this.stop();
          this.host.say(`${source.text.noun} discarded: the labels changed while it ran.`);
          return;
        }
        this.kept = { session, edits, result };
        this.result = { note: result.note, report: result.report };
        this.phase = 'preview';
        this.canvas = this.surface.create();
        this.render();
        this.host.showPreview(this.canvas);
      },
      (err: unknown) => {
        if (this.job !== job) return;
        this.job = null;
        if (source.keepsFailure && !(err instanceof PreviewRefused)) {
          this.failure = source.failure(err);
          this.phase = 'failed';
          return;
        }
        this.stop();
        this.host.say(err instanceof PreviewRefused ? err.message : source.failure(err));
      },
    );
  }

  /** Stops a running job (Cancel, Esc), saying so. */
  cancel(): void {
    const source = this.source;
    if (this.phase !== 'running' || !source) return;
    this.stop();
    this.host.say(`${source.text.noun} cancelled.`);
  }

  /** Throws a preview or a failure shown away (Discard, Dismiss, Esc); stops a running job as `cancel` does. */
  discard(): void {
    if (this.phase === 'running') this.cancel();
    else this.stop();
  }

  /**
   * The editor moves on (another image, a reload): drops whatever is active. With `edited`, the labels
   * changed under it, and the status line says so (not for a failure shown, where nothing is lost).
   */
  abandon(edited = false): void {
    const { phase, source } = this;
    if (phase === 'idle') return;
    this.stop();
    if (edited && phase !== 'failed' && source) {
      this.host.say(`${source.text.noun} discarded: the labels changed. ${source.text.again}`);
    }
  }

  /** Writes the previewed result into the map as one undo step. */
  accept(): void {
    const kept = this.kept;
    const source = this.source;
    if (this.phase !== 'preview' || !kept || !source) return;
    const { session } = kept;
    if (this.host.current()?.session !== session || session.edits !== kept.edits) {
      this.stop();
      this.host.say(`${source.text.noun} discarded: the labels changed since it was shown.`);
      return;
    }
    const { proposal } = kept.result;
    const shown = this.plan?.threshold === this.threshold ? this.plan.plan : null;
    const patch = patchOf(session.map, shown ?? planAccept(session.map, proposal, this.threshold), proposal.provenance);
    this.stop();
    if (!patch) {
      this.host.say(`The ${source.text.noun.toLowerCase()} changes nothing.`);
      return;
    }
    const entry = applyPatch(session.map, patch.rect, patch.classes, patch.provenance);
    if (entry) this.host.commit(session, entry);
    this.host.say(source.text.accepted(patch.changed.toLocaleString('en-US')));
  }

  setThreshold(value: number): void {
    const kind = this.source?.kind;
    if (!kind) return;
    this.thresholds[kind] = Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0));
    if (this.phase === 'preview') this.render();
  }

  /** Class colours or visibility changed: redraw the preview (called untracked, see `counts`). */
  restyle(): void {
    if (this.phase === 'preview') this.render();
  }

  /**
   * The part on screen while the rest computes: planned and drawn on the map's sampled pixels (the
   * accept rule is per pixel: the same plan as the whole result's there), each drawn `step` pixels wide.
   */
  private showPartial(session: ImageSession, partial: PartialResult): void {
    const { grid, proposal, floor } = partial;
    const map = sampleMap(session.map, grid, grid.step);
    const plan = planAccept(map, proposal, this.threshold);
    const { palette, hidden } = this.host.style();
    const canvas = this.canvas ?? this.surface.create();
    this.surface.draw(canvas, map, plan, proposal.confidence, floor, palette, hidden);
    this.canvas = canvas;
    this.host.showPreview(canvas, { x: grid.x, y: grid.y, step: grid.step });
  }

  private render(): void {
    const kept = this.kept;
    if (!kept || !this.canvas) return;
    const { proposal, floor } = kept.result;
    const map = kept.session.map;
    const plan = planAccept(map, proposal, this.threshold);
    this.plan = { plan, threshold: this.threshold };
    const { palette, hidden } = this.host.style();
    this.surface.draw(this.canvas, map, plan, proposal.confidence, floor, palette, hidden);
    this.counts = { changed: plan.changed, unlabeled: plan.unlabeled };
    this.host.previewChanged();
  }

  private stop(): void {
    const job = this.job;
    this.job = null;
    job?.cancel();
    job?.result.catch(() => {}); // its rejection after a cancel is expected
    if (this.canvas) this.host.showPreview(null);
    this.canvas = null;
    this.kept = null;
    this.plan = null;
    this.result = null;
    this.failure = null;
    this.source = null;
    this.phase = 'idle';
    this.progress = 0;
  }
}
