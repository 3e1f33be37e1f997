/**
 * "Fill unlabeled": label propagation from the current image's strokes, run in a worker, shown as a
 * preview to accept or discard.
 *
 * - Seeds and merge follow core/propagation/merge.ts (the CLI's rules): every label that is not
 *   propagated is a seed and is never changed; the fill writes only unlabeled and propagated pixels, so
 *   re-running replaces the previous fill and keeps everything painted since.
 * - The worker runs with threshold 0; the threshold slider re-thresholds the kept result live
 *   (pixels with confidence below it stay unlabeled), without running again.
 * - Accept writes one `applyPatch` over the bounding box of the changed pixels: one undo step,
 *   provenance Propagated, then the usual autosave.
 * - Editing while a fill runs or is previewed (a stroke, undo, redo, another image, a class removed)
 *   cancels the run or discards the preview: the result belongs to the labels it started from.
 */
import { applyPatch, UNLABELED } from '../../../core/labelmap';
import type { EditEntry } from '../../../core/labelmap';
import { countSeeds, mergePatch, seedsOf, thresholdLabels } from '../../../core/propagation/merge';
import { CancelledError, startPropagation } from '../propagation/client';
import type { PropagationJob } from '../propagation/client';
import { photoRgba, renderFillPreview } from './fillPreview';
import type { PreviewCounts } from './fillPreview';
import type { ImageSession } from './session';

export type FillPhase = 'idle' | 'running' | 'preview';

/** What the status line says about the last run (fixed once it ran; the counts are `FillController.counts`). */
export interface FillSummary {
  iterations: number;
  converged: boolean;
  ms: number;
  warnings: string[];
}

/** What the fill needs from the editor (kept narrow so the editor's internals stay its own). */
export interface FillHost {
  /** The open image's session and decoded photo, or null while none is shown. */
  current(): { session: ImageSession; photo: ImageBitmap } | null;
  /** Colours (0xRRGGBBAA by label value) and hidden label values of the overlay. */
  style(): { palette: Uint32Array; hidden: readonly number[] };
  /** Shows (or, with null, removes) the preview canvas above the labels; `changed` redraws it. */
  showPreview(canvas: HTMLCanvasElement | null): void;
  previewChanged(): void;
  /** Redraws the entry's rectangle and records it as one undo step (autosaved). */
  commit(session: ImageSession, entry: EditEntry): void;
  say(text: string): void;
}

interface Pending {
  session: ImageSession;
  /** `session.edits` when the run started: any later edit makes the result stale. */
  edits: number;
  classCount: number;
}

interface Kept extends Pending {
  labels: Uint8Array;
  confidence: Float32Array;
}

/**
 * Minimum confidence a fill or prediction preview starts with: pixels less sure stay unlabeled unless
 * the user lowers it (issue 11: at 0 a 35 %-confident prediction went in whole with one key).
 */
export const DEFAULT_THRESHOLD = 0.5;

export const NO_STROKES_MESSAGE =
  'Paint at least one stroke first: Fill unlabeled spreads your strokes to the unlabeled pixels.';

export class FillController {
  phase = $state<FillPhase>('idle');
  /** Completed fraction of the running job, 0..1. */
  progress = $state(0);
  /** Pixels with confidence below this stay unlabeled (0..1). */
  threshold = $state(DEFAULT_THRESHOLD);
  summary = $state<FillSummary | null>(null);
  /**
   * What the preview would write at the current threshold. Its own state, written (never read) by
   * `render()`: rendering runs from the editor's style effect, and an effect that reads what it writes
   * re-runs itself (issue 11: `effect_update_depth_exceeded`, a frozen window).
   */
  counts = $state<PreviewCounts>({ changed: 0, unlabeled: 0 });

  private job: PropagationJob | null = null;
  private kept: Kept | null = null;
  private canvas: HTMLCanvasElement | null = null;

  constructor(private readonly host: FillHost) {}

  get active(): boolean {
    return this.phase !== 'idle';
  }

  /** Runs propagation on the open image (restarts a run or replaces a preview already there). */
  start(): void {
    const cur = this.host.current();
    if (!cur) return;
    this.stop();
    const { session, photo } = cur;
    const { map } = session;
    const seeds = seedsOf(map.classes, map.provenance);
    const seeded = countSeeds(seeds);
    if (seeded === 0) {
      this.host.say(NO_STROKES_MESSAGE);
      return;
    }
    if (seeded === seeds.length) {
      this.host.say('Nothing to fill: every pixel is labeled already.');
      return;
    }
    if (photo.width !== map.width || photo.height !== map.height) {
      this.host.say(`Cannot fill: the photo is ${photo.width}x${photo.height}, the labels ${map.width}x${map.height}.`);
      return;
    }
    const present = new Uint8Array(256);
    for (let i = 0; i < seeds.length; i++) present[seeds[i]!] = 1;
    const classCount = present.reduce((a, b) => a + b, 0) - present[UNLABELED]!;
    const pending: Pending = { session, edits: session.edits, classCount };
    this.phase = 'running';
    this.progress = 0;
    this.summary = null;
    const job = startPropagation(
      { rgba: photoRgba(photo), width: map.width, height: map.height, seeds, options: { confidenceThreshold: 0 } },
      (fraction) => {
        if (this.job === job) this.progress = fraction;
      },
    );
    this.job = job;
    job.result.then(
      (r) => {
        if (this.job !== job) return;
        this.job = null;
        if (this.host.current()?.session !== session || session.edits !== pending.edits) {
          this.phase = 'idle';
          this.host.say('Fill discarded: the labels changed while it ran.');
          return;
        }
        this.kept = { ...pending, labels: r.labels, confidence: r.confidence };
        this.summary = {
          iterations: r.iterations,
          converged: r.converged,
          ms: r.ms,
          warnings: r.warnings,
        };
        this.phase = 'preview';
        this.canvas = document.createElement('canvas');
        this.render();
        this.host.showPreview(this.canvas);
      },
      (err: unknown) => {
        if (this.job !== job) return;
        this.job = null;
        this.phase = 'idle';
        if (!(err instanceof CancelledError)) {
          this.host.say(`Fill failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      },
    );
  }

  /** Stops a running job (Cancel). */
  cancel(): void {
    if (this.phase !== 'running') return;
    this.stop();
    this.host.say('Fill cancelled.');
  }

  /** Throws the preview away (Discard). */
  discard(): void {
    if (this.phase !== 'preview') return;
    this.stop();
  }

  /** Cancels or discards whatever is active, saying why (an edit, another image). */
  abandon(reason: string | null = null): void {
    if (!this.active) return;
    this.stop();
    if (reason) this.host.say(reason);
  }

  /** Writes the previewed fill into the map as one undo step. */
  accept(): void {
    const kept = this.kept;
    if (this.phase !== 'preview' || !kept) return;
    const { session } = kept;
    if (this.host.current()?.session !== session || session.edits !== kept.edits) {
      this.abandon('Fill discarded: the labels changed since it ran.');
      return;
    }
    const patch = mergePatch(session.map, thresholdLabels(kept.labels, kept.confidence, this.threshold));
    this.stop();
    if (!patch) {
      this.host.say('The fill changes nothing.');
      return;
    }
    const entry = applyPatch(session.map, patch.rect, patch.classes, patch.provenance);
    if (entry) this.host.commit(session, entry);
    this.host.say(`Filled ${patch.changed.toLocaleString('en-US')} pixels (Ctrl+Z undoes the fill).`);
  }

  setThreshold(value: number): void {
    this.threshold = Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0));
    if (this.phase === 'preview') this.render();
  }

  /** Class colours or visibility changed: redraw the preview (called untracked, see `counts`). */
  restyle(): void {
    if (this.phase === 'preview') this.render();
  }

  private render(): void {
    const kept = this.kept;
    if (!kept || !this.canvas) return;
    const labels = thresholdLabels(kept.labels, kept.confidence, this.threshold);
    const { palette, hidden } = this.host.style();
    this.counts = renderFillPreview(
      this.canvas,
      kept.session.map,
      labels,
      kept.confidence,
      kept.classCount,
      palette,
      hidden,
    );
    this.host.previewChanged();
  }

  private stop(): void {
    const job = this.job;
    this.job = null;
    job?.cancel();
    job?.result.catch(() => {}); // the CancelledError is expected
    if (this.canvas) this.host.showPreview(null);
    this.canvas = null;
    this.kept = null;
    this.phase = 'idle';
    this.progress = 0;
  }
}
