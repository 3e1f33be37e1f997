/**
 * The training job of the worker process (worker/index.ts; protocol core/jobs/train.ts): opens the
 * project, loads the trusted training data, trains, and writes metrics and a checkpoint per epoch into
 * the project file. Progress goes to the parent as messages.
 */
import type * as tf from '@tensorflow/tfjs';
import { validationNote } from '../../core/training/split';
import { classHistogram, medianFrequencyWeights, mergeClassWeights } from '../../core/training/weights';
import {
  backendClass,
  resolveTrainSettings,
  trainSettingsSchema,
  runWorkingSize,
  asRecorded,
  type ResolvedTrainSettings,
  type TrainSettings,
} from '../../core/training/settings';
import { listClasses } from '../../db/classes';
import { listImages } from '../../db/images';
import { retryWhileBusy } from '../../db/open';
import { finishRun, getCheckpoint, getRun, heartbeat, recordEpoch, startRun } from '../../db/runs';
import { loadSamples } from '../../services/dataset';
import { splitPlan } from '../../services/split';
import { diskFullReason } from '../../services/fs-guard';
import { Project } from '../../services/project';
import { initBackend, nextBackendAfterGpu } from '../../trainer/backend';
import { buildUNet, INPUT_NORMALIZATION } from '../../trainer/model';
import { loadWeightsInto, serializeModel } from '../../trainer/run/checkpoint';
import { trainLoop } from '../../trainer/run/loop';
import { asGpuFailure, webGpuDevice } from '../../trainer/webgpu';
import type { WeightSpec } from '../../core/training/checkpoint';
import { oneLine, visibleName } from '../../core/ipc/errors';
import { trainJob, type ContinueOn, type TrainMessage, type TrainRequest } from '../../core/jobs/train';
import type { Channel, WorkerJob } from '../job';

/** CPU time of this process so far, every thread (the wasm backend's workers too), user + system. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** How often a training process refreshes its run's heartbeat. */
const HEARTBEAT_MS = 5000;

interface StopFlag {
  stop: boolean;
  /** The parent process is gone: the run ends as interrupted rather than stopped. */
  orphaned?: boolean;
}

export async function runTraining(
  projectPath: string,
  runId: number,
  raw: unknown,
  channel: Channel<TrainMessage>,
  stopFlag: StopFlag,
  nativeBinding?: string,
): Promise<void> {
  const project = Project.open(projectPath, nativeBinding);
  const db = project.db;
  let settings: ResolvedTrainSettings | null = null;
  let lastCheckpoint: { id: number; epoch: number } | null = null;
  let epochsDone = 0;
  /** What a run that fails part-way has saved, for its last message. */
  const savedWords = () =>
    lastCheckpoint
      ? `${epochsDone} epoch(s) of this run were saved, the last as checkpoint ${lastCheckpoint.id} (epoch ${lastCheckpoint.epoch + 1})`
      : 'no epoch of this run was saved';
  let stepsSent = 0;
  const loseGpuAtStep = Number(process.env.MASKWRIGHT_TEST_LOSE_GPU_AT_STEP ?? 0);
  /** After a GPU failure: go on with the next backend from the last good checkpoint. */
  const continuation = (): { continueOn: ContinueOn; hint: string } | null => {
    if (!settings) return null;
    const backend = nextBackendAfterGpu();
    const resumeFrom = lastCheckpoint?.id ?? settings.resumeFrom ?? null;
    const { resumeFrom: _, longSide: __, ...rest } = settings;
    const epochs = settings.epochs !== undefined ? Math.max(1, settings.epochs - epochsDone) : undefined;
    // The next backend's own defaults for the batch and the working size (the user's choices stay);
    // the model's width is the checkpoint's.
    const next = {
      ...rest,
      batchSize: user?.batchSize,
      backend,
      ...(epochs !== undefined ? { epochs } : {}),
      ...(resumeFrom !== null ? { resumeFrom } : {}),
    };
    const hint =
      resumeFrom !== null
        ? ` The last good checkpoint${lastCheckpoint ? ` (epoch ${lastCheckpoint.epoch + 1})` : ''} is kept: continue on ${backend} from it.`
        : ` No epoch was saved: start again on ${backend}.`;
    return { continueOn: { backend, resumeFrom, settings: next }, hint };
  };
  const notify = (message: string) => channel.send({ type: 'notice', runId, message });
  // Proof of life for other processes opening the project (db/runs.ts markDeadRuns). Not unref'd: after
  // the parent's death closes the IPC channel, this timer keeps the process alive to record the end.
  const beat = setInterval(() => heartbeat(db, runId), HEARTBEAT_MS);
  let user: TrainSettings | null = null;
  try {
    user = trainSettingsSchema.parse(raw);
    const backend = await initBackend({ backend: user.backend });
    // A resumed run keeps the model width of the run it continues (its weights only load into it).
    const before =
      user.resumeFrom !== undefined
        ? trainSettingsSchema.safeParse(getRun(db, getCheckpoint(db, user.resumeFrom).runId).settings)
        : null;
    settings = resolveTrainSettings(
      user,
      backendClass({ ...backend, software: backend.adapter?.software }),
      before?.success ? asRecorded(before.data) : undefined,
    );
    // Which images validate, on which labels (services/split.ts): the run records it with its settings.
    const plan = splitPlan(db, settings.sources, settings.validateOn);
    const validation = { labels: plan.labels, basis: plan.basis, note: validationNote(plan) };
    await retryWhileBusy(
      () => startRun(db, runId, `${backend.name}: ${backend.detail}`, { ...settings!, validation }),
      notify,
    );
    const size = runWorkingSize(settings, listImages(db));
    const splits = ['train', 'val', 'unassigned'] as const;
    // Validation images are known before the pixels load: they load differently (labels at their own size
    // too, only the labels that validate).
    const isValId = (id: number) => plan.val.has(id);
    const { samples, mapping, unreadable } = await loadSamples(db, {
      ...size,
      sources: settings.sources,
      splits,
      includeUnlabeled: settings.reconstructionWeight > 0,
      // Random-scale augmentation zooms in up to 2x: keep training images at up to twice the working size.
      maxScale: settings.augment ? 2 : 1,
      fullSize: plan.val,
      provenancesFor: plan.provenancesFor,
    });
    const isVal = (s: (typeof samples)[number]) => isValId(s.id) || s.split === 'val';
    const train = samples.filter((s) => !isVal(s) && s.labels);
    const val = samples.filter((s) => isVal(s) && s.labels);
    // Images without trusted labels. Never the labeled validation images: training on their pixels (even
    // without labels, or only through batch-norm statistics) would flatter the validation metrics.
    const unlabeled = samples.filter((s) => !s.labels && !isVal(s));
    const C = mapping.values.length;
    const computed = medianFrequencyWeights(
      train.map((s) => classHistogram(s.labels!, C)),
      C,
    );
    const overrides = listClasses(db).map((c) => c.weightOverride);
    const classWeights = Array.from(mergeClassWeights(computed.weights, overrides));
    channel.send({
      type: 'started',
      runId,
      backend: `${backend.name}: ${backend.detail}`,
      skipped: backend.skipped,
      train: train.length,
      val: val.length,
      heldOut: plan.heldOut.size,
      validation,
      classWeights,
      size: [size.width, size.height],
      firstEpoch: settings.resumeFrom !== undefined ? getCheckpoint(db, settings.resumeFrom).epoch + 1 : 0,
      settings,
    });
    if (unreadable.length)
      channel.send({
        type: 'notice',
        runId,
        message: `Skipped ${unreadable.length} image(s) that cannot be decoded (training goes on without them; remove or re-import them): ${unreadable.map((u) => oneLine(u.message, 300)).join('; ')}`,
      });
    const model = buildUNet({
      numClasses: C,
      baseFilters: settings.baseFilters,
      depth: settings.depth,
      stem: settings.stem,
      dropout: settings.dropout,
      reconstruction: settings.reconstructionWeight > 0,
      seed: settings.seed,
    });
    let startEpoch = 0;
    if (settings.resumeFrom !== undefined) {
      const c = getCheckpoint(db, settings.resumeFrom);
      const meta = c.metadata;
      if (JSON.stringify(meta.classValues) !== JSON.stringify(mapping.values)) {
        throw new Error('Cannot resume: the classes changed since that checkpoint');
      }
      await loadWeightsInto(model, {
        modelTopology: c.modelTopology,
        weightSpecs: meta.weightSpecs as tf.io.WeightsManifestEntry[],
        weightData: c.weights,
      });
      startEpoch = c.epoch + 1;
    }
    const outcome = await trainLoop(
      model,
      { train, val, unlabeled },
      classWeights,
      { ...settings, epochs: settings.epochs, minutes: settings.minutes, size },
      {
        onStep: (p) => {
          channel.send({ type: 'step', runId, ...p });
          // Fault injection for the tests of the app: the GPU is lost after this many steps.
          if (++stepsSent === loseGpuAtStep) webGpuDevice()?.destroy();
        },
        shouldStop: () => stopFlag.stop,
        async onEpoch(result, m) {
          const s = await serializeModel(m);
          let waited = false;
          const record = () =>
            recordEpoch(
              db,
              {
                runId,
                epoch: result.epoch,
                trainLoss: result.trainLoss,
                valLoss: result.valLoss,
                metrics: { ...result.metrics, metricsOn: val.length ? 'val' : 'train', seconds: result.seconds },
              },
              {
                modelTopology: s.modelTopology,
                weights: s.weightData,
                metadata: {
                  weightSpecs: s.weightSpecs as WeightSpec[],
                  classValues: mapping.values,
                  classNames: mapping.names,
                  classColors: mapping.colors,
                  inputSize: [size.height, size.width],
                  normalization: INPUT_NORMALIZATION,
                  classWeights,
                  epoch: result.epoch,
                },
              },
            );
          // Another program holding the project's lock (a database browser, say) makes the run wait, never
          // silently: each busy timeout says so, then the save is retried until it gets through or Stop.
          const checkpointId = await retryWhileBusy(
            record,
            (message) => {
              waited = true;
              notify(`Saving epoch ${result.epoch + 1}: ${message}`);
            },
            () => stopFlag.stop,
          );
          if (checkpointId !== null) lastCheckpoint = { id: checkpointId, epoch: result.epoch };
          epochsDone++;
          if (waited) notify(`Epoch ${result.epoch + 1} saved`);
          channel.send({ type: 'epoch', runId, result, checkpointId });
        },
      },
      startEpoch,
    );
    model.dispose();
    const next = outcome.status === 'failed' && outcome.gpuFailure ? continuation() : null;
    const orphaned = outcome.status === 'stopped' && stopFlag.orphaned === true;
    const status = orphaned ? ('interrupted' as const) : outcome.status;
    // The images left out stay named in the run's record (the notice is gone after the first epoch).
    const leftOut = unreadable.length
      ? `; left out ${unreadable.length} image(s) that cannot be decoded: ${unreadable.map((u) => visibleName(u.name)).join(', ')}`
      : '';
    const message =
      (orphaned
        ? `Interrupted: the app or command that started the run ended; ${outcome.epochs} epoch(s) and their checkpoints are kept`
        : next
          ? outcome.message + next.hint
          : outcome.message) + leftOut;
    await retryWhileBusy(() => finishRun(db, runId, status, message), notify);
    channel.send({
      type: 'done',
      runId,
      status,
      message,
      cpuSeconds: cpuSeconds(),
      ...(next ? { continueOn: next.continueOn } : {}),
    });
  } catch (err) {
    const gpu = asGpuFailure(err);
    const next = gpu ? continuation() : null;
    const disk = diskFullReason(err);
    // One line, capped: a tfjs shape error or a dying wasm module can carry pages of text.
    const message =
      (gpu
        ? `Training stopped: ${gpu.message}.`
        : disk
          ? `Training stopped: ${disk}; ${savedWords()}`
          : oneLine(err instanceof Error ? err.message : String(err))) + (next?.hint ?? '');
    await retryWhileBusy(() => finishRun(db, runId, 'failed', message), notify).catch(() => {});
    channel.send({
      type: 'done',
      runId,
      status: 'failed',
      message,
      cpuSeconds: cpuSeconds(),
      ...(next ? { continueOn: next.continueOn } : {}),
    });
  } finally {
    clearInterval(beat);
    try {
      project.close();
    } catch {
      // Every save committed already; a failing close loses nothing and must not turn the run's last
      // message into a stack trace.
    }
  }
}

/** The training job: one run per process; the process leaves when the run has ended. */
export const trainWorkerJob: WorkerJob<typeof trainJob> = {
  protocol: trainJob,
  start(channel) {
    const stopFlag: StopFlag = { stop: false, orphaned: false };
    let current: Extract<TrainRequest, { type: 'start' }> | null = null;
    return {
      receive(msg) {
        if (msg.type === 'stop') stopFlag.stop = true;
        else if (msg.type === 'start') {
          current = msg;
          void runTraining(msg.projectPath, msg.runId, msg.settings, channel, stopFlag, msg.nativeBinding).finally(
            () => {
              current = null;
              // Let the last message flush before leaving.
              setTimeout(() => process.exit(0), 50);
            },
          );
        }
      },
      // Ctrl+C in a terminal reaches the whole process group, this process too: stop after the current
      // step and record the run as stopped (the parent asks the same), rather than dying mid-step. A
      // second Ctrl+C aborts at once; the run is then marked interrupted by the next open of the project.
      interrupt: () => void (stopFlag.stop = true),
      // The parent (the CLI) was killed: finish the step, record the run as interrupted, and leave.
      orphaned() {
        if (!current) return false;
        stopFlag.stop = true;
        stopFlag.orphaned = true;
        return true;
      },
      // A crash outside the run's own try ends the run with one capped line instead of Node printing the
      // offending source line: 40 KB of minified glue.
      crashed(err) {
        if (!current) return;
        const message = `The training process failed: ${oneLine(err instanceof Error ? err.message : String(err))}`;
        const project = Project.open(current.projectPath, current.nativeBinding);
        try {
          finishRun(project.db, current.runId, 'failed', message);
        } finally {
          project.close();
        }
        channel.send({ type: 'done', runId: current.runId, status: 'failed', message });
      },
    };
  },
};
