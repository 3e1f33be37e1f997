/** `maskwright train`: trains a segmentation model on a project's trusted labels, in a child process. */
import { dirname, join, resolve } from 'node:path';
import type { TrainSettingsInput } from '../core/training/settings';
import { FlagError, settingFlagHelp, settingFlagOptions, settingsFromFlags } from '../core/training/setting-flags';
import { startTraining } from '../services/training';
import { nodeFork, workerPath } from '../services/job-process';
import { Project } from '../services/project';
import { retryWhileBusy } from '../db/open';
import type { TrainMessage } from '../core/jobs/train';
import type { Command } from './command';
import { err, out, pct, UsageError } from './output';

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
  help: ['', ...settingFlagHelp(), ''].join('\n'),
  options: settingFlagOptions(),
  async run([path, ...extra], v) {
    if (!path || extra.length) throw new UsageError('give exactly one project path');
    let settings: TrainSettingsInput;
    try {
      settings = settingsFromFlags(v);
    } catch (e) {
      if (e instanceof FlagError) throw new UsageError(e.message);
      throw e;
    }

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
