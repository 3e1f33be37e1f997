/** `maskwright predict`: run a trained model on project images. */
import { basename, extname, join, resolve } from 'node:path';
import { ACTIVE_BASIS_WORDS } from '../core/ipc/contract';
import { AppError } from '../core/ipc/errors';
import { activeCheckpointChoice } from '../db/runs';
import { listImages } from '../db/images';
import { encodeIndexedMask } from '../services/masks';
import { makeDirs, writeFileAtomic } from '../services/out-files';
import { acceptPrediction, findCheckpoint } from '../services/predict';
import { Project } from '../services/project';
import { initBackend } from '../trainer/backend';
import { loadModel, predictProjectImage } from '../worker/predict';
import { BACKEND_CHOICES } from '../core/training/settings';
import type { Command } from './command';
import { err, intOption, out, UsageError } from './output';

export const predictCmd: Command = {
  name: 'predict',
  usage: 'predict PROJECT (--image ID | --all) [--checkpoint ID] [--out DIR] [--accept [--min-confidence C]]',
  summary:
    'predict label maps with the checkpoint in use (the best by validation mIoU, see `runs`) or a chosen one; write masks and/or accept them into the labels',
  help: [
    '',
    '--out DIR            write one indexed PNG per image (class palette; value = class label value)',
    '--accept             fill unlabeled pixels with the prediction (provenance "predicted"); labels are never overwritten',
    '--min-confidence C   accept only pixels whose predicted probability is at least C (0..1, default 0)',
    `--backend B          ${BACKEND_CHOICES.join(' | ')}`,
    'Images are listed from least to most confident, so the ones to label next come first.',
    '',
  ].join('\n'),
  options: {
    image: { type: 'string' },
    all: { type: 'boolean' },
    checkpoint: { type: 'string' },
    out: { type: 'string' },
    accept: { type: 'boolean' },
    'min-confidence': { type: 'string' },
    backend: { type: 'string' },
  },
  async run([path, ...extra], v) {
    if (!path || extra.length) throw new UsageError('give exactly one project path');
    const imageId = intOption(v.image, 'image', 1, Number.MAX_SAFE_INTEGER);
    if ((imageId === undefined) === !v.all) throw new UsageError('give either --image ID or --all');
    const checkpointId = intOption(v.checkpoint, 'checkpoint', 1, Number.MAX_SAFE_INTEGER);
    const minConf = v['min-confidence'] === undefined ? 0 : Number(v['min-confidence']);
    if (!(minConf >= 0 && minConf <= 1)) throw new UsageError('--min-confidence must be from 0 to 1');
    const backend = (v.backend ?? 'auto') as (typeof BACKEND_CHOICES)[number];
    if (!(BACKEND_CHOICES as readonly string[]).includes(backend))
      throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}`);
    if (!v.out && !v.accept) out('(neither --out nor --accept: predicting only to report confidence)');
    const project = Project.open(resolve(path));
    if (v.accept) {
      try {
        project.requireWritable('accept predictions into it');
      } catch (e) {
        project.close();
        throw e;
      }
    }
    try {
      const images = listImages(project.db).filter((i) => imageId === undefined || i.id === imageId);
      if (!images.length) throw new AppError('NOT_FOUND', `No image with id ${imageId}`);
      const c = findCheckpoint(project.db, checkpointId);
      const b = await initBackend({ backend });
      const basis = checkpointId === undefined ? activeCheckpointChoice(project.db)?.basis : undefined;
      const why = basis ? `, ${ACTIVE_BASIS_WORDS[basis]}` : '';
      out(`Checkpoint ${c.id} (run ${c.runId}, epoch ${c.epoch + 1}${why}); backend ${b.name}: ${b.detail}`);
      const { model, meta } = await loadModel(c);
      const colors = new Map(meta.classValues.map((value, i) => [value, meta.classColors[i]!]));
      if (typeof v.out === 'string') await makeDirs(resolve(v.out));
      const rows: { name: string; conf: number; written: number | null }[] = [];
      let failed = 0;
      for (const img of images) {
        let p;
        try {
          p = await predictProjectImage(project.db, model, meta, img.id);
        } catch (e) {
          // One image that cannot be read (its message names it) fails alone; the others are still predicted.
          if (!(e instanceof AppError)) throw e;
          err(`maskwright predict: ${e.message}`);
          failed++;
          continue;
        }
        if (typeof v.out === 'string') {
          const file = join(resolve(v.out), `${basename(img.name, extname(img.name))}.png`);
          await writeFileAtomic(file, encodeIndexedMask(p.width, p.height, p.values, colors));
        }
        rows.push({
          name: img.name,
          conf: p.meanConfidence,
          written: v.accept ? acceptPrediction(project.db, p, minConf) : null,
        });
      }
      model.dispose();
      rows.sort((a, b) => a.conf - b.conf);
      for (const r of rows) {
        out(
          `${r.name}: mean confidence ${(100 * r.conf).toFixed(1)}%${r.written !== null ? `, ${r.written} pixel(s) accepted` : ''}`,
        );
      }
      return failed ? 1 : 0;
    } finally {
      project.close();
    }
  },
};
