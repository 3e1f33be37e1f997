/**
 * Prediction in another process (worker/index.ts; TensorFlow.js never loads in the main process).
 *
 * - `PredictionWorker`: one long-lived process per open project for the image the user looks at. It
 *   keeps its backend and model between requests (a fresh process costs 1-3 s before the first pixel),
 *   a request for another image cancels the pending one, a process that dies is replaced by the next
 *   request, and `close()` ends it with the project.
 * - `scoreInProcess`: "Label next" scores for every image, a batch job in processes of its own (so it
 *   never holds up the image on screen), carrying on in a fresh process after an image takes one down.
 */
import { AppError, type ApiErrorPayload } from '../core/ipc/errors';
import {
  predictJob,
  type PredictMessage,
  type PredictRequest,
  type PredictionFailedMessage,
  type PredictionMessage,
  type PredictionScoreMessage,
} from '../core/jobs/predict';
import { request, startJob, type ForkWorker, type JobProcess } from './job-process';

export interface PredictOptions {
  checkpointId?: number;
  nativeBinding?: string;
}

/** What one scoring process delivered before it finished or died. */
interface ScoreRun {
  scores: PredictionScoreMessage[];
  failures: PredictionFailedMessage[];
  checkpointId: number | null;
  /** Why nothing could be predicted (e.g. NOT_FOUND: no trained model). */
  error: ApiErrorPayload | null;
  /** Set when the process ended before its last message: what the user is told. */
  crashed: string | null;
}

/** The `predict` request for `imageIds`, as the worker takes it. */
function predictRequest(
  projectPath: string,
  imageIds: readonly number[],
  options: PredictOptions,
  extra: { requestId?: number; scoresOnly?: boolean } = {},
): PredictRequest {
  return {
    type: 'predict',
    ...(extra.requestId !== undefined ? { requestId: extra.requestId } : {}),
    projectPath,
    imageIds: [...imageIds],
    ...(options.checkpointId !== undefined ? { checkpointId: options.checkpointId } : {}),
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    ...(extra.scoresOnly ? { scoresOnly: true } : {}),
  };
}

/** What a user reads when a prediction process died under an image. */
const crashMessage = (code: number | null) =>
  `The prediction process ended unexpectedly (exit code ${code ?? 'none'}); the image may be too large for the memory available`;

/**
 * One scoring process for `imageIds`. Resolves when its last message (`predictDone`) arrived, or when
 * it died first (`crashed`); the process is told to leave only once everything is here.
 */
async function scoringProcess(
  projectPath: string,
  imageIds: readonly number[],
  fork: ForkWorker,
  modulePath: string,
  options: PredictOptions,
): Promise<ScoreRun> {
  const run: ScoreRun = { scores: [], failures: [], checkpointId: null, error: null, crashed: null };
  const answer = await request(
    startJob(predictJob, fork, modulePath),
    predictRequest(projectPath, imageIds, options, { scoresOnly: true }),
    'predictDone',
    (msg) => {
      if (msg.type === 'predictionScore') run.scores.push(msg);
      else if (msg.type === 'predictionFailed') run.failures.push(msg);
    },
  );
  if (answer.last) Object.assign(run, { checkpointId: answer.last.checkpointId, error: answer.last.error });
  else run.crashed = crashMessage(answer.code);
  return run;
}

/**
 * "Label next" scores (core/training/rank.ts) for `imageIds`, computed in separate processes. An
 * image that fails, even one that takes its process down (out of memory), is reported in `failures`
 * and the others are still scored (a fresh process carries on after it).
 */
export async function scoreInProcess(
  projectPath: string,
  imageIds: readonly number[],
  fork: ForkWorker,
  modulePath: string,
  options: PredictOptions = {},
): Promise<{ scores: PredictionScoreMessage[]; failures: PredictionFailedMessage[]; checkpointId: number | null }> {
  const scores: PredictionScoreMessage[] = [];
  const failures: PredictionFailedMessage[] = [];
  let checkpointId: number | null = null;
  let rest = [...imageIds];
  while (rest.length) {
    const run = await scoringProcess(projectPath, rest, fork, modulePath, options);
    if (run.error) throw new AppError(run.error.code, run.error.message);
    checkpointId = run.checkpointId ?? checkpointId;
    scores.push(...run.scores);
    failures.push(...run.failures);
    if (!run.crashed) break;
    // Images go in order: the first one without an answer took the process down.
    const answered = new Set([...run.scores, ...run.failures].map((m) => m.imageId));
    const at = rest.findIndex((id) => !answered.has(id));
    if (at < 0) break;
    failures.push({
      type: 'predictionFailed',
      imageId: rest[at]!,
      error: { code: 'INTERNAL', message: run.crashed },
    });
    rest = rest.slice(at + 1);
  }
  return { scores, failures, checkpointId };
}

/** One image's prediction, with the checkpoint and backend that made it. */
export interface ImagePredictionResult {
  prediction: PredictionMessage;
  checkpointId: number | null;
  backend: string;
}

interface Pending {
  imageId: number;
  checkpointId: number | undefined;
  promise: Promise<ImagePredictionResult>;
  resolve(r: ImagePredictionResult): void;
  reject(e: AppError): void;
  prediction: PredictionMessage | null;
  failure: PredictionFailedMessage | null;
}

/** The long-lived prediction process of one open project (see the top of this file). */
export class PredictionWorker {
  private child: JobProcess<typeof predictJob> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(
    private readonly projectPath: string,
    private readonly fork: ForkWorker,
    private readonly modulePath: string,
    private readonly options: { nativeBinding?: string | undefined } = {},
  ) {}

  /**
   * The prediction of one image with the active (or given) checkpoint. A request for another image (or
   * checkpoint) cancels this one: it rejects with CANCELLED. Rejects with the worker's code when the image
   * or the model cannot be used (NOT_FOUND: no trained model), INTERNAL when the process died.
   */
  predictImage(imageId: number, checkpointId?: number): Promise<ImagePredictionResult> {
    if (this.closed) return Promise.reject(new AppError('CANCELLED', 'The project was closed'));
    for (const [id, p] of this.pending) {
      if (p.imageId === imageId && p.checkpointId === checkpointId) return p.promise; // asked again: same answer
      this.cancel(id, 'Prediction cancelled: another image was asked for');
    }
    const requestId = this.nextId++;
    let resolve!: (r: ImagePredictionResult) => void;
    let reject!: (e: AppError) => void;
    const promise = new Promise<ImagePredictionResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.pending.set(requestId, { imageId, checkpointId, promise, resolve, reject, prediction: null, failure: null });
    const options = { ...(checkpointId !== undefined ? { checkpointId } : {}), ...this.options };
    this.process().post(predictRequest(this.projectPath, [imageId], options, { requestId }));
    return promise;
  }

  /** Whether a process is running now (a dead one is replaced only when the next request comes). */
  get running(): boolean {
    return this.child !== null;
  }

  /** Cancels every pending request (the user moved on); whether there was one. */
  cancelPending(message: string): boolean {
    const ids = [...this.pending.keys()];
    for (const id of ids) this.cancel(id, message);
    return ids.length > 0;
  }

  /** Ends the process with the project: pending requests reject with CANCELLED. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.pending.keys()]) this.cancel(id, 'Prediction cancelled: the project was closed');
    const child = this.child;
    this.child = null;
    child?.exit();
  }

  private cancel(requestId: number, message: string): void {
    const p = this.pending.get(requestId);
    if (!p) return;
    this.pending.delete(requestId);
    this.child?.post({ type: 'cancel', requestId });
    p.reject(new AppError('CANCELLED', message));
  }

  private process(): JobProcess<typeof predictJob> {
    if (this.child) return this.child;
    const child = startJob(predictJob, this.fork, this.modulePath);
    this.child = child;
    child.onMessage((msg) => this.receive(msg));
    child.onExit((code) => {
      if (this.child !== child) return; // closed, or already replaced
      this.child = null;
      // Whatever was asked of it is lost: say so; the next request starts a fresh process.
      const why = crashMessage(code);
      for (const [id, p] of [...this.pending]) {
        this.pending.delete(id);
        p.reject(new AppError('INTERNAL', why));
      }
    });
    return child;
  }

  private receive(msg: PredictMessage): void {
    if (msg.requestId === undefined) return;
    const p = this.pending.get(msg.requestId);
    if (!p) return; // cancelled: its late answers are dropped
    if (msg.type === 'prediction') p.prediction = msg;
    else if (msg.type === 'predictionFailed') p.failure = msg;
    else if (msg.type === 'predictDone') {
      this.pending.delete(msg.requestId);
      const error = msg.error ?? p.failure?.error ?? null;
      if (error) p.reject(new AppError(error.code, error.message));
      else if (!p.prediction) p.reject(new AppError('INTERNAL', `No prediction came back for image ${p.imageId}`));
      else p.resolve({ prediction: p.prediction, checkpointId: msg.checkpointId, backend: msg.backend });
    }
  }
}
