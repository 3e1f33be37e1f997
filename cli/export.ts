/** `maskwright export`: masks, a dataset folder, or the trained model. */
import { resolve } from 'node:path';
import { AppError } from '../core/ipc/errors';
import { EXPORT_KINDS, runExport, type ExportKind } from '../main/services/export';
import { withProject, type Command } from './command';
import { intOption, out, UsageError } from './output';

export const exportCmd: Command = {
  name: 'export',
  usage: 'export PROJECT --out DIR [--what masks|dataset|model|onnx|pytorch-job] [--checkpoint ID] [--overwrite]',
  summary: 'export label masks (default), a dataset folder, or the trained model (TF.js layers format or ONNX)',
  help: [
    '',
    'masks    masks/NAME.png (indexed PNG, value = class label value, palette = class colors; 255 = unlabeled)',
    '         and previews/NAME.png (class colors, unlabeled transparent)',
    'dataset  images/, masks/ (value = class index 0..C-1, 255 = unlabeled), classes.json (names, colors,',
    '         weights, splits), train.txt, val.txt, unassigned.txt',
    'model    model.json + weights.bin (load with tf.loadLayersModel) and metadata.json (classes, colors,',
    '         input size, normalization); the checkpoint in use (see `maskwright runs`) unless --checkpoint ID',
    'onnx     model.onnx (ONNX opset 13, NCHW: input "image" float32 [N, 3, H, W] normalized, output "logits"',
    '         [N, C, H, W]; H and W multiples of the input multiple) and metadata.json; class names, input size',
    "         rule and normalization are also in the model's metadata_props (maskwright.*)",
    'pytorch-job  train.py (PyTorch DistributedDataParallel under torchrun, CUDA or CPU), job.json (classes,',
    '         weights, model, settings, split), arrays/ (the samples at the working size), dataset/ and README.md;',
    '         with --checkpoint ID the job starts from that checkpoint. Bring the result back with import-model',
    '--overwrite  write into a folder that already holds files (same-named files are replaced); without it',
    '             such a folder is refused. Each file is written under a temporary name and renamed when',
    '             complete, so a full disk or a missing permission leaves no half-written file.',
    '',
  ].join('\n'),
  options: {
    out: { type: 'string' },
    what: { type: 'string' },
    checkpoint: { type: 'string' },
    overwrite: { type: 'boolean' },
  },
  async run([path, ...extra], v) {
    if (!path || extra.length) throw new UsageError('give exactly one project path');
    if (typeof v.out !== 'string') throw new UsageError('give --out DIR');
    const kind = (v.what ?? 'masks') as ExportKind;
    if (!(EXPORT_KINDS as readonly string[]).includes(kind))
      throw new UsageError(`--what must be one of ${EXPORT_KINDS.join(', ')}`);
    const checkpoint = intOption(v.checkpoint, 'checkpoint', 1, Number.MAX_SAFE_INTEGER);
    const dir = resolve(v.out);
    return withProject(path, async (project) => {
      const r = await runExport(project.db, kind, dir, {
        checkpointId: checkpoint,
        overwrite: v.overwrite === true,
      }).catch((e: unknown) => {
        if (e instanceof AppError && e.code === 'NOT_EMPTY') {
          throw new AppError(
            'NOT_EMPTY',
            `${e.message.replace(/; export into.*$/, '')}: give --overwrite to write into it`,
          );
        }
        throw e;
      });
      out(`Exported ${kind} to ${r.dir}: ${r.files} file(s)`);
      if (r.skipped.length) out(`  ${r.skipped.length} image(s) without labels skipped`);
      return 0;
    });
  },
};
