/** `maskwright propagate`: fill unlabeled pixels from scribbles, on plain files or on a project. */
import { MAX_IMAGE_FILE_BYTES, MAX_MASK_FILE_BYTES, readRegularFile } from '../services/fs-guard';
import { resolve } from 'node:path';
import { AppError, visibleName } from '../core/ipc/errors';
import type { PropagationOptions } from '../core/propagation/types';
import { listImages } from '../db/images';
import { decodeMask, encodeGrayMask } from '../services/masks';
import { writeFileAtomic } from '../services/out-files';
import { decodeRgb } from '../services/decode';
import { propagateProjectImage, runPropagation } from '../services/propagate';
import { withProject, type Command } from './command';
import { err, intOption, numberOption, out, UsageError } from './output';

const describe = (r: { converged: boolean; iterations: number; residual: number; warnings: string[] }) =>
  `${r.converged ? 'converged' : 'NOT converged'} after ${r.iterations} iteration(s), residual ${r.residual.toExponential(2)}` +
  (r.warnings.length ? `; ${r.warnings.join('; ')}` : '');

export const propagateCmd: Command = {
  name: 'propagate',
  usage:
    'propagate (--image IMG --scribbles PNG --out PNG [--confidence PNG] | PROJECT [--image ID]) [--beta B] [--threshold T]',
  summary: 'fill unlabeled pixels by label propagation from scribbles (files) or from painted labels (project)',
  help: [
    '',
    'On files: SCRIBBLES is a PNG with the class index per pixel and 255 = unlabeled; the output PNG holds a',
    'class index per pixel (255 where confidence is below --threshold); --confidence writes confidence x 255.',
    'On a project: every image with labels (or image ID) is filled; painted, imported and accepted labels',
    'are kept, earlier propagated labels are replaced.',
    '--beta B       edge contrast sensitivity (default tuned; any value from 1e-6 to 1e6 is safe)',
    '--threshold T  minimum confidence (0..1) to label a pixel (default 0: label every pixel)',
    '',
  ].join('\n'),
  options: {
    image: { type: 'string' },
    scribbles: { type: 'string' },
    out: { type: 'string' },
    confidence: { type: 'string' },
    beta: { type: 'string' },
    threshold: { type: 'string' },
  },
  async run(positionals, values) {
    const beta = numberOption(values.beta, 'beta', 1e-6, 1e6);
    const threshold = numberOption(values.threshold, 'threshold', 0, 1);
    const options: PropagationOptions = {
      ...(beta !== undefined ? { beta } : {}),
      ...(threshold !== undefined ? { confidenceThreshold: threshold } : {}),
    };
    if (positionals.length > 1) throw new UsageError(`unexpected argument ${positionals[1]}`);
    const [projectPath] = positionals;
    if (projectPath) {
      if (values.scribbles !== undefined || values.out !== undefined || values.confidence !== undefined) {
        throw new UsageError('--scribbles, --out and --confidence are for plain files, not a project');
      }
      const imageId = intOption(values.image, 'image', 1, Number.MAX_SAFE_INTEGER);
      return withProject(
        projectPath,
        async (project) => {
          const ids =
            imageId !== undefined
              ? [imageId]
              : listImages(project.db)
                  .filter((i) => i.labeledFraction > 0)
                  .map((i) => i.id);
          if (!ids.length) throw new AppError('INVALID_INPUT', 'No image has labels yet: paint a few strokes first');
          let failed = 0;
          for (const id of ids) {
            const name = listImages(project.db).find((i) => i.id === id)?.name ?? `image ${id}`;
            try {
              const r = await propagateProjectImage(project.db, id, options);
              out(`${name}: ${r.changedPixels} pixel(s) changed; ${describe(r.result)}`);
            } catch (e) {
              if (!(e instanceof AppError)) throw e;
              err(`  error: ${visibleName(name)}: ${e.message}`);
              failed++;
            }
          }
          return failed ? 1 : 0;
        },
        'save propagated labels into it',
      );
    }
    if (typeof values.image !== 'string' || typeof values.scribbles !== 'string' || typeof values.out !== 'string') {
      throw new UsageError('give PROJECT, or --image IMG --scribbles PNG --out PNG');
    }
    const image = await decodeRgb(await readRegularFile(resolve(values.image), MAX_IMAGE_FILE_BYTES));
    const scribbles = decodeMask(await readRegularFile(resolve(values.scribbles), MAX_MASK_FILE_BYTES));
    if (scribbles.width !== image.width || scribbles.height !== image.height) {
      throw new AppError(
        'INVALID_INPUT',
        `Scribbles are ${scribbles.width}x${scribbles.height} but the image is ${image.width}x${image.height}`,
      );
    }
    const t0 = performance.now();
    const result = runPropagation(image, scribbles.values, options);
    const ms = performance.now() - t0;
    await writeFileAtomic(resolve(values.out), encodeGrayMask(image.width, image.height, result.labels));
    if (typeof values.confidence === 'string') {
      const conf = new Uint8Array(result.confidence.length);
      for (let i = 0; i < conf.length; i++) conf[i] = Math.round(255 * result.confidence[i]!);
      await writeFileAtomic(resolve(values.confidence), encodeGrayMask(image.width, image.height, conf));
    }
    out(`Wrote ${values.out} (${image.width}x${image.height}) in ${ms.toFixed(0)} ms; ${describe(result)}`);
    return 0;
  },
};
