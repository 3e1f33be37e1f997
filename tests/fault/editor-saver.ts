/**
 * Child process for the fault suite: saves painted strokes into one image's label map as the editor does
 * (load, paint, `labels.saveChanges` with the stroke's rectangle and the revision it loaded; on a revision
 * conflict it reloads and paints again). Prints `stroke K X Y CLASS` after each committed save, `busy MESSAGE` for every save the database
 * refused, and `done` at the end. Strokes are 3x3 squares on a grid with gaps, so none overlaps another.
 *
 * argv: project path, image id, number of strokes, start cell (strokes use cells start, start+1, ...),
 * pause between strokes in ms (default 2).
 */
import { AppError } from '../../core/ipc/errors';
import { readDelta } from '../../core/labelmap/delta';
import { Provenance } from '../../core/labelmap/types';
import { loadLabels, saveLabelChanges } from '../../services/labels';
import { Project } from '../../services/project';

const [path, imageArg, countArg, startArg] = process.argv.slice(2) as [string, string, string, string | undefined];
const imageId = Number(imageArg);
const count = Number(countArg);
const start = Number(startArg ?? 0);
const pauseMs = Number(process.argv[6] ?? 2);
const project = Project.open(path);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(): Promise<void> {
  for (let k = start; k < start + count; k++) {
    for (;;) {
      const map = loadLabels(project.db, imageId);
      const perRow = Math.floor(map.width / 5);
      const x = (k % perRow) * 5 + 1;
      const y = Math.floor(k / perRow) * 5 + 1;
      const cls = k % 2;
      for (let dy = 0; dy < 3; dy++) {
        for (let dx = 0; dx < 3; dx++) {
          const i = (y + dy) * map.width + x + dx;
          map.classes[i] = cls;
          map.provenance[i] = Provenance.Painted;
        }
      }
      try {
        saveLabelChanges(project.db, {
          imageId,
          ...readDelta(map, [{ x, y, width: 3, height: 3 }]),
          baseRevision: map.revision,
        });
        process.stdout.write(`stroke ${k} ${x} ${y} ${cls}\n`);
        break;
      } catch (err) {
        if (err instanceof AppError && err.code === 'CONFLICT') continue; // as the editor: reload, paint again
        process.stdout.write(`busy ${(err as Error).message.replace(/\s+/g, ' ')}\n`);
      }
    }
    await sleep(pauseMs);
  }
  project.close();
  process.stdout.write('done\n');
}
void run();
