/**
 * "Label next" kept per open project (issue 25: 6-9 s on every click with a 24 MP image). Scoring an
 * image means predicting it whole (`scoreInProcess`), so each score is kept with what it depends on:
 * the image's label revision (the gain counts its unlabeled pixels) and the model (checkpoint id and
 * creation time). A ranking asked for answers from the kept scores at once when every image is current;
 * otherwise only the images whose labels changed (or that are new) are scored again, and a new model
 * scores everything. `refresh()` does the same in the background after an accept, so the next ranking
 * finds the scores current.
 */
import type { RankedImage } from '../core/ipc/contract';
import type { ApiErrorPayload } from '../core/ipc/errors';
import { byExpectedGain, type LabelNextScore } from '../core/training/rank';
import type { PredictionFailedMessage, PredictionScoreMessage } from '../core/jobs/predict';
import { listImages } from '../db/images';
import { labelMapRevisions } from '../db/labelmaps';
import type { ProjectDb } from '../db/open';
import { findCheckpoint } from './predict';

/** What the project holds now: the model that scores, and every image with its label revision. */
export interface RankState {
  /** The checkpoint's identity (id and creation time); scores of another model are dropped. */
  model: string;
  images: { id: number; name: string; revision: number }[];
}

/** The project's state for the ranking; NOT_FOUND (as `predict.rank` said before) without a trained model. */
export function rankState(db: ProjectDb): RankState {
  const c = findCheckpoint(db);
  const revisions = new Map(labelMapRevisions(db).map((r) => [r.id, r.revision]));
  return {
    model: `${c.id}@${c.createdAt}`,
    images: listImages(db).map((i) => ({ id: i.id, name: i.name, revision: revisions.get(i.id) ?? 0 })),
  };
}

/** Scores images (in another process: `scoreInProcess`). */
export type ScoreImages = (imageIds: readonly number[]) => Promise<{
  scores: PredictionScoreMessage[];
  failures: PredictionFailedMessage[];
  checkpointId: number | null;
}>;

export interface Ranking {
  checkpointId: number | null;
  images: RankedImage[];
  skipped: { imageId: number; name: string; message: string }[];
}

interface Entry {
  revision: number;
  score: LabelNextScore | null;
  failure: ApiErrorPayload | null;
}

export class RankCache {
  private model: string | null = null;
  private checkpointId: number | null = null;
  // Bookkeeping of main's process, by image id.
  private readonly entries = new Map<number, Entry>();
  private running: Promise<void> | null = null;
  /** How many images the last update scored (the tests and the benchmark read it). */
  lastScored = 0;

  constructor(
    private readonly state: () => RankState,
    private readonly score: ScoreImages,
  ) {}

  /**
   * The ranking, most gain first. Waits for an update in flight, then scores what is stale (nothing when
   * every image is current) and answers from the kept scores.
   */
  async rank(): Promise<Ranking> {
    if (this.running) await this.running;
    const now = this.state();
    const stale = this.stale(now);
    if (stale.length) await this.update(now, stale);
    return this.ranking(now);
  }

  /**
   * After labels changed (an accept): scores the stale images in the background, when a ranking was
   * asked for before (no process is started for a project that never used "Label next"). Whether it
   * started; failures are kept for the next ranking to report, never thrown here.
   */
  refresh(): boolean {
    if (this.model === null) return false;
    const run = async () => {
      if (this.running) await this.running;
      const now = this.state();
      const stale = this.stale(now);
      if (stale.length) await this.update(now, stale);
    };
    run().catch(() => {}); // the next `rank()` asks again and says why
    return true;
  }

  /** Images whose kept score is missing or older than their labels; all of them for another model. */
  private stale(now: RankState): number[] {
    if (now.model !== this.model) {
      this.entries.clear();
      this.model = now.model;
      this.checkpointId = null;
    }
    return now.images.filter((i) => this.entries.get(i.id)?.revision !== i.revision).map((i) => i.id);
  }

  private update(now: RankState, ids: number[]): Promise<void> {
    // The revisions read before scoring: labels saved while the process runs leave their image stale.
    const revisions = new Map(now.images.map((i) => [i.id, i.revision]));
    const model = now.model;
    const job = this.score(ids).then((r) => {
      if (this.model !== model) return; // another model came meanwhile: these scores are of the old one
      this.checkpointId = r.checkpointId ?? this.checkpointId;
      this.lastScored = r.scores.length + r.failures.length;
      for (const s of r.scores) {
        const { gain, labeledFraction, meanConfidence } = s;
        this.entries.set(s.imageId, {
          revision: revisions.get(s.imageId) ?? 0,
          score: { gain, labeledFraction, meanConfidence },
          failure: null,
        });
      }
      for (const f of r.failures) {
        this.entries.set(f.imageId, { revision: revisions.get(f.imageId) ?? 0, score: null, failure: f.error });
      }
    });
    const running = job.finally(() => {
      if (this.running === running) this.running = null;
    });
    this.running = running;
    return running;
  }

  private ranking(now: RankState): Ranking {
    const images: RankedImage[] = [];
    const skipped: Ranking['skipped'] = [];
    for (const i of now.images) {
      const e = this.entries.get(i.id);
      if (e?.score) images.push({ imageId: i.id, ...e.score });
      else if (e?.failure) skipped.push({ imageId: i.id, name: i.name, message: e.failure.message });
    }
    images.sort(byExpectedGain);
    return { checkpointId: this.checkpointId, images, skipped };
  }
}
