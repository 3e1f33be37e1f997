/** `maskwright export`: masks, a dataset folder, or the trained model. */
import { resolve } from 'node:path';
import { EXPORT_KINDS, runExport, type ExportKind } from '../main/services/export';
import { Project } from '../main/services/project';
import { ensureDir } from '../main/services/fs-guard';
import type { Command } from './commands';
import { intOption, out, UsageError } from './output';

export const exportCmd: Command = {
  name: 'export',
  usage: 'export PROJECT --out DIR [--what masks|dataset|model] [--checkpoint ID]',
  summary: 'export label masks (default), a dataset folder, or the trained model (TF.js layers format)',
  help: [
    '',
    'masks    masks/NAME.png (indexed PNG, value = class label value, palette = class colors; 255 = unlabeled)',
    '         and previews/NAME.png (class colors, unlabeled transparent)',
    'dataset  images/, masks/ (value = class index 0..C-1, 255 = unlabeled), classes.json (names, colors,',
    '         weights, splits), train.txt, val.txt, unassigned.txt',
    'model    model.json + weights.bin (load with tf.loadLayersModel) and metadata.json (classes, colors,',
    '         input size, normalization); the newest checkpoint unless --checkpoint ID',
    '',
  ].join('\n'),
  options: { out: { type: 'string' }, what: { type: 'string' }, checkpoint: { type: 'string' } },
  async run([path, ...extra], v) {
    if (!path || extra.length) throw new UsageError('give exactly one project path');
    if (typeof v.out !== 'string') throw new UsageError('give --out DIR');
    const kind = (v.what ?? 'masks') as ExportKind;
    if (!(EXPORT_KINDS as readonly string[]).includes(kind))
      throw new UsageError(`--what must be one of ${EXPORT_KINDS.join(', ')}`);
    const checkpoint = intOption(v.checkpoint, 'checkpoint', 1, Number.MAX_SAFE_INTEGER);
    const project = Project.open(resolve(path));
    try {
      await ensureDir(resolve(v.out), 'Cannot create the export folder');
      const r = await runExport(project.db, kind, resolve(v.out), checkpoint);
      out(`Exported ${kind} to ${r.dir}: ${r.files} file(s)`);
      if (r.skipped.length) out(`  ${r.skipped.length} image(s) without labels skipped`);
      return 0;
    } finally {
      project.close();
    }
  },
};
