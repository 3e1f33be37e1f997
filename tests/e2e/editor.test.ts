/**
 * The label editor in the built renderer: brush strokes of two classes, flood fill, polygon, lasso,
 * eraser, "only unlabeled", undo and redo, switching images and back, a reload; then the label maps
 * read from SQLite must equal, pixel for pixel, what this test computes on its own in Node from the
 * documented rules (a brush covers pixel (x, y) iff the distance from its centre (x + .5, y + .5) to
 * a stroke segment is <= diameter / 2; a fill takes the 4-connected region of the clicked pixel's
 * class; a polygon takes the pixels whose centre is inside it).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  toImage,
  toScreen,
  canvas,
  click,
  drag,
  photo,
  polyline,
  readView,
  selectClass,
  setBrush,
  waitImage,
  waitSaved,
  type Pt,
} from './editor-ui';
import { useHarness, type Harness } from './harness';
import { expectProject, loadedThumbnails } from './ui';

const harness = useHarness();
const UNLABELED = 255;

// ---- the independent model: plain loops over pixel centres ----

interface Expected {
  width: number;
  height: number;
  classes: Uint8Array;
}

const blank = (width: number, height: number): Expected => ({
  width,
  height,
  classes: new Uint8Array(width * height).fill(UNLABELED),
});
const copy = (m: Expected): Expected => ({ ...m, classes: m.classes.slice() });

function distToSegment(p: Pt, a: Pt, b: Pt): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const l2 = dx * dx + dy * dy;
  const t = l2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / l2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/** A brush stroke through `pts` (a single point paints a disc). */
function paintStroke(m: Expected, pts: Pt[], diameter: number, value: number, onlyUnlabeled = false): void {
  const segs = pts.length === 1 ? [[pts[0]!, pts[0]!]] : pts.slice(1).map((b, i) => [pts[i]!, b]);
  const before = m.classes.slice();
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) {
      const c = { x: x + 0.5, y: y + 0.5 };
      if (!segs.some(([a, b]) => distToSegment(c, a!, b!) <= diameter / 2)) continue;
      if (onlyUnlabeled && before[y * m.width + x] !== UNLABELED) continue;
      m.classes[y * m.width + x] = value;
    }
  }
}

/** Flood fill of the 4-connected region of (x, y)'s class, by breadth-first search. */
function fillRegion(m: Expected, x: number, y: number, value: number): void {
  const { width: w, height: h, classes } = m;
  const target = classes[y * w + x]!;
  const seen = new Uint8Array(w * h);
  const queue = [y * w + x];
  seen[y * w + x] = 1;
  while (queue.length) {
    const i = queue.pop()!;
    classes[i] = value;
    const px = i % w;
    const py = (i - px) / w;
    for (const [nx, ny] of [
      [px - 1, py],
      [px + 1, py],
      [px, py - 1],
      [px, py + 1],
    ] as const) {
      const j = ny * w + nx;
      if (nx < 0 || ny < 0 || nx >= w || ny >= h || seen[j] || classes[j] !== target) continue;
      seen[j] = 1;
      queue.push(j);
    }
  }
}

/**
 * A simple polygon: fills pixels whose centre is inside, by the crossing-number test (count the edges
 * that cross the horizontal ray to the right of the centre). No vertex here lies on a pixel centre row.
 */
function fillPolygonCentres(m: Expected, v: Pt[], value: number): void {
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) {
      const c = { x: x + 0.5, y: y + 0.5 };
      let inside = false;
      for (let i = 0, j = v.length - 1; i < v.length; j = i++) {
        const a = v[i]!;
        const b = v[j]!;
        if (a.y > c.y !== b.y > c.y && c.x < a.x + ((c.y - a.y) * (b.x - a.x)) / (b.y - a.y)) inside = !inside;
      }
      if (inside) m.classes[y * m.width + x] = value;
    }
  }
}

/** Waits until the stored map of `imageId` equals `expected` (classes, and provenance Painted/None). */
async function expectStored(h: Harness, imageId: number, expected: Expected): Promise<void> {
  const mismatches = async () => {
    const m = await h.call('labels.load', { imageId });
    if (m.width !== expected.width || m.height !== expected.height) return [`size ${m.width}x${m.height}`];
    const out: string[] = [];
    for (let i = 0; i < expected.classes.length; i++) {
      const want = expected.classes[i]!;
      if (m.classes[i] !== want || m.provenance[i] !== (want === UNLABELED ? 0 : 1)) {
        out.push(`(${i % m.width},${Math.floor(i / m.width)}): ${m.classes[i]}/${m.provenance[i]}, want ${want}`);
      }
    }
    return out;
  };
  await expect
    .poll(async () => (await mismatches()).length, { timeout: 5000 })
    .toBe(0)
    .catch(async (err) => {
      const list = await mismatches();
      throw new Error(`${list.length} pixels differ from the expected map, e.g. ${list.slice(0, 12).join('; ')}`, {
        cause: err,
      });
    });
}

describe('label editor', () => {
  it('paints, fills, undoes and redoes, switches images, and the database holds exactly that after a reload', async () => {
    const h = harness();
    const { page } = h;
    await h.call('project.create', { grant: h.grant(join(h.tmp, 'editor.maskwright'), 'project.create') });
    const report = await h.call('images.importFiles', {
      files: [
        { name: 'a-field.png', data: await photo(200, 150, 1) },
        { name: 'b-road.png', data: await photo(120, 90, 2) },
      ],
    });
    expect(report.errors).toEqual([]);
    const [field, road] = report.imported.sort((a, b) => a.name.localeCompare(b.name));
    const grass = await h.call('classes.add', { name: 'grass', color: '#3cb44b' });
    const rock = await h.call('classes.add', { name: 'rock', color: '#e6194b' });

    await h.open();
    await expectProject(page, 'editor');
    await loadedThumbnails(page, 2);
    await page.getByRole('button', { name: 'Open a-field.png in the editor' }).click();
    let v = await waitImage(page, 'a-field.png');
    expect(v.scale).toBeGreaterThan(2); // so every screen point below lands well inside its pixel

    const A = blank(200, 150);
    // Stroke 1, grass, 9 px: a closed ring.
    await selectClass(page, '1', 'grass');
    await setBrush(page, 9);
    const ring = await drag(
      page,
      v,
      polyline([
        [40, 30],
        [160, 30],
        [160, 120],
        [40, 120],
        [40, 30],
      ]),
    );
    paintStroke(A, ring, 9, grass.value);
    // Stroke 2, rock, 5 px: a diagonal across the ring.
    await selectClass(page, '2', 'rock');
    await setBrush(page, 5);
    const diagonal = await drag(
      page,
      v,
      polyline([
        [20, 140],
        [100, 75],
        [185, 8],
      ]),
    );
    paintStroke(A, diagonal, 5, rock.value);
    await expectStored(h, field!.id, A);

    // Flood fill inside the ring, above the diagonal, with grass.
    await page.keyboard.press('f');
    await selectClass(page, '1', 'grass');
    await click(page, v, 120.5, 50.5);
    const beforeFill = copy(A);
    expect(A.classes[50 * 200 + 120]).toBe(UNLABELED);
    fillRegion(A, 120, 50, grass.value);
    await expectStored(h, field!.id, A);
    await h.screenshot('editor-1-strokes-and-fill');

    // Undo the fill, then redo it, both ways.
    await page.keyboard.press('Control+z');
    await expectStored(h, field!.id, beforeFill);
    await page.keyboard.press('Control+Shift+z');
    await expectStored(h, field!.id, A);
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+y');
    await expectStored(h, field!.id, A);

    // Polygon (click four corners, Enter closes) with rock; then an eraser stroke.
    await page.keyboard.press('p');
    await selectClass(page, '2', 'rock');
    const corners: Pt[] = [];
    for (const [x, y] of [
      [120, 80],
      [190, 85],
      [185, 140],
      [130, 135],
    ] as const) {
      corners.push(await click(page, v, x, y));
    }
    await page.keyboard.press('Enter');
    fillPolygonCentres(A, corners, rock.value);
    await page.keyboard.press('e');
    await setBrush(page, 7);
    const erased = await drag(
      page,
      v,
      polyline([
        [10, 75],
        [110, 75],
      ]),
    );
    const beforeErase = copy(A);
    paintStroke(A, erased, 7, UNLABELED);
    await expectStored(h, field!.id, A);

    // Next image (PageDown): a grass stroke, then rock over it with "only unlabeled" on.
    await page.keyboard.press('PageDown');
    v = await waitImage(page, 'b-road.png');
    const B = blank(120, 90);
    await page.keyboard.press('b');
    await selectClass(page, '1', 'grass');
    await setBrush(page, 9);
    paintStroke(
      B,
      await drag(
        page,
        v,
        polyline([
          [10, 45],
          [110, 45],
        ]),
      ),
      9,
      grass.value,
    );
    await page.keyboard.press('u');
    await selectClass(page, '2', 'rock');
    paintStroke(
      B,
      await drag(
        page,
        v,
        polyline([
          [60, 5],
          [60, 85],
        ]),
      ),
      9,
      rock.value,
      true,
    );
    await page.keyboard.press('u');
    // A lasso (press-drag with the polygon tool) with rock: a triangle.
    await page.keyboard.press('p');
    const lasso = polyline([
      [10, 80],
      [40, 60],
      [50, 85],
    ]).map(([x, y]) => toScreen(v, x + 0.3, y + 0.2));
    await page.mouse.move(lasso[0]!.x, lasso[0]!.y);
    await page.mouse.down();
    for (const s of lasso.slice(1)) await page.mouse.move(s.x, s.y);
    await page.mouse.up();
    fillPolygonCentres(
      B,
      lasso.map((s) => toImage(v, s)),
      rock.value,
    );
    // A polygon closed by a double click on its last vertex; then one cancelled with Escape.
    const tri: Pt[] = [await click(page, v, 80.2, 55.3), await click(page, v, 115.1, 60.4)];
    const last = toScreen(v, 95.3, 88.2);
    await page.mouse.dblclick(last.x, last.y);
    tri.push(toImage(v, last));
    fillPolygonCentres(B, tri, rock.value);
    await click(page, v, 5.2, 5.3);
    await click(page, v, 30.2, 5.3);
    await click(page, v, 20.2, 25.3);
    await page.keyboard.press('Escape');
    await expectStored(h, road!.id, B);

    // Keys typed into a text field are text, not shortcuts.
    await page.getByLabel('New class name').fill('');
    await page.getByLabel('New class name').pressSequentially('fe1');
    expect(await page.getByRole('radio', { name: 'Polygon' }).getAttribute('aria-checked')).toBe('true');
    await page.getByLabel('New class name').fill('');
    await canvas(page).focus();

    // Back (PageUp): the first image's history is still there; undo the eraser, redo it.
    await page.keyboard.press('PageUp');
    v = await waitImage(page, 'a-field.png');
    const undoButton = page.getByRole('button', { name: 'Undo' });
    expect(await undoButton.isEnabled()).toBe(true);
    await undoButton.click();
    await expectStored(h, field!.id, beforeErase);
    await page.getByRole('button', { name: 'Redo' }).click();
    await expectStored(h, field!.id, A);

    // The provenance view and a zoomed-in look (crisp pixels), for the screenshots.
    await page.keyboard.press('v');
    await page.getByRole('list', { name: 'Provenance legend' }).waitFor();
    await h.screenshot('editor-2-provenance');
    await page.keyboard.press('v');
    const centre = toScreen(v, 100, 75);
    await page.mouse.move(centre.x, centre.y);
    await page.mouse.wheel(0, -900);
    await expect.poll(async () => (await readView(page)).scale).toBeGreaterThan(v.scale * 2);
    const zoomed = await readView(page);
    // Zoom keeps the image point under the cursor in place.
    const under = toImage(zoomed, centre);
    expect(Math.abs(under.x - 100)).toBeLessThan(0.5);
    expect(Math.abs(under.y - 75)).toBeLessThan(0.5);
    await page.keyboard.press('b');
    await page.mouse.move(centre.x + 40, centre.y + 30);
    await h.screenshot('editor-3-zoomed');
    await page.keyboard.press('Home');
    await expect.poll(async () => (await readView(page)).scale).toBeCloseTo(v.scale, 5);

    // Space + drag pans by exactly the drag; the map is untouched (checked at the end).
    const before = await readView(page);
    await page.mouse.move(centre.x, centre.y);
    await page.keyboard.down(' ');
    await page.mouse.down();
    await page.mouse.move(centre.x - 60, centre.y - 40);
    await page.mouse.up();
    await page.keyboard.up(' ');
    const panned = await readView(page);
    expect([panned.x - before.x, panned.y - before.y, panned.scale]).toEqual([-60, -40, before.scale]);
    await page.keyboard.press('Home');

    // The help overlay lists the shortcuts.
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.getByText('Flood fill').waitFor();
    await h.screenshot('editor-4-help');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });

    // Back to the grid: it shows the new labeled fraction; reopening keeps the undo history.
    const labeledA = A.classes.filter((c) => c !== UNLABELED).length / A.classes.length;
    const percentA = `${Math.round(labeledA * 100)}% labeled`;
    await page.getByRole('button', { name: 'Back to images' }).click();
    await page.getByRole('article', { name: 'a-field.png' }).getByText(percentA).waitFor();
    await page.getByRole('button', { name: 'Open a-field.png in the editor' }).click();
    await waitImage(page, 'a-field.png');
    expect(await page.getByRole('button', { name: 'Undo' }).isEnabled()).toBe(true);

    // Reload: back on the grid, the labeled fraction is shown; the editor shows the stored map.
    await waitSaved(page);
    await page.reload();
    await expectProject(page, 'editor');
    await page.getByRole('article', { name: 'a-field.png' }).getByText(percentA).waitFor();
    await page.getByRole('button', { name: 'Open a-field.png in the editor' }).click();
    await waitImage(page, 'a-field.png');
    await h.screenshot('editor-5-reopened');
    await page.getByRole('button', { name: 'Back to images' }).click();
    await page.getByRole('list', { name: 'Image grid' }).waitFor();
    await expectStored(h, field!.id, A);
    await expectStored(h, road!.id, B);

    // A stroke right before closing the project is saved before the project closes.
    await page.getByRole('button', { name: 'Open a-field.png in the editor' }).click();
    v = await waitImage(page, 'a-field.png');
    await selectClass(page, '2', 'rock');
    await setBrush(page, 3);
    paintStroke(
      A,
      await drag(
        page,
        v,
        polyline([
          [5, 5],
          [5, 140],
        ]),
      ),
      3,
      rock.value,
    );
    await page.getByRole('button', { name: 'Close project' }).click();
    await page.getByRole('heading', { name: 'Maskwright', level: 1 }).waitFor();
    await h.call('project.open', { grant: h.grant(join(h.tmp, 'editor.maskwright'), 'project.open') });
    await expectStored(h, field!.id, A);
    await expectStored(h, road!.id, B);
  });
});

describe('label editor conflicts', () => {
  it('refuses to overwrite a map saved elsewhere, says so, and can load the stored one', async () => {
    const h = harness();
    const { page } = h;
    await h.call('project.create', { grant: h.grant(join(h.tmp, 'conflict.maskwright'), 'project.create') });
    const report = await h.call('images.importFiles', { files: [{ name: 'c.png', data: await photo(80, 60, 3) }] });
    const imageId = report.imported[0]!.id;
    const sky = await h.call('classes.add', { name: 'sky' });

    await h.open();
    await expectProject(page, 'conflict');
    await loadedThumbnails(page, 1);
    await page.getByRole('button', { name: 'Open c.png in the editor' }).click();
    const v = await waitImage(page, 'c.png');
    await setBrush(page, 5);
    const mine = blank(80, 60);
    paintStroke(
      mine,
      await drag(
        page,
        v,
        polyline([
          [10, 10],
          [70, 10],
        ]),
      ),
      5,
      sky.value,
    );
    await expectStored(h, imageId, mine);

    // Someone else (another window, a mask import) saves a different map.
    const theirs = blank(80, 60);
    theirs.classes.fill(sky.value, 0, 80 * 30);
    const stored = await h.call('labels.load', { imageId });
    await h.call('labels.save', {
      imageId,
      classes: theirs.classes,
      provenance: theirs.classes.map((c) => (c === UNLABELED ? 0 : 1)),
      baseRevision: stored.revision,
    });

    await drag(
      page,
      v,
      polyline([
        [10, 50],
        [70, 50],
      ]),
    );
    const status = page.getByRole('status', { name: 'Save status' });
    await status.getByText(/changed elsewhere/).waitFor();
    await h.screenshot('editor-6-conflict');
    await expectStored(h, imageId, theirs); // not overwritten

    await status.getByRole('button', { name: 'Load stored' }).click();
    await waitImage(page, 'c.png');
    await page.locator('[aria-label="Save status"][data-state="saved"]').waitFor();
    expect(await page.getByRole('button', { name: 'Undo' }).isEnabled()).toBe(false);
    // The editor now holds the stored map: a new stroke saves on top of it.
    const after = await drag(
      page,
      v,
      polyline([
        [40, 45],
        [40, 55],
      ]),
    );
    expect((await readView(page)).scale).toBe(v.scale);
    paintStroke(theirs, after, 5, sky.value);
    await expectStored(h, imageId, theirs);
  });
});

describe('closing the window', () => {
  it('answers app.beforeClose with app.closeReady only after the last edit is saved', async () => {
    const h = harness();
    const { page } = h;
    await h.call('project.create', { grant: h.grant(join(h.tmp, 'closing.maskwright'), 'project.create') });
    const report = await h.call('images.importFiles', { files: [{ name: 'k.png', data: await photo(80, 60, 4) }] });
    const imageId = report.imported[0]!.id;
    const sky = await h.call('classes.add', { name: 'sky' });
    await h.open();
    await expectProject(page, 'closing');
    await loadedThumbnails(page, 1);
    await page.getByRole('button', { name: 'Open k.png in the editor' }).click();
    const v = await waitImage(page, 'k.png');
    await setBrush(page, 5);
    const mine = blank(80, 60);
    const points = await drag(
      page,
      v,
      polyline([
        [10, 30],
        [70, 30],
      ]),
    );
    paintStroke(mine, points, 5, sky.value);
    // Main asks right after the stroke ends, as when the user closes the window at once.
    h.emit('app.beforeClose', null);
    await expect.poll(() => h.closeRequests(), { timeout: 10_000 }).toBe(1);
    const stored = await h.call('labels.load', { imageId });
    expect(stored.revision).toBeGreaterThan(0);
    expect(Buffer.compare(Buffer.from(stored.classes), Buffer.from(mine.classes))).toBe(0);
  });
});
