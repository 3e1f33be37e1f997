/**
 * Cityscapes-style: leftImg8bit/SPLIT/NAME_leftImg8bit.png and gtFine/SPLIT/NAME_gtFine_labelIds.png
 * (8-bit gray, value = class index, 255 = unlabeled) with NAME_gtFine_color.png (class colors,
 * unlabeled black), and labels.json (id, name, color per class; the ignore id).
 */
import { UNLABELED } from '../../../core/labelmap/types';
import { encodeGrayMask } from '../../masks';
import type { FormatFactory } from '../types';
import { colorPng, imageAs } from './common';

export const cityscapesFormat: FormatFactory = (ctx) => ({
  async image(img) {
    const { width, height, indices, split, name } = img;
    await ctx.write(`leftImg8bit/${split}/${name}_leftImg8bit.png`, await imageAs(img, 'png'));
    await ctx.write(`gtFine/${split}/${name}_gtFine_labelIds.png`, encodeGrayMask(width, height, indices));
    await ctx.write(`gtFine/${split}/${name}_gtFine_color.png`, await colorPng(width, height, indices, ctx.classes));
  },
  async finish() {
    const labels = {
      format: 'maskwright-cityscapes-1',
      ignore_id: UNLABELED,
      labels: ctx.classes.map((c) => ({ id: c.index, name: c.name, color: c.rgb })),
    };
    await ctx.write('labels.json', JSON.stringify(labels, null, 2));
  },
});
