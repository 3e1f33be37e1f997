/**
 * Pascal VOC segmentation, as CVAT's "Segmentation mask 1.1" reads it: JPEGImages/NAME.jpg,
 * SegmentationClass/NAME.png (indexed PNG: index = class index, palette = class colors, 255 = unlabeled),
 * ImageSets/Segmentation/{train,val,trainval}.txt and labelmap.txt (`name:r,g,b::` per class, in index
 * order). CVAT reads masks by color and refuses a color labelmap.txt does not declare; its "no label" is
 * `background:0,0,0`, so unlabeled pixels are black and labelmap.txt declares background first, unless a
 * class is itself named background (then unlabeled pixels get VOC's void color).
 */
import type { FormatFactory } from '../types';
import { imageAs, indexPng, splitLists, VOID_RGB } from './common';

export const vocFormat: FormatFactory = (ctx) => {
  const lists = splitLists();
  const ownBackground = ctx.classes.some((c) => c.name.toLowerCase() === 'background');
  const unlabeledRgb: [number, number, number] = ownBackground ? VOID_RGB : [0, 0, 0];
  return {
    async image(img) {
      await ctx.write(`JPEGImages/${img.name}.jpg`, await imageAs(img, 'jpeg'));
      await ctx.write(
        `SegmentationClass/${img.name}.png`,
        indexPng(img.width, img.height, img.indices, ctx.classes, unlabeledRgb),
      );
      lists.add(img);
    },
    async finish() {
      const labelmap = [
        '# label:color_rgb:parts:actions',
        ...(ownBackground ? [] : ['background:0,0,0::']),
        ...ctx.classes.map((c) => `${c.name}:${c.rgb.join(',')}::`),
      ];
      await ctx.write('labelmap.txt', `${labelmap.join('\n')}\n`);
      await ctx.write('ImageSets/Segmentation/train.txt', lists.text('train'));
      await ctx.write('ImageSets/Segmentation/val.txt', lists.text('val'));
      await ctx.write('ImageSets/Segmentation/trainval.txt', lists.text('train') + lists.text('val'));
    },
  };
};
