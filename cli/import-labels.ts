/** `maskwright import-labels`: another tool's labels (VOC, Cityscapes, COCO, YOLO-seg) as imported labels. */
import { resolve } from 'node:path';
import { LABEL_FORMATS, type LabelFormat } from '../core/ipc/contract';
import { importLabels } from '../services/import-labels';
import { withProject, type Command } from './command';
import { err, out, UsageError } from './output';

export const importLabelsCmd: Command = {
  name: 'import-labels',
  usage: `import-labels PROJECT DIR --format ${LABEL_FORMATS.join('|')} [--create-classes]`,
  summary: "import another tool's labels as imported labels, matched to images by file name",
  help: [
    '',
    "voc         SegmentationClass/*.png; classes from labelmap.txt (colors), else VOC 2012's 21 by index",
    'cityscapes  *_labelIds.png (255 = unlabeled); classes from labels.json, else "Class N"',
    'coco        *.json: per annotation an RLE (compressed or not) or polygons; classes from categories',
    "yolo-seg    labels/**/*.txt (normalized polygons); classes from data.yaml's names",
    'Classes are matched by name. Names the project does not have are listed and nothing is applied unless',
    '--create-classes. A file with bad content (wrong size, broken RLE, a polygon outside the image, an odd',
    'number of coordinates, an unknown class id) gets one line and none of its labels. Imported labels never',
    'replace painted, propagated or predicted pixels.',
    '',
  ].join('\n'),
  options: { format: { type: 'string' }, 'create-classes': { type: 'boolean' } },
  async run([path, dir, ...extra], v) {
    if (!path || !dir || extra.length) throw new UsageError('give a project path and a folder');
    const format = v.format as LabelFormat;
    if (!(LABEL_FORMATS as readonly unknown[]).includes(format))
      throw new UsageError(`--format must be one of ${LABEL_FORMATS.join(', ')}`);
    const createClasses = v['create-classes'] === true;
    return withProject(
      path,
      async (project) => {
        const report = await importLabels(project.db, resolve(dir), format, { createClasses });
        for (const e of report.errors) err(`  error: ${e.name}: ${e.message}`);
        if (report.unknownClasses.length && !createClasses) {
          err(
            `maskwright import-labels: nothing applied: the project has no class named ${report.unknownClasses.map((n) => JSON.stringify(n)).join(', ')}. ` +
              'Add them, or rerun with --create-classes',
          );
          return 1;
        }
        out(
          `Applied labels to ${report.applied.length} image(s); created ${report.createdClasses.length} class(es); ${report.errors.length} error(s)`,
        );
        if (report.unmatched.length)
          out(`  ${report.unmatched.length} file(s) match no image of the project (skipped)`);
        return report.errors.length ? 1 : 0;
      },
      'import into it',
    );
  },
};
