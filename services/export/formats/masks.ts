/**
 * `--what masks`: masks/NAME.png (indexed PNG, value = the class's label value, palette = class colors,
 * 255 = unlabeled) and previews/NAME.png (class colors, unlabeled transparent).
 */
import sharp from 'sharp';
import { UNLABELED } from '../../../core/labelmap/types';
import { encodeIndexedMask } from '../../masks';
import type { FormatFactory } from '../types';

export const masksFormat: FormatFactory = (ctx) => {
  const colors = new Map(ctx.classes.map((c) => [c.value, c.color]));
  const lut = new Uint8Array(256 * 4);
  for (const c of ctx.classes) lut.set([...c.rgb, 255], c.value * 4);
  return {
    async image(img) {
      if (!img.values) return;
      const { width, height, values } = img;
      await ctx.write(`masks/${img.name}.png`, encodeIndexedMask(width, height, values, colors));
      const rgba = Buffer.alloc(width * height * 4);
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v !== UNLABELED) rgba.set(lut.subarray(v * 4, v * 4 + 4), i * 4);
      }
      await ctx.write(
        `previews/${img.name}.png`,
        await sharp(rgba, { raw: { width, height, channels: 4 } })
          .png()
          .toBuffer(),
      );
    },
    async finish() {},
  };
};
