/** `maskwright train`: trains a segmentation model on a project's trusted labels, in a child process. */
import { dirname, join, resolve } from 'node:path';
import {
  BACKEND_CHOICES,
  BACKEND_DEFAULTS,
  DEFAULT_LEARNING_RATE,
  PIXEL_SOURCES,
  VALIDATION_LABELS,
  STEMS,
  WORKING_SIZE_LIMITS,
  type Stem,
  type TrainSettingsInput,
} from '../core/training/settings';
import { DEFAULT_SCHEDULE, SCHEDULE_LABELS, SCHEDULES } from '../core/training/schedule';
import { startTraining } from '../main/services/training';
import { nodeFork, workerPath } from '../main/services/job-process';
import { Project } from '../main/services/project';
import { retryWhileBusy } from '../db/open';
import type { TrainMessage } from '../core/jobs/train';
import type { Command } from './command';
import { err, intOption, numberOption, out, pct, UsageError } from './output';

const duration = (s: number) =>
  s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${Math.round(s / 60)} min` : `${Math.round(s)} s`;

function bar(fraction: number, width = 24): string {
  const n = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}]`;
}

export const trainCmd: Command = {
  name: 'train',
  usage: 'train PROJECT [--epochs N | --minutes M] [--size WxH] [--backend B] [options]',
  summary:
    'train a segmentation network on the project (metrics per epoch, its best and last checkpoints go into the project)',
  help: [
    '',
    `--epochs N        epoch limit (default 30 when neither --epochs nor --minutes is given, with 10 minutes)`,
    `--minutes M       time budget; with both, whichever ends first`,
    `--size WxH        working size, multiples of stem x 2^depth (default: the images' aspect, long side ${BACKEND_DEFAULTS.cpu.longSide} on`,
    `                  the CPU, ${BACKEND_DEFAULTS.gpu.longSide} on a GPU; README "Training defaults")`,
    `--backend B       ${BACKEND_CHOICES.join(' | ')} (default auto: tensorflow-gpu, webgpu on a hardware GPU, tensorflow, wasm, cpu)`,
    `--batch N         batch size (default ${BACKEND_DEFAULTS.cpu.batchSize} on the CPU, ${BACKEND_DEFAULTS.gpu.batchSize} on a GPU)`,
    `--lr X            peak learning rate (default ${DEFAULT_LEARNING_RATE})`,
    `--schedule S      ${SCHEDULES.join(' | ')} (default ${DEFAULT_SCHEDULE}; the decays end at 1% of the rate)`,
    ...SCHEDULES.filter((s) => s !== 'constant').map(
      (s) => `                  ${s}: ${SCHEDULE_LABELS[s].toLowerCase()}`,
    ),
    `--weight-decay W  decoupled weight decay of the convolution kernels (default 0: off)`,
    `--width-base N    filters of the first level (default ${BACKEND_DEFAULTS.cpu.baseFilters} on the CPU, ${BACKEND_DEFAULTS.gpu.baseFilters} on a GPU; resuming: the checkpoint's)`,
    `--depth N         levels (default 3)`,
    `--stem S          ${STEMS.join(' | ')}: the U-Net runs at 1/S of the working size behind a learned stem, about 1/S^2`,
    `                  the cost per image (default ${BACKEND_DEFAULTS.cpu.stem} on the CPU, ${BACKEND_DEFAULTS.gpu.stem} on a GPU; resuming: the checkpoint's)`,
    `--sources LIST    label sources that train, comma-separated: ${PIXEL_SOURCES.join(',')}`,
    `                  (default painted,propagated,imported)`,
    `--validate-on L   labels that validate: person (painted, imported, and on Reviewed images; the default)`,
    `                  or trained (every label it trains on, Fill unlabeled's and predictions included)`,
    `--reconstruction W  weight of the autoencoder loss; above 0 the unlabeled images also go through the`,
    `                    network every step (their own pass; default 0: off)`,
    `--augment         random scale 0.5-2x and crop, flips, colour jitter, crops placed on rare classes`,
    `                  half the time (default: off, whole images at the working size, flipped only)`,
    `--no-augment      the default: no augmentation beyond flips`,
    `--seed N          seed of initialisation, shuffling and augmentation`,
    `--resume ID       continue from checkpoint ID (a new budget: the schedule warms up again)`,
    '',
  ].join('\n'),
  options: {
    epochs: { type: 'string' },
    minutes: { type: 'string' },
    size: { type: 'string' },
    backend: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    schedule: { type: 'string' },
    'weight-decay': { type: 'string' },
    'width-base': { type: 'string' },
    depth: { type: 'string' },
    stem: { type: 'string' },
    sources: { type: 'string' },
    'validate-on': { type: 'string' },
    reconstruction: { type: 'string' },
    seed: { type: 'string' },
    augment: { type: 'boolean' },
    'no-augment': { type: 'boolean' },
    resume: { type: 'string' },
  },
  async run([path, ...extra], v) {
    if (!path || extra.length) throw new UsageError('give exactly one project path');
    const settings: TrainSettingsInput = {};
    const epochs = intOption(v.epochs, 'epochs', 1, 10_000);
    const minutes = numberOption(v.minutes, 'minutes', 0.01, 7 * 24 * 60);
    if (epochs === undefined && minutes === undefined) Object.assign(settings, { epochs: 30, minutes: 10 });
    if (epochs !== undefined) settings.epochs = epochs;
    if (minutes !== undefined) settings.minutes = minutes;
    if (typeof v.size === 'string') {
      const m = /^(\d+)x(\d+)$/.exec(v.size);
      if (!m) throw new UsageError('--size must look like 256x192');
      const [w, h] = [Number(m[1]), Number(m[2])];
      const { min, max } = WORKING_SIZE_LIMITS;
      if (![w, h].every((n) => n >= min && n <= max))
        throw new UsageError(`--size: width and height must be from ${min} to ${max}`);
      settings.width = w;
      settings.height = h;
    }
    if (v.backend !== undefined) {
      if (!(BACKEND_CHOICES as readonly unknown[]).includes(v.backend))
        throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}`);
      settings.backend = v.backend as TrainSettingsInput['backend'];
    }
    const batch = intOption(v.batch, 'batch', 1, 256);
    if (batch !== undefined) settings.batchSize = batch;
    const lr = numberOption(v.lr, 'lr', 1e-7, 1);
    if (lr !== undefined) settings.learningRate = lr;
    if (v.schedule !== undefined) {
      if (!(SCHEDULES as readonly unknown[]).includes(v.schedule))
        throw new UsageError(`--schedule must be one of ${SCHEDULES.join(', ')}`);
      settings.schedule = v.schedule as (typeof SCHEDULES)[number];
    }
    const wd = numberOption(v['weight-decay'], 'weight-decay', 0, 1);
    if (wd !== undefined) settings.weightDecay = wd;
    const base = intOption(v['width-base'], 'width-base', 2, 256);
    if (base !== undefined) settings.baseFilters = base;
    const depth = intOption(v.depth, 'depth', 1, 6);
    if (depth !== undefined) settings.depth = depth;
    if (v.stem !== undefined) {
      if (!STEMS.map(String).includes(String(v.stem)))
        throw new UsageError(`--stem must be one of ${STEMS.join(', ')}`);
      settings.stem = Number(v.stem) as Stem;
    }
    if (typeof v.sources === 'string') {
      const list = v.sources.split(',').map((s) => s.trim());
      for (const s of list)
        if (!(PIXEL_SOURCES as readonly string[]).includes(s)) throw new UsageError(`unknown source "${s}"`);
      settings.sources = list as TrainSettingsInput['sources'];
    }
    if (v['validate-on'] !== undefined) {
      if (!(VALIDATION_LABELS as readonly unknown[]).includes(v['validate-on']))
        throw new UsageError(`--validate-on must be one of ${VALIDATION_LABELS.join(', ')}`);
      settings.validateOn = v['validate-on'] as (typeof VALIDATION_LABELS)[number];
    }
    const rec = numberOption(v.reconstruction, 'reconstruction', 0, 100);
    if (rec !== undefined) settings.reconstructionWeight = rec;
    const seed = intOption(v.seed, 'seed', 0, 2 ** 31 - 1);
    if (seed !== undefined) settings.seed = seed;
    if (v.augment === true && v['no-augment'] === true)
      throw new UsageError('give --augment or --no-augment, not both');
    if (v.augment === true) settings.augment = true;
    if (v['no-augment'] === true) settings.augment = false;
    const resume = intOption(v.resume, 'resume', 1, Number.MAX_SAFE_INTEGER);
    if (resume !== undefined) settings.resumeFrom = resume;

    const projectPath = resolve(path);
    const project = Project.open(projectPath);
    try {
      project.requireWritable('train (runs and checkpoints are saved in the project)');
    } catch (e) {
      project.close();
      throw e;
    }
    const tty = process.stderr.isTTY;
    let last = '';
    const onMessage = (msg: TrainMessage) => {
      if (msg.type === 'started') {
        out(`Run ${msg.runId}: backend ${msg.backend}`);
        for (const s of msg.skipped) out(`  (skipped ${s.name}: ${s.reason})`);
        out(
          `  ${msg.train} training image(s), ${msg.val} validation image(s), working size ${msg.size[0]}x${msg.size[1]}`,
        );
        out(`  class weights ${msg.classWeights.map((w) => w.toFixed(3)).join(' ')}`);
        const s = msg.settings;
        if (s)
          out(
            `  model width ${s.baseFilters}, depth ${s.depth}${s.stem > 1 ? `, stem ${s.stem}` : ''}, batch ${s.batchSize}; learning rate ${s.learningRate} (${s.schedule})` +
              (s.weightDecay > 0 ? `, weight decay ${s.weightDecay}` : ''),
          );
        if (!msg.val) out('  no validation images (split "val"): metrics are on the training images');
        else if (msg.validation?.note) out(`  ${msg.validation.note}`);
      } else if (msg.type === 'step' && tty) {
        const f = (msg.step + 1) / msg.stepsPerEpoch;
        last = `\repoch ${msg.epoch + 1} ${bar(f)} loss ${msg.loss.toFixed(4)}  lr ${msg.learningRate.toExponential(1)}  ETA ${Number.isFinite(msg.etaSeconds) ? duration(msg.etaSeconds) : '-'}  `;
        process.stderr.write(last);
      } else if (msg.type === 'epoch') {
        if (tty && last) process.stderr.write('\n');
        const m = msg.result.metrics;
        out(
          `epoch ${msg.result.epoch + 1}: loss ${msg.result.trainLoss.toFixed(4)}` +
            (msg.result.valLoss !== null ? `  val loss ${msg.result.valLoss.toFixed(4)}` : '') +
            `  pixel acc ${pct(m.pixelAccuracy)}  mean class acc ${pct(m.meanClassAccuracy)}  mIoU ${pct(m.meanIoU)}` +
            `  (${msg.result.seconds.toFixed(1)} s, checkpoint ${msg.checkpointId ?? '-'})`,
        );
      } else if (msg.type === 'notice') {
        if (tty && last) process.stderr.write('\n');
        last = '';
        out(`  ${msg.message}`);
      } else if (msg.type === 'done') {
        if (tty && last) process.stderr.write('\n');
        (msg.status === 'failed' ? err : out)(`Run ${msg.runId} ${msg.status}: ${msg.message}`);
        if (msg.continueOn) {
          const c = msg.continueOn;
          const args = [`--backend ${c.backend}`];
          if (c.resumeFrom !== null) args.push(`--resume ${c.resumeFrom}`);
          if (c.settings.epochs !== undefined) args.push(`--epochs ${c.settings.epochs}`);
          err(`To continue: maskwright train ${JSON.stringify(path)} ${args.join(' ')} (and your other options)`);
        }
      }
    };
    let failed: boolean;
    try {
      const distDir = join(dirname(__filename), '..');
      // Another program holding the write lock (a database browser with unsaved edits) makes the start
      // wait, as the run's saves do, and say so; Ctrl+C ends the wait.
      let gaveUp = false;
      const giveUp = () => (gaveUp = true);
      process.once('SIGINT', giveUp);
      const handle = await retryWhileBusy(
        () => startTraining(project.db, projectPath, settings, nodeFork, workerPath(distDir), onMessage),
        (message) => err(`${message} (Ctrl+C to give up)`),
        () => gaveUp,
      ).finally(() => process.removeListener('SIGINT', giveUp));
      const onSignal = () => {
        err('Stopping after the current step (Ctrl+C again to abort)...');
        handle.stop();
        process.once('SIGINT', () => process.exit(130));
      };
      process.once('SIGINT', onSignal);
      const result = await handle.done;
      process.removeListener('SIGINT', onSignal);
      failed = result.status === 'failed';
    } catch (e) {
      try {
        project.close();
      } catch {
        // The error above is the one line to say.
      }
      throw e;
    }
    try {
      project.close();
    } catch (e) {
      // A run that failed said its one line already (a full disk: what was saved); else this is the line.
      if (!failed) throw e;
    }
    return failed ? 1 : 0;
  },
};
