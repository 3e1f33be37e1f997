/**
 * The two sources of a preview (preview.svelte.ts):
 *
 * - fill: label propagation from the image's strokes (core/propagation/seeds.ts: every label that is
 *   not an earlier fill is a seed), in a worker, with threshold 0 so that the slider re-plans it live;
 * - predict: the trained model's labels (`predict.image`, computed in main's prediction process).
 */
import { fillProposal, predictionProposal, Provenance, UNLABELED } from '../../../core/labelmap';
import { AppError } from '../../../core/ipc/errors';
import { countSeeds, seedsOf } from '../../../core/propagation/seeds';
import { call, errorMessage } from '../lib/api';
import { startPropagation } from '../propagation/client';
import { photoRgba } from './photo';
import { PreviewRefused } from './preview.svelte';
import type { PreviewKind, PreviewSource } from './preview.svelte';

const NO_STROKES_MESSAGE =
  'Paint at least one stroke first: Fill unlabeled spreads your strokes to the unlabeled pixels.';

/** The status line for a failed `predict.image`. */
export function predictionError(err: unknown): string {
  if (err instanceof AppError && err.code === 'NOT_FOUND') return 'Train a model first: there is no trained model yet.';
  if (err instanceof AppError && err.code === 'UNSUPPORTED') return `Prediction is not available: ${err.message}`;
  return `Prediction failed: ${errorMessage(err)}`;
}

const fill: PreviewSource = {
  kind: 'fill',
  text: {
    panel: 'Fill unlabeled',
    noun: 'Fill',
    running: 'Filling unlabeled pixels…',
    title: 'Fill preview',
    changes: 'would change',
    countLabel: 'Pixels to fill',
    again: 'Press G to fill again.',
    accepted: (n) => `Filled ${n} pixels (Ctrl+Z undoes the fill).`,
  },
  reportsProgress: true,
  keepsFailure: false,
  start(session, photo, progress, early) {
    const { map } = session;
    const seeds = seedsOf(map.classes, map.provenance);
    const seeded = countSeeds(seeds);
    if (seeded === 0) return NO_STROKES_MESSAGE;
    if (seeded === seeds.length) return 'Nothing to fill: every pixel is labeled already.';
    if (photo.width !== map.width || photo.height !== map.height) {
      return `Cannot fill: the photo is ${photo.width}x${photo.height}, the labels ${map.width}x${map.height}.`;
    }
    const present = new Uint8Array(256);
    for (let i = 0; i < seeds.length; i++) present[seeds[i]!] = 1;
    const classCount = present.reduce((a, b) => a + b, 0) - present[UNLABELED]!;
    // The random walker's least certain value with K classes is 1/K: uncertain borders look faint.
    const floor = classCount > 1 ? 1 / classCount : 0;
    const job = startPropagation(
      {
        rgba: photoRgba(photo),
        width: map.width,
        height: map.height,
        seeds,
        options: { confidenceThreshold: 0 },
        ...(early ? { view: early.grid } : {}),
      },
      progress,
      // The part on screen first: a large image's rest takes seconds more.
      (v) => early?.show({ grid: v.view, proposal: fillProposal(v.labels, v.confidence), floor }),
    );
    return {
      result: job.result.then((r) => ({
        proposal: fillProposal(r.labels, r.confidence),
        floor,
        report: {
          label: 'Fill result',
          text: `Fill: ${r.iterations} iterations · ${r.converged ? 'converged' : 'did not converge'} · ${(r.ms / 1000).toFixed(2)} s`,
          warnings: r.warnings,
        },
      })),
      cancel: () => job.cancel(),
    };
  },
  failure: (err) => `Fill failed: ${err instanceof Error ? err.message : String(err)}`,
};

const predict: PreviewSource = {
  kind: 'predict',
  text: {
    panel: 'Prediction',
    noun: 'Prediction',
    running: 'Predicting…',
    title: 'Prediction',
    changes: 'to label',
    countLabel: 'Pixels to label',
    again: 'Press M to show it again.',
    accepted: (n) => `Labeled ${n} pixels from the prediction (Ctrl+Z undoes it).`,
  },
  reportsProgress: false,
  // A status line would be cut short and gone in 4 s; "Train a model first" needs reading.
  keepsFailure: true,
  start(session) {
    const { map } = session;
    if (!map.provenance.includes(Provenance.None)) return 'Nothing to predict: every pixel is labeled already.';
    return {
      result: call('predict.image', { imageId: session.imageId }).then((r) => {
        if (r.width !== map.width || r.height !== map.height) {
          throw new PreviewRefused(
            `Cannot show the prediction: it is ${r.width}x${r.height}, the labels ${map.width}x${map.height}.`,
          );
        }
        return {
          proposal: predictionProposal(r.values, r.confidence),
          floor: 0,
          note: {
            text: `mean ${Math.round(r.meanConfidence * 100)}%`,
            title: 'Mean confidence of the whole prediction',
          },
        };
      }),
      // Moving on while the model runs: the prediction process drops it instead of finishing it for nothing.
      cancel: () => void call('predict.cancel').catch(() => {}),
    };
  },
  failure: predictionError,
};

export const PREVIEW_SOURCES: Record<PreviewKind, PreviewSource> = { fill, predict };
