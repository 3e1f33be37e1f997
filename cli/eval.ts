/** `maskwright eval`: segmentation metrics of a folder of predicted masks against ground-truth masks. */
import { readdir } from 'node:fs/promises';
import { MAX_MASK_FILE_BYTES, readRegularFile } from '../services/fs-guard';
import { extname, join, resolve } from 'node:path';
import { accumulateConfusion, emptyConfusion, segmentationMetrics } from '../core/metrics';
import { AppError, visibleName } from '../core/ipc/errors';
import { UNLABELED } from '../core/labelmap/types';
import { decodeMask } from '../services/masks';
import type { Command } from './command';
import { err, intOption, out, outJson, UsageError } from './output';

async function pngNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => extname(n).toLowerCase() === '.png').sort();
  } catch (e) {
    throw new AppError('IO', `Cannot read folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

const fmt = (x: number | null) => (x === null || Number.isNaN(x) ? '   -  ' : `${(100 * x).toFixed(2).padStart(6)}`);

export const evalCmd: Command = {
  name: 'eval',
  usage: 'eval --pred DIR --gt DIR [--ignore N] [--num-classes C] [--json]',
  summary: 'pixel accuracy, mean class accuracy, per-class IoU and mIoU of predicted masks vs ground truth',
  help: [
    '',
    'Masks are PNGs (value = class index), matched by file name. One confusion matrix over all images.',
    '--ignore N       ground-truth value not scored (e.g. 11 = void in CamVid); 255 is never scored',
    '--num-classes C  classes 0..C-1 (default: 1 + the largest scored ground-truth value)',
    'A predicted value outside 0..C-1 counts as wrong. A missing prediction is an error (exit 1).',
    '',
  ].join('\n'),
  options: {
    pred: { type: 'string' },
    gt: { type: 'string' },
    ignore: { type: 'string' },
    'num-classes': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(positionals, values) {
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
    if (typeof values.pred !== 'string' || typeof values.gt !== 'string')
      throw new UsageError('give --pred DIR and --gt DIR');
    const ignore = intOption(values.ignore, 'ignore', 0, 255);
    let numClasses = intOption(values['num-classes'], 'num-classes', 1, 255);
    const predDir = resolve(values.pred);
    const gtDir = resolve(values.gt);
    const gtNames = await pngNames(gtDir);
    if (!gtNames.length) throw new AppError('NOT_FOUND', `No PNG masks in ${gtDir}`);
    const predNames = new Set(await pngNames(predDir));
    const missing = gtNames.filter((n) => !predNames.has(n));
    const pairs: { name: string; pred: Uint8Array; gt: Uint8Array }[] = [];
    for (const name of gtNames.filter((n) => predNames.has(n))) {
      const gt = decodeMask(await readRegularFile(join(gtDir, name), MAX_MASK_FILE_BYTES));
      const pred = decodeMask(await readRegularFile(join(predDir, name), MAX_MASK_FILE_BYTES));
      if (gt.width !== pred.width || gt.height !== pred.height) {
        throw new AppError(
          'INVALID_INPUT',
          `${name}: prediction is ${pred.width}x${pred.height}, ground truth ${gt.width}x${gt.height}`,
        );
      }
      pairs.push({ name, pred: pred.values, gt: gt.values });
    }
    if (numClasses === undefined) {
      let max = -1;
      for (const { gt } of pairs) for (const v of gt) if (v !== ignore && v !== UNLABELED && v > max) max = v;
      numClasses = Math.max(1, max + 1);
    }
    const cm = emptyConfusion(numClasses);
    for (const { pred, gt } of pairs) accumulateConfusion(cm, pred, gt, ignore ?? UNLABELED);
    const m = segmentationMetrics(cm);
    if (values.json) {
      outJson({ images: pairs.length, missing, numClasses, ...m, confusion: Array.from(cm.counts) });
    } else {
      out(`Images ${pairs.length}, classes 0..${numClasses - 1}, ${m.pixels} pixels scored`);
      out(`Pixel accuracy       ${fmt(m.pixelAccuracy)} %`);
      out(`Mean class accuracy  ${fmt(m.meanClassAccuracy)} %`);
      out(`mIoU                 ${fmt(m.meanIoU)} %`);
      out('class    IoU %   acc %');
      m.iou.forEach((v, c) => out(`${String(c).padStart(5)}  ${fmt(v)}  ${fmt(m.classAccuracy[c] ?? null)}`));
    }
    for (const n of missing) err(`  missing prediction: ${visibleName(n)}`);
    return missing.length ? 1 : 0;
  },
};
