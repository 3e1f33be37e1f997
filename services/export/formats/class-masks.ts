/**
 * One binary mask per image and class: masks/NN_CLASS/NAME.png (8-bit gray, 255 = the class, 0 = not),
 * ignore/NAME.png (255 = unlabeled, 0 = labeled: a pixel 0 in every class mask is unlabeled, not a
 * negative), images/ (the originals), classes.json and train.txt, val.txt.
 */
import { UNLABELED } from '../../../core/labelmap/types';
import { encodeGrayMask } from '../../masks';
import type { FormatFactory } from '../types';
import { classFolder, originalName, splitLists } from './common';

export const classMasksFormat: FormatFactory = (ctx) => {
  const lists = splitLists();
  return {
    async image(img) {
      const { width, height, indices } = img;
      await ctx.write(`images/${originalName(img)}`, img.original());
      const plane = new Uint8Array(indices.length);
      for (const c of ctx.classes) {
        for (let i = 0; i < indices.length; i++) plane[i] = indices[i] === c.index ? 255 : 0;
        await ctx.write(`masks/${classFolder(c)}/${img.name}.png`, encodeGrayMask(width, height, plane));
      }
      for (let i = 0; i < indices.length; i++) plane[i] = indices[i] === UNLABELED ? 255 : 0;
      await ctx.write(`ignore/${img.name}.png`, encodeGrayMask(width, height, plane));
      lists.add(img);
    },
    async finish() {
      const classes = ctx.classes.map((c) => ({ index: c.index, name: c.name, color: c.rgb, folder: classFolder(c) }));
      await ctx.write('classes.json', JSON.stringify({ format: 'maskwright-class-masks-1', classes }, null, 2));
      await ctx.write('train.txt', lists.text('train'));
      await ctx.write('val.txt', lists.text('val'));
    },
  };
};
