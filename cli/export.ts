/** `maskwright export`: masks, a dataset folder, or the trained model. */
import { resolve } from 'node:path';
import { DATASET_FORMATS, type DatasetFormat } from '../core/ipc/contract';
import { AppError } from '../core/ipc/errors';
import { EXPORT_KINDS, runExport, type ExportKind } from '../services/export';
import { withProject, type Command } from './command';
import { intOption, out, UsageError } from './output';

export const exportCmd: Command = {
  name: 'export',
  usage: `export PROJECT --out DIR [--what ${EXPORT_KINDS.join('|')}] [--format ${DATASET_FORMATS.join('|')}] [--polygons] [--trusted] [--checkpoint ID] [--overwrite]`,
  summary:
    'export label masks (default), a dataset folder, the trained model (TF.js layers format or ONNX), or a PyTorch training job',
  help: [
    '',
    'masks    masks/NAME.png (indexed PNG, value = class label value, palette = class colors; 255 = unlabeled)',
    '         and previews/NAME.png (class colors, unlabeled transparent)',
    'dataset  images/, masks/ (value = class index 0..C-1, 255 = unlabeled), classes.json (names, colors,',
    '         weights, splits), train.txt, val.txt, unassigned.txt; or, with --format:',
    '  voc          JPEGImages/, SegmentationClass/ (indexed PNG, 255 = unlabeled), ImageSets/Segmentation/',
    '               {train,val,trainval}.txt, labelmap.txt (as CVAT\'s "Segmentation mask 1.1" reads it: unlabeled',
    '               pixels black, declared as background)',
    '  cityscapes   leftImg8bit/SPLIT/*_leftImg8bit.png, gtFine/SPLIT/*_gtFine_labelIds.png (255 = unlabeled)',
    '               and *_gtFine_color.png, labels.json',
    '  coco         images/SPLIT/, annotations/SPLIT.json: per image and class, RLE (compressed counts) or',
    "               with --polygons the regions' outlines; unlabeled pixels in no annotation",
    '  yolo-seg     images/SPLIT/, labels/SPLIT/*.txt (a normalized polygon per connected region, holes',
    '               joined by a cut; unlabeled pixels left out), data.yaml',
    '  class-masks  masks/NN_CLASS/*.png (255 = the class), ignore/*.png (255 = unlabeled), classes.json',
    '         The split: Validation images, or those training holds out automatically, are val; the rest train.',
    '--trusted    masks and datasets: only the labels a person made (painted, imported)',
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
    format: { type: 'string' },
    polygons: { type: 'boolean' },
    trusted: { type: 'boolean' },
    checkpoint: { type: 'string' },
    overwrite: { type: 'boolean' },
  },
  async run([path, ...extra], v) {
    if (!path || extra.length) throw new UsageError('give exactly one project path');
    if (typeof v.out !== 'string') throw new UsageError('give --out DIR');
    const kind = (v.what ?? 'masks') as ExportKind;
    if (!(EXPORT_KINDS as readonly string[]).includes(kind))
      throw new UsageError(`--what must be one of ${EXPORT_KINDS.join(', ')}`);
    const format = v.format as DatasetFormat | undefined;
    if (format !== undefined && !(DATASET_FORMATS as readonly string[]).includes(format))
      throw new UsageError(`--format must be one of ${DATASET_FORMATS.join(', ')}`);
    if (format !== undefined && kind !== 'dataset') throw new UsageError('--format goes with --what dataset');
    if (v.polygons === true && format !== 'coco') throw new UsageError('--polygons goes with --format coco');
    const checkpoint = intOption(v.checkpoint, 'checkpoint', 1, Number.MAX_SAFE_INTEGER);
    const dir = resolve(v.out);
    return withProject(path, async (project) => {
      const r = await runExport(project.db, kind, dir, {
        checkpointId: checkpoint,
        overwrite: v.overwrite === true,
        format,
        polygons: v.polygons === true,
        labels: v.trusted === true ? 'trusted' : 'all',
      }).catch((e: unknown) => {
        if (e instanceof AppError && e.code === 'NOT_EMPTY') {
          throw new AppError(
            'NOT_EMPTY',
            `${e.message.replace(/; export into.*$/, '')}: give --overwrite to write into it`,
          );
        }
        throw e;
      });
      out(`Exported ${kind}${format ? ` (${format})` : ''} to ${r.dir}: ${r.files} file(s)`);
      if (r.skipped.length) out(`  ${r.skipped.length} image(s) without labels skipped`);
      return 0;
    });
  },
};
