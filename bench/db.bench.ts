/**
 * Label-map storage at 6000x4000 (24 MP): save and load times of the compressed format, beside a
 * reference measured in the same run: the same planes written uncompressed to the same SQLite file.
 * Run: node scripts/run-ts.mjs bench/db.bench.ts
 */
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { insertImage } from '../db/images';
import { loadLabelMap, saveLabelMap } from '../db/labelmaps';
import { Project } from '../services/project';

const W = 6000;
const H = 4000;
const REPS = 5;

/** A realistic label map: painted blobs, a propagated fill, unlabeled background. */
function realisticMap() {
  const classes = new Uint8Array(W * H).fill(255);
  const provenance = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const band = Math.floor((y + 40 * Math.sin(x / 300)) / 500);
      if (y > H * 0.2) {
        classes[i] = band % 7;
        provenance[i] = (x * 7 + y * 13) % 97 < 3 ? 1 : 2;
      }
    }
  }
  return { width: W, height: H, classes, provenance };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

const dir = mkdtempSync(join(tmpdir(), 'mw-bench-'));
try {
  const project = Project.create(join(dir, 'bench.maskwright'));
  const db = project.db;
  const id = insertImage(db, {
    name: 'big.png',
    sha256: 'f'.repeat(64),
    format: 'png',
    width: W,
    height: H,
    orientation: 1,
    original: new Uint8Array([1]),
    thumbnail: new Uint8Array([1]),
    thumbnailMime: 'image/jpeg',
  });
  const map = realisticMap();
  db.exec('CREATE TABLE raw_ref (id INTEGER PRIMARY KEY, classes BLOB, provenance BLOB)');
  const rawSave = db.prepare('INSERT OR REPLACE INTO raw_ref VALUES (1, ?, ?)');
  const rawLoad = db.prepare('SELECT classes, provenance FROM raw_ref WHERE id = 1');

  const save: number[] = [];
  const load: number[] = [];
  const refSave: number[] = [];
  const refLoad: number[] = [];
  for (let r = 0; r < REPS; r++) {
    save.push(time(() => saveLabelMap(db, id, map)));
    load.push(time(() => loadLabelMap(db, id)));
    refSave.push(time(() => rawSave.run(map.classes, map.provenance)));
    refLoad.push(time(() => rawLoad.get()));
  }
  // the map's tiles (schema 4) and any whole-map blobs (earlier schemas)
  const stored = db
    .prepare(
      `SELECT (SELECT coalesce(sum(length(data)), 0) FROM label_tiles) +
              (SELECT sum(length(classes) + length(provenance)) FROM label_maps) AS n`,
    )
    .get() as { n: number };
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  console.log(`Label map ${W}x${H} (${(W * H) / 1e6} MP), median of ${REPS}, synchronous=FULL, WAL`);
  console.log(
    `  save   ${ms(median(save)).padStart(10)}   reference (uncompressed) ${ms(median(refSave)).padStart(10)}   ratio ${(median(save) / median(refSave)).toFixed(2)}x`,
  );
  console.log(
    `  load   ${ms(median(load)).padStart(10)}   reference (uncompressed) ${ms(median(refLoad)).padStart(10)}   ratio ${(median(load) / median(refLoad)).toFixed(2)}x`,
  );
  console.log(
    `  stored ${(stored.n / 1e6).toFixed(2)} MB vs ${((2 * W * H) / 1e6).toFixed(0)} MB raw (${((2 * W * H) / stored.n).toFixed(0)}x smaller)`,
  );
  project.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
