/**
 * Ultralytics YOLO segmentation: images/SPLIT/NAME.ext, labels/SPLIT/NAME.txt with one line per connected
 * region, `class x1 y1 x2 y2 ...` (the outline along pixel edges, divided by the image's width and height;
 * holes joined to the outline by a cut, core/formats/regions.ts), and data.yaml. Unlabeled pixels are left
 * out (YOLO reads them as background).
 */
import { bridgeHoles, traceRegions } from '../../../core/formats/regions';
import type { FormatFactory } from '../types';
import { originalName } from './common';

/** Decimals of a normalized coordinate: 1e-6 of a side keeps every vertex within 0.01 px below 10,000 px. */
const DECIMALS = 6;

export const yoloSegFormat: FormatFactory = (ctx) => ({
  async image(img) {
    const { width, height, indices, split } = img;
    await ctx.write(`images/${split}/${originalName(img)}`, img.original());
    const lines: string[] = [];
    for (const r of traceRegions(width, height, indices)) {
      const poly = bridgeHoles(r);
      const xy = poly.map((v, i) => (v / (i % 2 ? height : width)).toFixed(DECIMALS));
      lines.push(`${r.value} ${xy.join(' ')}`);
    }
    await ctx.write(`labels/${split}/${img.name}.txt`, lines.map((l) => `${l}\n`).join(''));
  },
  async finish() {
    const yaml = [
      '# Ultralytics YOLO segmentation dataset exported by Maskwright.',
      // Ultralytics resolves a relative path against its datasets folder, not this file's: absolute.
      '# path: where this folder was written; change it if you move the folder.',
      `path: ${JSON.stringify(ctx.dir)}`,
      'train: images/train',
      'val: images/val',
      'names:',
      ...ctx.classes.map((c) => `  ${c.index}: ${JSON.stringify(c.name)}`),
    ];
    await ctx.write('data.yaml', `${yaml.join('\n')}\n`);
  },
});
