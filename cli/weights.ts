/** `maskwright weights`: median frequency class weights of a folder of label PNGs. */
import { readdir } from 'node:fs/promises';
import { MAX_MASK_FILE_BYTES, readRegularFile } from '../services/fs-guard';
import { extname, join, resolve } from 'node:path';
import { AppError } from '../core/ipc/errors';
import { UNLABELED } from '../core/labelmap/types';
import { classHistogram, medianFrequencyWeights } from '../core/training/weights';
import { decodeMask } from '../services/masks';
import type { Command } from './command';
import { intOption, out, outJson, UsageError } from './output';

export const weightsCmd: Command = {
  name: 'weights',
  usage: 'weights --masks DIR [--ignore N] [--num-classes C] [--json]',
  summary: 'class weights by median frequency balancing for a folder of label PNGs',
  help: [
    '',
    'w_c = median(freq) / freq_c, freq_c = pixels of class c / labeled pixels of the images in which c appears.',
    'Pixels equal to --ignore (and 255) are unlabeled and count nowhere; a class that appears nowhere gets 0.',
    '',
  ].join('\n'),
  options: {
    masks: { type: 'string' },
    ignore: { type: 'string' },
    'num-classes': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(positionals, v) {
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
    if (typeof v.masks !== 'string') throw new UsageError('give --masks DIR');
    const ignore = intOption(v.ignore, 'ignore', 0, 255);
    let numClasses = intOption(v['num-classes'], 'num-classes', 1, 255);
    const dir = resolve(v.masks);
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => extname(n).toLowerCase() === '.png').sort();
    } catch (e) {
      throw new AppError(
        'IO',
        `Cannot read folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    if (!names.length) throw new AppError('NOT_FOUND', `No PNG masks in ${dir}`);
    const masks: Uint8Array[] = [];
    for (const n of names)
      masks.push(decodeMask(await readRegularFile(join(dir, n), MAX_MASK_FILE_BYTES), ignore).values);
    if (numClasses === undefined) {
      let max = -1;
      for (const m of masks) for (const x of m) if (x !== UNLABELED && x > max) max = x;
      numClasses = Math.max(1, max + 1);
    }
    const C = numClasses;
    const w = medianFrequencyWeights(
      masks.map((m) => classHistogram(m, C)),
      C,
    );
    if (v.json) {
      outJson({
        masks: names.length,
        numClasses: C,
        median: w.median,
        classes: Array.from(w.weights, (weight, c) => ({
          class: c,
          weight,
          frequency: Number.isNaN(w.frequency[c]!) ? null : w.frequency[c],
          pixels: w.pixels[c],
        })),
      });
      return 0;
    }
    out(`${names.length} mask(s), classes 0..${C - 1}, median frequency ${w.median.toFixed(6)}`);
    out('class     weight   frequency      pixels');
    for (let c = 0; c < C; c++) {
      const f = w.frequency[c]!;
      out(
        `${String(c).padStart(5)} ${w.weights[c]!.toFixed(4).padStart(10)} ${(Number.isNaN(f) ? 'absent' : f.toFixed(6)).padStart(11)} ${String(w.pixels[c]).padStart(11)}`,
      );
    }
    return 0;
  },
};
