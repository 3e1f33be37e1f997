/**
 * Child process for the crash test: imports images, saves label maps whole and then a stroke as a delta,
 * in a loop, printing one line after each write has committed. The parent kills it with SIGKILL at a random moment.
 */
import { readFileSync } from 'node:fs';
import { saveLabelDelta, saveLabelMap } from '../../db/labelmaps';
import { writeTransaction } from '../../db/open';
import { importImages } from '../../services/import-images';
import { Project } from '../../services/project';

const [path, imagePath] = process.argv.slice(2) as [string, string];
const project = Project.open(path);
const bytes = readFileSync(imagePath);

async function run(): Promise<void> {
  for (let i = 0; ; i++) {
    // A unique image: same pixels, different trailing bytes after the PNG's end (still a valid file).
    const unique = Buffer.concat([bytes, Buffer.from(`#${i}`)]);
    const report = await importImages(project.db, [{ name: `img${i}.png`, read: async () => unique }]);
    const id = report.imported[0]!.id;
    process.stdout.write(`image ${i} ${id}\n`);
    const w = report.imported[0]!.width;
    const h = report.imported[0]!.height;
    const classes = new Uint8Array(w * h).fill(i % 200);
    const provenance = new Uint8Array(w * h).fill(1);
    saveLabelMap(project.db, id, { width: w, height: h, classes, provenance });
    process.stdout.write(`labels ${i} ${id}\n`);
    // A stroke saved as the editor saves it: a delta over the bottom right 20x20 pixels.
    const n = 400;
    const rects = [w - 20, h - 20, 20, 20];
    const stroke = { rects, classes: new Uint8Array(n).fill((i + 1) % 200), provenance: new Uint8Array(n).fill(1) };
    writeTransaction(project.db, () => saveLabelDelta(project.db, id, stroke));
    process.stdout.write(`stroke ${i} ${id}\n`);
  }
}
void run();
