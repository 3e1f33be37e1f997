/**
 * "Show prediction": the trained model's labels for the open image, fetched from main
 * (`predict.image`, computed in a separate process), shown as a preview of the pixels it would fill,
 * to accept or discard. Mirrors "Fill unlabeled" (fill.svelte.ts):
 *
 * - Only unlabeled pixels are written; painted, propagated, imported and predicted labels never change.
 * - The min-confidence slider re-thresholds the kept prediction live (pixels less sure stay unlabeled).
 * - Accept writes one `applyPatch` over the bounding box of the written pixels: one undo step,
 *   provenance Predicted, then the usual autosave.
 * - Editing while a prediction loads or is previewed (a stroke, undo, redo, another image) drops it.
 */
import { applyPatch, Provenance, UNLABELED } from '../../../core/labelmap';
import { AppError } from '../../../core/ipc/errors';
import { call, errorMessage } from '../lib/api';
import { DEFAULT_THRESHOLD } from './fill.svelte';
import type { FillHost } from './fill.svelte';
import { renderPreview } from './fillPreview';
import type { PreviewCounts } from './fillPreview';
import type { ImageSession } from './session';

/** `failed`: the panel says why until dismissed (a status-bar line would be cut short and gone in 4 s). */
export type PredictPhase = 'idle' | 'running' | 'preview' | 'failed';

export type PredictHost = FillHost;

export interface PredictSummary {
  /** Mean confidence of the whole prediction, 0..1. */
  meanConfidence: number;
  checkpointId: number | null;
}

interface Kept {
  session: ImageSession;
  edits: number;
  values: Uint8Array;
  /** Probability of the predicted class x 255. */
  confidence: Uint8Array;
}

const isUnlabeled = (provenance: number) => provenance === Provenance.None;

/** The status line for a failed `predict.image`. */
export function predictionError(err: unknown): string {
  if (err instanceof AppError && err.code === 'NOT_FOUND') return 'Train a model first: there is no trained model yet.';
  if (err instanceof AppError && err.code === 'UNSUPPORTED') return `Prediction is not available: ${err.message}`;
  return `Prediction failed: ${errorMessage(err)}`;
}

export class PredictController {
  phase = $state<PredictPhase>('idle');
  /** Pixels with confidence below this stay unlabeled (0..1). */
  threshold = $state(DEFAULT_THRESHOLD);
  summary = $state<PredictSummary | null>(null);
  /** Why the last prediction failed (phase `failed`). */
  failure = $state<string | null>(null);
  /** What the preview would write at the current threshold; written, never read, by `render()` (see FillController.counts). */
  counts = $state<PreviewCounts>({ changed: 0, unlabeled: 0 });

  private token = 0;
  private kept: Kept | null = null;
  private canvas: HTMLCanvasElement | null = null;

  constructor(private readonly host: PredictHost) {}

  get active(): boolean {
    return this.phase !== 'idle';
  }

  /** Fetches the prediction of the open image (replaces one already previewed). */
  start(): void {
    const cur = this.host.current();
    if (!cur) return;
    this.stop();
    const { session } = cur;
    const { map } = session;
    if (!map.provenance.some(isUnlabeled)) {
      this.host.say('Nothing to predict: every pixel is labeled already.');
      return;
    }
    const token = ++this.token;
    const edits = session.edits;
    this.phase = 'running';
    this.summary = null;
    call('predict.image', { imageId: session.imageId }).then(
      (r) => {
        if (token !== this.token) return;
        if (this.host.current()?.session !== session || session.edits !== edits) {
          this.phase = 'idle';
          this.host.say('Prediction discarded: the labels changed while it ran.');
          return;
        }
        if (r.width !== map.width || r.height !== map.height) {
          this.phase = 'idle';
          this.host.say(
            `Cannot show the prediction: it is ${r.width}x${r.height}, the labels ${map.width}x${map.height}.`,
          );
          return;
        }
        this.kept = { session, edits, values: r.values, confidence: r.confidence };
        this.summary = { meanConfidence: r.meanConfidence, checkpointId: r.checkpointId };
        this.phase = 'preview';
        this.canvas = document.createElement('canvas');
        this.render();
        this.host.showPreview(this.canvas);
      },
      (err: unknown) => {
        if (token !== this.token) return;
        this.failure = predictionError(err);
        this.phase = 'failed';
      },
    );
  }

  /** Stops waiting for a prediction (its result is ignored). */
  cancel(): void {
    if (this.phase !== 'running') return;
    this.stop();
    this.host.say('Prediction cancelled.');
  }

  /** Throws the preview away, or dismisses a failure (Discard, Dismiss, Esc). */
  discard(): void {
    if (this.phase !== 'preview' && this.phase !== 'failed') return;
    this.stop();
  }

  /** Drops whatever is active, saying why (an edit, another image). */
  abandon(reason: string | null = null): void {
    if (!this.active) return;
    const dropped = this.phase !== 'failed'; // a failure shown is dismissed, nothing was discarded
    this.stop();
    if (reason && dropped) this.host.say(reason);
  }

  /** Writes the previewed prediction into the unlabeled pixels as one undo step. */
  accept(): void {
    const kept = this.kept;
    if (this.phase !== 'preview' || !kept) return;
    const { session } = kept;
    if (this.host.current()?.session !== session || session.edits !== kept.edits) {
      this.abandon('Prediction discarded: the labels changed since it was shown.');
      return;
    }
    const labels = this.labels(kept);
    const { map } = session;
    const w = map.width;
    let x0 = w;
    let x1 = -1;
    let y0 = map.height;
    let y1 = -1;
    let changed = 0;
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] === UNLABELED || map.provenance[i] !== Provenance.None) continue;
      const x = i % w;
      const y = (i - x) / w;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
      changed++;
    }
    this.stop();
    if (changed === 0) {
      this.host.say('The prediction changes nothing.');
      return;
    }
    const rect = { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
    const classes = new Uint8Array(rect.width * rect.height);
    const provenance = new Uint8Array(rect.width * rect.height);
    for (let row = 0; row < rect.height; row++) {
      for (let col = 0; col < rect.width; col++) {
        const i = (y0 + row) * w + x0 + col;
        const k = row * rect.width + col;
        const p = map.provenance[i]!;
        const v = labels[i]!;
        if (p === Provenance.None && v !== UNLABELED) {
          classes[k] = v;
          provenance[k] = Provenance.Predicted;
        } else {
          classes[k] = map.classes[i]!;
          provenance[k] = p;
        }
      }
    }
    const entry = applyPatch(map, rect, classes, provenance);
    if (entry) this.host.commit(session, entry);
    this.host.say(`Labeled ${changed.toLocaleString('en-US')} pixels from the prediction (Ctrl+Z undoes it).`);
  }

  setThreshold(value: number): void {
    this.threshold = Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0));
    if (this.phase === 'preview') this.render();
  }

  /** Class colours or visibility changed: redraw the preview. */
  restyle(): void {
    if (this.phase === 'preview') this.render();
  }

  /** The kept values with pixels below the threshold unlabeled. */
  private labels(kept: Kept): Uint8Array {
    const min = this.threshold * 255;
    const out = kept.values.slice();
    if (min > 0) for (let i = 0; i < out.length; i++) if (kept.confidence[i]! < min) out[i] = UNLABELED;
    return out;
  }

  private render(): void {
    const kept = this.kept;
    if (!kept || !this.canvas) return;
    const { palette, hidden } = this.host.style();
    this.counts = renderPreview(
      this.canvas,
      kept.session.map,
      { labels: this.labels(kept), confidence: kept.confidence, floor: 0, top: 255, writable: isUnlabeled },
      palette,
      hidden,
    );
    this.host.previewChanged();
  }

  private stop(): void {
    // Moving on while the model runs: the prediction process drops it instead of finishing it for nothing.
    if (this.phase === 'running') call('predict.cancel').catch(() => {});
    this.token++;
    if (this.canvas) this.host.showPreview(null);
    this.canvas = null;
    this.kept = null;
    this.failure = null;
    this.phase = 'idle';
  }
}
