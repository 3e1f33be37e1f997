/**
 * Training in the window: the settings form, the live run (progress, loss per step, results per epoch)
 * as `train.message` events report it, and the run history. Step messages are buffered and applied at
 * most once per animation frame, so a fast run never floods the UI with redraws.
 */
import type { EpochSummary, RunSummary } from '../../../core/ipc/contract';
import { AppError } from '../../../core/ipc/errors';
import type { BackendStatus } from '../../../core/training/backends';
import { parseEpochMetrics, type EpochMetrics } from '../../../core/training/epoch-metrics';
import type { ContinueOn, EpochResult, StepProgress, TrainMessage, ValidationBasis } from '../../../core/jobs/train';
import type { TrainSettingsInput } from '../../../core/training/settings';
import { call, errorMessage, onEvent } from '../lib/api';
import { defaultForm, fieldErrors, formSettings, type TrainForm } from './form';

/** What the charts need of one epoch, from a live `epoch` message or a stored row. */
export interface EpochPoint {
  epoch: number;
  trainLoss: number | null;
  valLoss: number | null;
  meanIoU: number | null;
  iou: (number | null)[];
  classAccuracy: (number | null)[];
  pixelAccuracy: number | null;
  metricsOn: 'val' | 'train' | null;
  /** Flat C*C pixel counts, `confusion[g * C + p]` (row = ground truth, column = prediction); [] when absent. */
  confusion: number[];
}

export interface LiveRun {
  runId: number;
  status: 'starting' | 'running' | 'completed' | 'stopped' | 'failed' | 'interrupted';
  backend: string | null;
  skipped: { name: string; reason: string }[];
  train: number;
  val: number;
  /** Of `val`, images held out automatically. */
  heldOut: number;
  /** Which labels validate, and the sentence to show when not labels a person made. */
  validation: ValidationBasis | null;
  /** `performance.now()` when the first step arrived, and seconds from then to the latest step. */
  firstStepAt: number | null;
  elapsedSeconds: number;
  size: [number, number] | null;
  /** The latest step. */
  progress: StepProgress | null;
  /** Total steps seen so far, across epochs. */
  steps: number;
  epochs: EpochPoint[];
  message: string | null;
  /** While running: something the user should know now (e.g. waiting for a lock); cleared by the next epoch. */
  notice: string | null;
  maxEpochs: number | null;
  stopping: boolean;
  /** After a GPU failure: the next backend and the settings that resume from the last good checkpoint. */
  continueOn: ContinueOn | null;
  /** 0, or the epoch after the checkpoint a resumed run starts from. */
  firstEpoch: number;
  /** Model width, stem and batch the run uses (the backend's defaults where the form left them empty). */
  model: { baseFilters: number; stem: number; batchSize: number } | null;
}

const finite = (v: number | null): number | null => (v !== null && Number.isFinite(v) ? v : null);

/** An epoch as the charts use it, from the typed metrics (core/training/epoch-metrics.ts). */
function toEpochPoint(epoch: number, trainLoss: number | null, valLoss: number | null, m: EpochMetrics): EpochPoint {
  return {
    epoch,
    trainLoss: finite(trainLoss),
    valLoss: finite(valLoss),
    meanIoU: m.meanIoU,
    iou: m.iou,
    classAccuracy: m.classAccuracy,
    pixelAccuracy: m.pixelAccuracy,
    metricsOn: m.metricsOn,
    confusion: m.confusion,
  };
}

// A live result carries NaN where nothing was counted: the schema reads it as null, as a stored row.
const fromResult = (r: EpochResult): EpochPoint =>
  toEpochPoint(r.epoch, r.trainLoss, r.valLoss, parseEpochMetrics(r.metrics));
const fromSummary = (e: EpochSummary): EpochPoint => toEpochPoint(e.epoch, e.trainLoss, e.valLoss, e.metrics);

export class TrainingState {
  form = $state<TrainForm>(defaultForm());
  advanced = $state(false);
  /** Validation messages from `train.start`, by form field; `general` for the rest. */
  fieldErrors = $state<Record<string, string>>({});
  error = $state<string | null>(null);
  starting = $state(false);
  live = $state<LiveRun | null>(null);
  /**
   * The live run's loss of every step, in order: a raw array that each flush replaces, so the step chart
   * reads 10,000 values without going through a proxy each (bench/charts: about half its time per append).
   */
  stepLoss = $state.raw<number[]>([]);
  runs = $state<RunSummary[]>([]);
  selectedRunId = $state<number | null>(null);
  selectedEpochs = $state<EpochPoint[]>([]);
  /** Every backend, available or not and why, with the GPU adapter; null until checked. */
  backends = $state<BackendStatus[] | null>(null);
  /** The last epoch of each listed run (null: none recorded), for the history's final mIoU. */
  finals = $state<Record<number, EpochPoint | null>>({});

  private pendingSteps: StepProgress[] = [];
  private frame: number | null = null;

  get running(): boolean {
    return this.live !== null && (this.live.status === 'starting' || this.live.status === 'running');
  }

  /** Follows `train.message`; returns the unsubscribe function. */
  subscribe(): () => void {
    const off = onEvent('train.message', (msg) => this.onMessage(msg));
    void this.refreshRuns();
    void this.loadBackends();
    return () => {
      off();
      if (this.frame !== null) cancelAnimationFrame(this.frame);
      this.frame = null;
    };
  }

  resetForm(): void {
    this.form = defaultForm();
    this.fieldErrors = {};
  }

  async loadBackends(): Promise<void> {
    if (this.backends) return;
    try {
      this.backends = await call('train.backends');
    } catch {
      // Not fatal: the selector then shows the plain choices.
    }
  }

  /** After a GPU failure: a new run on the next backend from the last good checkpoint. */
  async continueRun(): Promise<void> {
    const next = this.live?.continueOn;
    if (!next) return;
    this.form.backend = next.backend;
    await this.start(next.settings);
  }

  async start(given?: TrainSettingsInput): Promise<void> {
    if (this.starting || this.running) return;
    this.starting = true;
    this.fieldErrors = {};
    this.error = null;
    const settings = given ?? formSettings(this.form);
    try {
      const { runId } = await call('train.start', { settings });
      // Messages may have arrived before the answer; keep what they set.
      if (this.live?.runId !== runId) this.live = this.newRun(runId, settings.epochs ?? null);
      else this.live.maxEpochs = settings.epochs !== undefined ? settings.epochs + this.live.firstEpoch : null;
      // Make room for the progress and the charts.
      this.advanced = false;
      void this.refreshRuns();
    } catch (err) {
      if (err instanceof AppError && err.code === 'INVALID_INPUT' && err.issues?.length) {
        const errors = fieldErrors(err.issues, settings);
        this.fieldErrors = errors;
        if (Object.keys(errors).some((k) => k !== 'general' && k !== 'epochs' && k !== 'minutes')) this.advanced = true;
      } else {
        this.error = errorMessage(err);
      }
    } finally {
      this.starting = false;
    }
  }

  async stop(): Promise<void> {
    if (!this.live) return;
    this.live.stopping = true;
    try {
      await call('train.stop');
    } catch (err) {
      this.error = errorMessage(err);
    }
  }

  async refreshRuns(): Promise<void> {
    try {
      const runs = await call('runs.list');
      const stale = runs.filter((r) => !(r.id in this.finals) || r.status === 'running' || r.status === 'queued');
      const lasts = await Promise.all(
        stale.map(async (r) => {
          const epochs = await call('runs.epochs', { runId: r.id });
          const last = epochs[epochs.length - 1];
          return [r.id, last ? fromSummary(last) : null] as const;
        }),
      );
      this.finals = { ...this.finals, ...Object.fromEntries(lasts) };
      this.runs = runs;
      if (this.selectedRunId !== null && !this.runs.some((r) => r.id === this.selectedRunId)) this.selectedRunId = null;
    } catch (err) {
      this.error = errorMessage(err);
    }
  }

  async selectRun(runId: number | null): Promise<void> {
    this.selectedRunId = runId;
    this.selectedEpochs = [];
    if (runId === null) return;
    try {
      const epochs = await call('runs.epochs', { runId });
      if (this.selectedRunId === runId) this.selectedEpochs = epochs.map(fromSummary);
    } catch (err) {
      this.error = errorMessage(err);
    }
  }

  private onMessage(msg: TrainMessage): void {
    if (!this.live || this.live.runId !== msg.runId) {
      this.flushSteps();
      this.live = this.newRun(msg.runId, null);
    }
    const live = this.live;
    switch (msg.type) {
      case 'started':
        live.status = 'running';
        // Make room for the progress and the charts (also for a run this window did not start).
        this.advanced = false;
        live.backend = msg.backend;
        live.skipped = msg.skipped;
        live.train = msg.train;
        live.val = msg.val;
        live.heldOut = msg.heldOut ?? 0;
        live.validation = msg.validation ?? null;
        live.size = msg.size;
        // A resumed run numbers its epochs on from its checkpoint: the last one is first + epochs.
        if (live.maxEpochs !== null && msg.firstEpoch) live.maxEpochs += msg.firstEpoch;
        live.firstEpoch = msg.firstEpoch ?? 0;
        if (msg.settings)
          live.model = {
            baseFilters: msg.settings.baseFilters,
            stem: msg.settings.stem,
            batchSize: msg.settings.batchSize,
          };
        void this.refreshRuns();
        break;
      case 'step':
        if (live.status === 'starting') live.status = 'running';
        this.pendingSteps.push({
          epoch: msg.epoch,
          step: msg.step,
          stepsPerEpoch: msg.stepsPerEpoch,
          loss: msg.loss,
          etaSeconds: msg.etaSeconds,
          learningRate: msg.learningRate,
        });
        this.frame ??= requestAnimationFrame(() => {
          this.frame = null;
          this.flushSteps();
        });
        break;
      case 'epoch':
        this.flushSteps();
        live.epochs.push(fromResult(msg.result));
        live.notice = null;
        break;
      case 'notice':
        live.notice = msg.message;
        break;
      case 'done':
        this.flushSteps();
        live.status = msg.status;
        live.message = msg.message;
        live.continueOn = msg.continueOn ?? null;
        live.stopping = false;
        this.finals = Object.fromEntries(Object.entries(this.finals).filter(([id]) => Number(id) !== msg.runId));
        void this.refreshRuns().then(() => {
          if (this.selectedRunId === null || this.selectedRunId === msg.runId) void this.selectRun(msg.runId);
        });
        break;
    }
  }

  /** A new live run, with no step losses yet. */
  private newRun(runId: number, maxEpochs: number | null): LiveRun {
    this.stepLoss = [];
    return emptyRun(runId, maxEpochs);
  }

  private flushSteps(): void {
    if (!this.live || this.pendingSteps.length === 0) return;
    const steps = this.pendingSteps;
    this.pendingSteps = [];
    this.stepLoss = [...this.stepLoss, ...steps.map((s) => s.loss)];
    this.live.steps += steps.length;
    this.live.progress = steps[steps.length - 1]!;
    const now = performance.now();
    this.live.firstStepAt ??= now;
    this.live.elapsedSeconds = (now - this.live.firstStepAt) / 1000;
  }
}

function emptyRun(runId: number, maxEpochs: number | null): LiveRun {
  return {
    runId,
    status: 'starting',
    backend: null,
    skipped: [],
    train: 0,
    val: 0,
    heldOut: 0,
    validation: null,
    firstStepAt: null,
    elapsedSeconds: 0,
    size: null,
    progress: null,
    steps: 0,
    epochs: [],
    message: null,
    notice: null,
    maxEpochs,
    stopping: false,
    continueOn: null,
    firstEpoch: 0,
    model: null,
  };
}
