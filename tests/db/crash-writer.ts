/**
 * Child process for the crash test: imports images and saves label maps in a loop, printing one line
 * after each write has committed. The parent kills it with SIGKILL at a random moment.
 */
import { readFileSync } from 'node:fs';
import { saveLabelMap } from '../../db/labelmaps';
import { importImages } from '../../main/services/import-images';
import { Project } from '../../main/services/project';

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
  }
}
void run();
