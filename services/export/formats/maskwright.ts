/**
 * The default dataset layout: images/ (the originals), masks/ (indexed PNG, value = class index 0..C-1,
 * 255 = unlabeled), classes.json (names, colors, weights, splits), train.txt, val.txt, unassigned.txt.
 * Images training holds out automatically are listed as val.
 */
import { UNLABELED } from '../../../core/labelmap/types';
import { computeClassWeights } from '../../class-weights';
import { encodeIndexedMask } from '../../masks';
import type { FormatFactory } from '../types';
import { originalName } from './common';

export const maskwrightFormat: FormatFactory = (ctx) => {
  const indexColors = new Map(ctx.classes.map((c) => [c.index, c.color]));
  const splits: Record<'train' | 'val' | 'unassigned', string[]> = { train: [], val: [], unassigned: [] };
  return {
    async image(img) {
      await ctx.write(`images/${originalName(img)}`, img.original());
      await ctx.write(`masks/${img.name}.png`, encodeIndexedMask(img.width, img.height, img.indices, indexColors));
      splits[img.role].push(img.name);
    },
    async finish() {
      // Weights need two classes with labels; a dataset without them still exports, without weights.
      let weights: { effective: number; computed: number }[] | null = null;
      try {
        weights = computeClassWeights(ctx.db, ['painted', 'propagated', 'predicted', 'imported']);
      } catch {
        weights = null;
      }
      const classesJson = {
        format: 'maskwright-dataset-1',
        mask_encoding: '8-bit indexed PNG; value = class index (0..C-1); 255 = unlabeled (ignore)',
        ignore_index: UNLABELED,
        classes: ctx.classes.map((c, i) => ({
          index: c.index,
          name: c.name,
          color: c.rgb,
          weight: weights?.[i]?.effective ?? null,
          weight_computed: weights?.[i]?.computed ?? null,
        })),
        splits,
      };
      await ctx.write('classes.json', JSON.stringify(classesJson, null, 2));
      for (const [split, names] of Object.entries(splits))
        await ctx.write(`${split}.txt`, names.map((n) => `${n}\n`).join(''));
    },
  };
};
