/**
 * Editor benchmark at 24 MP (6000x4000): cost per pointer move (brush paint + renderRect of the
 * dirty rect), per stroke commit (undo entry creation), and memory held by 100 undo steps, each
 * beside a naive baseline measured in the same run (full-image render per move, full-image snapshot
 * per undo step); and per stroke save at 24 MP and 100 MP (bytes sent, main's handler time) as a
 * delta beside the whole-map save. Run: node scripts/run-ts.mjs bench/editor/editor.bench.ts
 * Exits 1 if a goal (move < 4 ms, commit < 50 ms, 24 MP save handler < 50 ms, all at p95; a save
 * sends at most the stroke's tiles) is missed, or the delta-saved map differs from the whole-saved one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { freemem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { StrokeSession } from '../../core/labelmap/brush';
import { floodFill } from '../../core/labelmap/fill';
import { fillPolygon } from '../../core/labelmap/polygon';
import { LabelHistory } from '../../core/labelmap/history';
import { renderRect } from '../../core/labelmap/render';
import type { RgbaBuffer } from '../../core/labelmap/render';
import { ChangedRegion, readDelta } from '../../core/labelmap/delta';
import { createLabelMap } from '../../core/labelmap/types';
import type { LabelMap } from '../../core/labelmap/types';
import type { EditEntry } from '../../core/labelmap/patch';
import { addClass } from '../../db/classes';
import { insertImage } from '../../db/images';
import { loadLabelMap } from '../../db/labelmaps';
import { saveLabelChanges, saveLabels } from '../../services/labels';
import { Project } from '../../services/project';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const W = 6000;
const H = 4000;
const BRUSH = 30;
const GOAL_MOVE_MS = 4;
const GOAL_COMMIT_MS = 50;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A smooth random walk of `n` pointer positions with steps of `step` px, kept inside a w x h image. */
function strokePath(rand: () => number, n: number, step: number, W: number, H: number): number[][] {
  let x = 200 + rand() * (W - 400);
  let y = 200 + rand() * (H - 400);
  let heading = rand() * 2 * Math.PI;
  const pts: number[][] = [];
  for (let k = 0; k < n; k++) {
    pts.push([x, y]);
    heading += (rand() - 0.5) * 0.4;
    x += Math.cos(heading) * step * (0.7 + 0.6 * rand());
    y += Math.sin(heading) * step * (0.7 + 0.6 * rand());
    if (x < 50 || x > W - 50) heading = Math.PI - heading;
    if (y < 50 || y > H - 50) heading = -heading;
    x = Math.min(W - 50, Math.max(50, x));
    y = Math.min(H - 50, Math.max(50, y));
  }
  return pts;
}

const path = (rand: () => number, n: number, step: number) => strokePath(rand, n, step, W, H);

function stats(ms: number[]): { mean: number; p50: number; p95: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { mean: ms.reduce((a, b) => a + b, 0) / ms.length, p50: at(0.5), p95: at(0.95), max: s[s.length - 1]! };
}

const f = (v: number, d = 3) => v.toFixed(d);
const mib = (b: number) => `${f(b / 2 ** 20, 1)} MiB`;
const fmt = (s: ReturnType<typeof stats>) => `mean ${f(s.mean)}  p50 ${f(s.p50)}  p95 ${f(s.p95)}  max ${f(s.max)} ms`;

// --- setup: a partly labeled 24 MP map, a 256-colour palette, a full-size RGBA overlay buffer
const map: LabelMap = createLabelMap(W, H);
for (let y = 0; y < H; y++) {
  if (y % 1000 < 500) map.classes.fill(y % 3, y * W, y * W + W / 2);
  if (y % 1000 < 500) map.provenance.fill(4, y * W, y * W + W / 2);
}
const palette = new Uint8Array(256 * 4).map((_, j) => (j % 4 === 3 ? 255 : (j * 37) & 255));
const overlay: RgbaBuffer = { data: new Uint8ClampedArray(W * H * 4), width: W, height: H };
const full = { x: 0, y: 0, width: W, height: H };
renderRect(map, full, palette, overlay);

/** Paints one stroke; returns per-move times (paint + render of what the move returned) and commit time. */
function timedStroke(pts: number[][], value: number, naive: boolean): { moves: number[]; commit: number } {
  const s = new StrokeSession(map, { diameter: BRUSH, value });
  const moves: number[] = [];
  for (const [x, y] of pts) {
    const t0 = performance.now();
    const dirty = s.addPoint(x!, y!);
    if (naive) renderRect(map, full, palette, overlay, { opacity: 0.6 });
    else if (dirty) renderRect(map, dirty, palette, overlay, { opacity: 0.6 });
    moves.push(performance.now() - t0);
  }
  const t0 = performance.now();
  const entry = s.commit();
  const commit = performance.now() - t0;
  if (entry) history.push(entry);
  return { moves, commit };
}

const rand = rng(2024);
const history = new LabelHistory(map, { budgetBytes: 4 * 2 ** 30 });
console.log(
  `Maskwright editor bench: ${W}x${H} (${f((W * H) / 1e6, 1)} MP), brush ${BRUSH} px, Node ${process.version}`,
);

// warm-up (JIT), not measured
for (let k = 0; k < 3; k++) timedStroke(path(rand, 200, 4), 5, false);
timedStroke(path(rand, 3, 4), 5, true);
history.clear();

// --- per move: short segments (3-5 px per pointer event)
const ours = { moves: [] as number[], commits: [] as number[] };
for (let k = 0; k < 20; k++) {
  const r = timedStroke(path(rand, 200, 4), k % 5, false);
  ours.moves.push(...r.moves);
  ours.commits.push(r.commit);
}
const naiveMoves: number[] = [];
for (let k = 0; k < 2; k++) naiveMoves.push(...timedStroke(path(rand, 15, 4), 6, true).moves);
const fast = timedStroke(path(rand, 200, 40), 7, false).moves;

// --- per commit: also a long stroke across the image (2000 moves), and the naive full snapshot
const longCommits: number[] = [];
for (let k = 0; k < 3; k++) longCommits.push(timedStroke(path(rand, 2000, 6), 8, false).commit);
const naiveCommits: number[] = [];
for (let k = 0; k < 5; k++) {
  const t0 = performance.now();
  const snap = { classes: map.classes.slice(), provenance: map.provenance.slice() };
  naiveCommits.push(performance.now() - t0);
  if (snap.classes.length !== W * H) throw new Error('unreachable');
}

// --- memory: 100 undo steps (strokes of 100 moves), measured as ArrayBuffer memory after GC
history.clear();
gc();
const base = process.memoryUsage().arrayBuffers;
for (let k = 0; k < 100; k++) timedStroke(path(rand, 100, 4), k % 10, false);
gc();
const held = process.memoryUsage().arrayBuffers - base;
const heldCounted = history.bytes;
if (history.undoDepth !== 100) throw new Error(`expected 100 undo steps, got ${history.undoDepth}`);
history.clear();
gc();
// naive: one full-image snapshot (classes + provenance) per undo step; 20 are allocated and measured
// (fewer if memory is short), then scaled to 100
const snapBytes = 2 * W * H;
const naiveSteps = Math.max(1, Math.min(20, Math.floor((freemem() * 0.5) / snapBytes)));
const base2 = process.memoryUsage().arrayBuffers;
const snaps: Uint8Array[] = [];
for (let k = 0; k < naiveSteps; k++) snaps.push(map.classes.slice(), map.provenance.slice());
gc();
const naiveHeld = ((process.memoryUsage().arrayBuffers - base2) * 100) / naiveSteps;
snaps.length = 0;

// --- large one-shot edits (informational): fill a region covering the whole image, a 2000-vertex lasso
const fillMs: number[] = [];
const undoMs: number[] = [];
const lassoMs: number[] = [];
const blank = { classes: map.classes.slice(), provenance: map.provenance.slice() };
map.classes.fill(255);
map.provenance.fill(0);
for (let k = 0; k < 3; k++) {
  let t0 = performance.now();
  history.push(floodFill(map, 10, 10, { value: k }));
  fillMs.push(performance.now() - t0);
  t0 = performance.now();
  history.undo();
  undoMs.push(performance.now() - t0);
  const lasso: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const a = (i / 2000) * 2 * Math.PI;
    const r = 1500 + 300 * Math.sin(13 * a);
    lasso.push(3000 + r * Math.cos(a), 2000 + r * Math.sin(a));
  }
  t0 = performance.now();
  history.push(fillPolygon(map, lasso, { value: 3 }));
  lassoMs.push(performance.now() - t0);
  history.undo();
}
map.classes.set(blank.classes);
map.provenance.set(blank.provenance);

const m = stats(ours.moves);
const nm = stats(naiveMoves);
const c = stats(ours.commits);
const lc = stats(longCommits);
const nc = stats(naiveCommits);
const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
console.log(`\nper pointer move (paint + renderRect of the dirty rect), ${ours.moves.length} moves of 3-5 px:`);
console.log(`  ours   ${fmt(m)}`);
console.log(`  naive  ${fmt(nm)}   (same paint + full-image render, ${naiveMoves.length} moves)`);
console.log(
  `  ratio  naive/ours = ${f(nm.mean / m.mean, 0)}x (mean)   goal p95 < ${GOAL_MOVE_MS} ms: ${pass(m.p95 < GOAL_MOVE_MS)}`,
);
console.log(`  fast moves of 28-52 px: ${fmt(stats(fast))}`);
console.log(`\nper stroke commit (undo entry creation):`);
console.log(`  ours   ${fmt(c)}   (strokes of 200 moves)`);
console.log(`  ours   ${fmt(lc)}   (strokes of 2000 moves across the image)`);
console.log(`  naive  ${fmt(nc)}   (full-image snapshot of both planes)`);
console.log(
  `  ratio  naive/ours = ${f(nc.mean / c.mean, 0)}x (mean, 200-move strokes)   goal p95 < ${GOAL_COMMIT_MS} ms: ${pass(c.p95 < GOAL_COMMIT_MS && lc.p95 < GOAL_COMMIT_MS)}`,
);
console.log(`\nmemory held by 100 undo steps (strokes of 100 moves, brush ${BRUSH}):`);
console.log(`  ours   ${mib(held)} measured (entry planes ${mib(heldCounted)})`);
console.log(
  `  naive  ${mib(naiveHeld)} (100 full snapshots${naiveSteps < 100 ? `, extrapolated from ${naiveSteps}` : ''})`,
);
console.log(`  ratio  naive/ours = ${f(naiveHeld / held, 0)}x`);
console.log(`\nlarge one-shot edits incl. undo entry (informational, no goal):`);
console.log(`  flood fill of the whole image  ${fmt(stats(fillMs))}; its undo ${fmt(stats(undoMs))}`);
console.log(`  lasso of 2000 vertices (~7 MP) ${fmt(stats(lassoMs))}`);
// --- per stroke save: what the editor sends and what main's thread spends in the save handler, on a real
// project file at 24 MP and 100 MP (the importer's limit), for the same strokes (200 moves each) saved two
// ways: as the editor saves them, a delta of the changed rectangles (`labels.saveChanges`), and the
// reference, both full planes (`labels.save`, what the editor sent before; still its "keep mine" save).
// The handler time is the service function the IPC handler runs; "clone" is a structured clone of the
// payload (what Electron's IPC does to it), informational. The two stored maps are compared at the end.
const SAVE_SIZES = [
  { label: '24 MP', w: 6000, h: 4000, strokes: 20 },
  { label: '100 MP', w: 10000, h: 10000, strokes: 6 },
];
const GOAL_SAVE_MS = 50;

interface SaveFigures {
  bytes: number[];
  handler: number[];
  clone: number[];
}

function newFigures(): SaveFigures {
  return { bytes: [], handler: [], clone: [] };
}

function cloneMs(payload: unknown): number {
  const t0 = performance.now();
  deserialize(serialize(payload));
  return performance.now() - t0;
}

function timed<T>(fig: SaveFigures, payload: { classes: Uint8Array; provenance: Uint8Array }, save: () => T): T {
  fig.bytes.push(payload.classes.length + payload.provenance.length);
  fig.clone.push(cloneMs(payload));
  const t0 = performance.now();
  const out = save();
  fig.handler.push(performance.now() - t0);
  return out;
}

interface SaveResult {
  label: string;
  full: SaveFigures;
  delta: SaveFigures;
  /** bytes of the 256x16 tiles each stroke touched (the tiles its undo entry records) */
  tileBytes: number[];
  /** handler ms of a one-pixel delta after each stroke: what a durable commit costs on this disk */
  pixel: number[];
  same: boolean;
}

/**
 * A project file holding one w x h image with `map` saved, closed and opened again (so its write-ahead
 * log is folded in, as for a project opened to label).
 */
function benchProject(dir: string, name: string, map: LabelMap): { project: Project; imageId: number } {
  const path = join(dir, `${name.replace(/ /g, '')}.maskwright`);
  let project = Project.create(path);
  for (let k = 0; k < 10; k++) addClass(project.db, `c${k}`);
  const imageId = insertImage(project.db, {
    name: `${name}.png`,
    sha256: '1'.padStart(64, '0'),
    format: 'png',
    width: map.width,
    height: map.height,
    orientation: 1,
    original: new Uint8Array([1]),
    thumbnail: new Uint8Array([1]),
    thumbnailMime: 'image/jpeg',
  });
  saveLabels(project.db, { imageId, classes: map.classes, provenance: map.provenance });
  project.close();
  project = Project.open(path);
  return { project, imageId };
}

/** Bytes of the 256x16 tiles an undo entry's patches lie in (each patch lies in one), both planes. */
function tileBytes(entry: EditEntry, w: number, h: number): number {
  let n = 0;
  for (const p of entry.patches) n += 2 * Math.min(256, w - (p.rect.x & ~255)) * Math.min(16, h - (p.rect.y & ~15));
  return n;
}

function saveBench(): SaveResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'mw-editor-bench-'));
  const results: SaveResult[] = [];
  try {
    for (const size of SAVE_SIZES) {
      const sw = size.w;
      const sh = size.h;
      // Partly labeled (imported bands), as the stroke maps above.
      const m = createLabelMap(sw, sh);
      for (let y = 0; y < sh; y++) {
        if (y % 1000 < 500) m.classes.fill(y % 3, y * sw, y * sw + sw / 2);
        if (y % 1000 < 500) m.provenance.fill(4, y * sw, y * sw + sw / 2);
      }
      // One project file per way of saving, so neither pays for the other's log checkpoints.
      const viaFull = benchProject(dir, `full-${size.label}`, m);
      const viaDelta = benchProject(dir, `delta-${size.label}`, m);
      let fullRev = 1;
      let deltaRev = 1;
      const changes = new ChangedRegion(sw, sh);
      const srand = rng(7);
      const r: SaveResult = {
        label: size.label,
        full: newFigures(),
        delta: newFigures(),
        tileBytes: [],
        pixel: [],
        same: false,
      };
      for (let k = 0; k < size.strokes; k++) {
        const stroke = new StrokeSession(m, { diameter: BRUSH, value: k % 5 });
        // as the editor: the rectangles redrawn while drawing, then the entry's patches
        for (const [x, y] of strokePath(srand, 200, 4, sw, sh)) changes.mark(stroke.addPoint(x!, y!));
        const entry = stroke.commit()!;
        changes.markEntry(entry);
        r.tileBytes.push(tileBytes(entry, sw, sh));
        const delta = { imageId: viaDelta.imageId, ...readDelta(m, changes.take()), baseRevision: deltaRev };
        deltaRev = timed(r.delta, delta, () => saveLabelChanges(viaDelta.project.db, delta)).revision;
        const one = { imageId: viaDelta.imageId, ...readDelta(m, [entry.patches[0]!.rect]), baseRevision: deltaRev };
        one.rects[2] = one.rects[3] = 1;
        const pixel = { ...one, classes: one.classes.slice(0, 1), provenance: one.provenance.slice(0, 1) };
        const t0 = performance.now();
        deltaRev = saveLabelChanges(viaDelta.project.db, pixel).revision;
        r.pixel.push(performance.now() - t0);
        const full = {
          imageId: viaFull.imageId,
          classes: m.classes.slice(),
          provenance: m.provenance.slice(),
          baseRevision: fullRev,
        };
        fullRev = timed(r.full, full, () => saveLabels(viaFull.project.db, full)).revision;
      }
      const a = loadLabelMap(viaFull.project.db, viaFull.imageId)!;
      const b = loadLabelMap(viaDelta.project.db, viaDelta.imageId)!;
      r.same =
        Buffer.compare(a.classes, b.classes) === 0 &&
        Buffer.compare(a.provenance, b.provenance) === 0 &&
        Buffer.compare(a.classes, m.classes) === 0;
      viaFull.project.close();
      viaDelta.project.close();
      results.push(r);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

const saves = saveBench();
const mean = (xs: number[]) => xs.reduce((a, v) => a + v, 0) / xs.length;
const kib = (b: number) => `${f(b / 1024, 1)} KiB`;
console.log(`
per stroke save (strokes of 200 moves, brush ${BRUSH}; handler = the service main's IPC handler runs):`);
let savesOk = true;
for (const r of saves) {
  const full = stats(r.full.handler);
  const delta = stats(r.delta.handler);
  const fits = r.delta.bytes.every((b, i) => b <= r.tileBytes[i]!);
  console.log(`  ${r.label}:`);
  console.log(`    delta  sent ${kib(mean(r.delta.bytes))} (the stroke's 256x16 tiles: ${kib(mean(r.tileBytes))})`);
  console.log(`           handler ${fmt(delta)}   clone ${fmt(stats(r.delta.clone))}`);
  console.log(
    `    1 px   handler ${fmt(stats(r.pixel))}   (a one-pixel delta: the durable commit alone, on this disk)`,
  );
  console.log(`    full   sent ${mib(mean(r.full.bytes))}   (reference: both planes, the save before deltas)`);
  console.log(`           handler ${fmt(full)}   clone ${fmt(stats(r.full.clone))}`);
  console.log(
    `    ratio  full/delta: bytes ${f(mean(r.full.bytes) / mean(r.delta.bytes), 0)}x, handler ${f(full.mean / delta.mean, 0)}x (mean)   stored maps equal: ${r.same ? 'yes' : 'NO'}`,
  );
  if (!r.same || !fits) savesOk = false;
  if (r.label === '24 MP') {
    console.log(
      `    goal (24 MP): at most the stroke's tiles sent, handler p95 < ${GOAL_SAVE_MS} ms: ${pass(fits && delta.p95 < GOAL_SAVE_MS)}`,
    );
    if (!(delta.p95 < GOAL_SAVE_MS)) savesOk = false;
  }
}
if (!savesOk) process.exitCode = 1;

if (!(m.p95 < GOAL_MOVE_MS && c.p95 < GOAL_COMMIT_MS && lc.p95 < GOAL_COMMIT_MS)) process.exitCode = 1;
