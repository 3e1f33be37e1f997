/**
 * Pascal VOC segmentation, as CVAT's "Segmentation mask 1.1" reads it: JPEGImages/NAME.jpg,
 * SegmentationClass/NAME.png (indexed PNG: index = class index, palette = class colors, 255 = unlabeled
 * in VOC's void color), ImageSets/Segmentation/{train,val,trainval}.txt and labelmap.txt
 * (`name:r,g,b::` per class, in index order).
 */
import type { FormatFactory } from '../types';
import { imageAs, indexPng, splitLists } from './common';

export const vocFormat: FormatFactory = (ctx) => {
  const lists = splitLists();
  return {
    async image(img) {
      await ctx.write(`JPEGImages/${img.name}.jpg`, await imageAs(img, 'jpeg'));
      await ctx.write(`SegmentationClass/${img.name}.png`, indexPng(img.width, img.height, img.indices, ctx.classes));
      lists.add(img);
    },
    async finish() {
      const labelmap = ['# label:color_rgb:parts:actions', ...ctx.classes.map((c) => `${c.name}:${c.rgb.join(',')}::`)];
      await ctx.write('labelmap.txt', `${labelmap.join('\n')}\n`);
      await ctx.write('ImageSets/Segmentation/train.txt', lists.text('train'));
      await ctx.write('ImageSets/Segmentation/val.txt', lists.text('val'));
      await ctx.write('ImageSets/Segmentation/trainval.txt', lists.text('train') + lists.text('val'));
    },
  };
};
