import { resolve } from 'node:path';
import { listClasses } from '../db/classes';
import { listImages, setSplit } from '../db/images';
import { SPLITS, type Split } from '../core/ipc/contract';
import { visibleName } from '../core/ipc/errors';
import { applyClassFile, readClassFile } from '../services/class-file';
import { expandPaths, fileSource, importImages } from '../services/import-images';
import { describeUnknownValues, importMasks } from '../services/import-masks';
import { importLabelsCmd } from './import-labels';
import { Project } from '../services/project';
import { withProject, type Command } from './command';
import { evalCmd } from './eval';
import { propagateCmd } from './propagate';
import { trainCmd } from './train';
import { predictCmd } from './predict';
import { exportCmd } from './export';
import { importModelCmd } from './import-model';
import { weightsCmd } from './weights';
import { backendsCmd } from './backends';
import { runsCmd } from './runs';
import { err, intOption, out, outJson, pct, UsageError } from './output';

const create: Command = {
  name: 'create',
  usage: 'create PROJECT',
  summary: 'create an empty project file (PROJECT ends in .maskwright)',
  options: {},
  async run([path, ...extra]) {
    if (!path || extra.length) throw new UsageError('give exactly one project path');
    const project = Project.create(resolve(path));
    project.close();
    out(`Created ${project.path}`);
    return 0;
  },
};

const importCmd: Command = {
  name: 'import',
  usage:
    'import PROJECT PATHS... [--masks DIR [--create-classes]] [--void N] [--classes FILE] [--split S] [--follow-symlinks]',
  summary: 'import images (files or folders); with --masks, also their label masks',
  help: [
    '',
    'Images: PNG, JPEG, TIFF, WebP; folders are searched recursively. Duplicates (same bytes) are skipped.',
    '--masks DIR  label PNGs (value = class index, 255 = unlabeled) matched to images by file name',
    '--void N     a mask value that also means unlabeled (e.g. 11 for CamVid)',
    '--create-classes  create "Class N" for mask values that match no class (without it, such masks are',
    '             listed with their pixel counts and nothing is applied)',
    '--classes F  classes.json with names and colors: {"classes": [{"index", "name", "color": [r,g,b]}], "void_index"}',
    '--split S    put the imported images in split S: train, val or unassigned',
    '--follow-symlinks  also search folders that links lead to outside the given folders (links to files',
    '             and links that stay inside are always followed; each folder is searched once)',
    '',
    'Example (a dataset in one command):',
    '  maskwright import camvid.maskwright CamVid/train --masks CamVid/trainannot --classes CamVid/classes.json --split train',
    '',
  ].join('\n'),
  options: {
    masks: { type: 'string' },
    void: { type: 'string' },
    classes: { type: 'string' },
    split: { type: 'string' },
    'create-classes': { type: 'boolean' },
    'follow-symlinks': { type: 'boolean' },
  },
  async run([path, ...paths], values) {
    if (!path) throw new UsageError('give a project path');
    let voidValue = intOption(values.void, 'void', 0, 255);
    if (voidValue !== undefined && values.masks === undefined) throw new UsageError('--void needs --masks');
    if (!paths.length && values.masks === undefined && values.classes === undefined) {
      throw new UsageError('give images to import');
    }
    const split = values.split;
    if (split !== undefined && !(SPLITS as readonly unknown[]).includes(split)) {
      throw new UsageError(`--split must be one of ${SPLITS.join(', ')}`);
    }
    if (split !== undefined && !paths.length) throw new UsageError('--split needs images to import');
    const classFile = typeof values.classes === 'string' ? await readClassFile(resolve(values.classes)) : undefined;
    voidValue ??= classFile?.voidValue;
    return withProject(
      path,
      async (project) => {
        let failed = 0;
        if (classFile) out(`Defined ${applyClassFile(project.db, classFile)} class(es) from ${values.classes}`);
        if (paths.length) {
          const { files, errors, notFollowed } = await expandPaths(
            paths.map((p) => resolve(p)),
            { followLinks: values['follow-symlinks'] === true },
          );
          const tty = process.stderr.isTTY;
          const report = await importImages(project.db, files.map(fileSource), (done, total) => {
            if (tty) process.stderr.write(`\rImporting ${done}/${total}`);
          });
          if (tty && files.length) process.stderr.write('\n');
          const all = [...errors, ...report.errors];
          out(
            `Imported ${report.imported.length} image(s); skipped ${report.duplicates.length} duplicate(s); ${all.length} error(s)`,
          );
          for (const d of report.duplicates) out(`  duplicate: ${d.name} (same as ${d.existingName})`);
          if (notFollowed.length)
            out(
              `  not followed: ${notFollowed.join(', ')} (folder links leading out of the folder; --follow-symlinks follows them)`,
            );
          if (split !== undefined && report.imported.length) {
            setSplit(
              project.db,
              report.imported.map((i) => i.id),
              split as Split,
            );
          }
          for (const e of all) err(`  error: ${visibleName(e.name)}: ${e.message}`);
          failed += all.length;
        }
        if (typeof values.masks === 'string') {
          const createClasses = values['create-classes'] === true;
          const report = await importMasks(project.db, [resolve(values.masks)], { voidValue, createClasses });
          if (report.unknownValues.length && !createClasses) {
            for (const e of report.errors) err(`  error: ${visibleName(e.name)}: ${e.message}`);
            err(
              `maskwright import: no mask applied: mask values match no class: ${describeUnknownValues(report.unknownValues)}. ` +
                'Define them with --classes FILE, or rerun with --create-classes to create "Class N" for each',
            );
            return 1;
          }
          out(
            `Applied ${report.applied.length} mask(s); created ${report.createdClasses.length} class(es); ${report.errors.length} error(s)`,
          );
          if (report.unmatched.length)
            out(`  ${report.unmatched.length} mask(s) match no image of the project (skipped)`);
          for (const e of report.errors) err(`  error: ${visibleName(e.name)}: ${e.message}`);
          failed += report.errors.length;
        }
        return failed ? 1 : 0;
      },
      'import into it',
    );
  },
};

const info: Command = {
  name: 'info',
  usage: 'info PROJECT [--json]',
  summary: 'summarize a project: images, splits, classes, labeled pixels',
  options: { json: { type: 'boolean' } },
  async run([path, ...extra], values) {
    if (!path || extra.length) throw new UsageError('give exactly one project path');
    return withProject(path, (project) => {
      const images = listImages(project.db);
      const classes = listClasses(project.db);
      const splits = { train: 0, val: 0, unassigned: 0 };
      let pixels = 0;
      let labeled = 0;
      for (const img of images) {
        splits[img.split]++;
        pixels += img.width * img.height;
        labeled += img.labeledFraction * img.width * img.height;
      }
      const summary = {
        ...project.info(),
        splits,
        labeledFraction: pixels ? labeled / pixels : 0,
        classes,
        images,
      };
      if (values.json) {
        outJson(summary);
        return 0;
      }
      out(`Project   ${summary.name} (${summary.path})`);
      out(`Schema    ${summary.schemaVersion}`);
      out(`Images    ${images.length} (train ${splits.train}, val ${splits.val}, unassigned ${splits.unassigned})`);
      out(`Labeled   ${pct(summary.labeledFraction)} of all pixels`);
      out(`Classes   ${classes.length}`);
      if (project.readOnly) out(`Read-only ${project.readOnly}: viewing and export work, editing is off`);
      for (const c of classes) out(`  ${String(c.value).padStart(3)}  ${c.color}  ${c.name}`);
      return 0;
    });
  },
};

export const COMMANDS: readonly Command[] = [
  create,
  importCmd,
  info,
  propagateCmd,
  trainCmd,
  runsCmd,
  predictCmd,
  exportCmd,
  importLabelsCmd,
  importModelCmd,
  evalCmd,
  weightsCmd,
  backendsCmd,
];
