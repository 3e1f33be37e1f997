/** A project with the format fixtures: four images of odd sizes, three labeled, all unassigned. */
import { addClass, reorderClasses } from '../../db/classes';
import { listImages } from '../../db/images';
import { saveLabelMap } from '../../db/labelmaps';
import { importImages } from '../../services/import-images';
import { makeImage } from './fixtures';
import { fixturePlane } from './format-fixtures';
import { tempProject } from './project';

/** Label values of the classes in display order: index i is VALUES[i]. */
export const VALUES = [9, 4, 7, 2];
export const NAMES = ['road', 'sky', 'car', 'pole/sign'];
export const COLORS = ['#804080', '#808080', '#400080', '#c0c080'];

export interface Expected {
  name: string;
  width: number;
  height: number;
  /** Class indices, 255 = unlabeled, as the export must write them (trusted labels only when asked). */
  indices: Uint8Array;
}

export const PLANES = () => [fixturePlane(), randomPlane(7, 5, 3), randomPlane(6, 4, 11), randomPlane(5, 3, 5)];

/** The images of the fixtures (same bytes every call, so two projects hold the same images). */
export async function addFixtureImages(db: ReturnType<typeof tempProject>['project']['db']) {
  const planes = PLANES();
  return importImages(
    db,
    planes.map((p, k) => ({
      name: `img${k}.${k === 1 ? 'jpg' : 'png'}`,
      read: () => makeImage(p.width, p.height, k === 1 ? 'jpeg' : 'png', k),
    })),
  );
}

export async function formatsProject() {
  const t = tempProject();
  const expected: Expected[] = [];
  const db = t.project.db;
  const planes = PLANES();
  const r = await addFixtureImages(db);
  const classes = VALUES.map((v, i) => addClass(db, NAMES[i]!, COLORS[i], v));
  reorderClasses(
    db,
    classes.map((c) => c.id),
  );
  r.imported.forEach((img, k) => {
    const p = planes[k]!;
    if (k === 3) {
      // no label map at all: exported unlabeled
      expected.push({
        name: `img${k}`,
        width: p.width,
        height: p.height,
        indices: new Uint8Array(p.values.length).fill(255),
      });
      return;
    }
    const labels = Uint8Array.from(p.values, (i) => (i === 255 ? 255 : VALUES[i]!));
    // Provenance: painted, with every fifth labeled pixel propagated (left out by "only labels you made").
    const provenance = Uint8Array.from(labels, (v, i) => (v === 255 ? 0 : i % 5 === 0 ? 2 : 1));
    saveLabelMap(db, img.id, { width: p.width, height: p.height, classes: labels, provenance });
    expected.push({ name: `img${k}`, width: p.width, height: p.height, indices: p.values });
  });
  // All unassigned: training holds out about a fifth of the labeled images by content hash, at least one.
  const labeled = listImages(db).filter((i) => i.name !== 'img3.png');
  const fraction = (sha: string) => parseInt(sha.slice(0, 8), 16) / 2 ** 32;
  let held = labeled.filter((i) => fraction(i.sha256) < 0.2);
  if (!held.length) held = [labeled.reduce((a, b) => (fraction(b.sha256) < fraction(a.sha256) ? b : a))];
  return { t, expected, valNames: held.map((i) => i.name.replace(/\.\w+$/, '')) };
}

function randomPlane(width: number, height: number, seed: number) {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  return {
    width,
    height,
    values: Uint8Array.from({ length: width * height }, () => [0, 1, 2, 3, 255][Math.floor(rand() * 5)]!),
  };
}
