/** Test images made from raw pixels in the test itself: two distinct small images and a corrupt file. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

export interface Fixture {
  name: string;
  path: string;
  bytes: Buffer;
  type: string;
}

/** A width x height RGB gradient; `seed` changes the colors so images differ. */
function gradient(width: number, height: number, seed: number): Buffer {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      px[i] = (x * 4 + seed * 40) & 255;
      px[i + 1] = (y * 5 + seed * 90) & 255;
      px[i + 2] = ((x + y) * 2 + seed * 150) & 255;
    }
  }
  return px;
}

export async function makeFixtures(
  dir: string,
): Promise<{ png: Fixture; jpeg: Fixture; corrupt: Fixture; all: Fixture[] }> {
  const raw = { width: 64, height: 48, channels: 3 as const };
  const pngBytes = await sharp(gradient(64, 48, 1), { raw })
    .png()
    .toBuffer();
  const jpegBytes = await sharp(gradient(64, 48, 2), { raw })
    .jpeg({ quality: 90 })
    .toBuffer();
  // A JPEG cut in half: the header reads fine, the pixels do not.
  const fullJpeg = await sharp(gradient(64, 48, 3), { raw })
    .jpeg({ quality: 90 })
    .toBuffer();
  const corruptBytes = fullJpeg.subarray(0, Math.floor(fullJpeg.length / 2));

  const write = (name: string, bytes: Buffer, type: string): Fixture => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return { name, path, bytes, type };
  };
  const png = write('meadow.png', pngBytes, 'image/png');
  const jpeg = write('harbor.jpg', jpegBytes, 'image/jpeg');
  const corrupt = write('broken.jpg', corruptBytes, 'image/jpeg');
  return { png, jpeg, corrupt, all: [png, jpeg, corrupt] };
}
