/**
 * The styles the Train view's tables and the dialogs share (app.css: `table.data`, `.swatch`,
 * `.field-error`; Modal.svelte for every dialog, the shortcuts help too): each table, swatch and dialog
 * still gets them. Screens at 1024x700 and 1920x1080 of the Train view (class weights, checkpoints,
 * per-class metrics, confusion matrix), the shortcuts help and two dialogs, with the clock-dependent
 * text masked so that two builds can be compared pixel by pixel.
 */
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { listClasses } from '../../db/classes';
import { createRun, finishRun, recordEpoch, startRun } from '../../db/runs';
import { Project } from '../../services/project';
import { checkpointMeta } from '../helpers/checkpoint';
import { makeProject } from '../helpers/training';
import { ARTIFACTS_DIR, useHarness } from './harness';
import { expectClasses, expectProject, header } from './ui';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';

const harness = useHarness();

/** A finished two-epoch run with a checkpoint per epoch, on the project's two classes. */
function addRun(path: string): number {
  const project = Project.open(path);
  const runId = createRun(project.db, { epochs: 2, width: 32, height: 32, batchSize: 2 });
  startRun(project.db, runId, 'cpu: @tensorflow/tfjs-backend-cpu (JavaScript)');
  for (const epoch of [0, 1]) {
    recordEpoch(
      project.db,
      {
        runId,
        epoch,
        trainLoss: 0.9 - 0.3 * epoch,
        valLoss: 1 - 0.3 * epoch,
        metrics: {
          meanIoU: 0.5 + 0.2 * epoch,
          pixelAccuracy: 0.7 + 0.1 * epoch,
          iou: [0.4 + 0.2 * epoch, 0.6 + 0.2 * epoch],
          classAccuracy: [0.6 + 0.1 * epoch, 0.8 + 0.1 * epoch],
          confusion: [600, 400 - 100 * epoch, 100, 900 + 100 * epoch],
          metricsOn: 'val',
        },
      },
      { modelTopology: {}, weights: new Uint8Array(4096), metadata: checkpointMeta },
    );
  }
  finishRun(project.db, runId, 'completed', 'Completed 2 epochs');
  expect(listClasses(project.db).map((c) => c.name)).toEqual(['dark', 'bright']);
  project.close();
  return runId;
}

/**
 * What the page functions below use of the browser (the tests compile without the DOM library; a page
 * function is sent as source, so each reaches the browser through `globalThis` itself).
 */
interface El {
  scrollTop: number;
  scrollLeft: number;
  readonly scrollHeight: number;
  readonly clientHeight: number;
  readonly style: { visibility: string };
  blur(): void;
  getBoundingClientRect(): { x: number; y: number; width: number; height: number };
  querySelector(selector: string): El | null;
  contains(other: El): boolean;
}
interface Win {
  document: {
    activeElement: El | null;
    querySelectorAll(selector: string): Iterable<El>;
    elementFromPoint(x: number, y: number): El | null;
  };
  getComputedStyle(el: El): Record<string, string>;
}

/** Width, height and background colour of every `.class-swatch` under `scope`. */
async function swatches(scope: Locator): Promise<{ w: number; h: number; bg: string }[]> {
  return scope.locator('.class-swatch').evaluateAll((els) =>
    (els as unknown as El[]).map((el) => {
      const r = el.getBoundingClientRect();
      return { w: r.width, h: r.height, bg: (globalThis as unknown as Win).getComputedStyle(el).backgroundColor! };
    }),
  );
}

/** The table's border model and figures, and padding, bottom border, alignment and colour of its cells. */
async function cellStyle(table: Locator) {
  return table.evaluate((node) => {
    const t = node as unknown as El;
    const pick = (el: El | null) => {
      if (!el) return null;
      const s = (globalThis as unknown as Win).getComputedStyle(el);
      return {
        padding: s.padding,
        border: `${s.borderBottomWidth} ${s.borderBottomStyle}`,
        align: s.textAlign,
        color: s.color,
      };
    };
    return {
      collapse: (globalThis as unknown as Win).getComputedStyle(t).borderCollapse,
      numbers: (globalThis as unknown as Win).getComputedStyle(t).fontVariantNumeric,
      th: pick(t.querySelector('thead th')),
      firstTd: pick(t.querySelector('tbody td')),
      secondTd: pick(t.querySelector('tbody td:nth-child(2)')),
    };
  });
}

/**
 * A screenshot with every scrolled panel at `scroll` px (clamped: Infinity is the bottom) and nothing
 * focused (the browser scrolls a focused field into view), so that two builds compare pixel by pixel;
 * the run's date and the project's temp path differ per run and are hidden.
 */
async function shot(page: Page, name: string, scroll = 0): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const hide = ([visibility, y]: readonly [string, number | null]) => {
    const { document } = globalThis as unknown as Win;
    if (y !== null) {
      document.activeElement?.blur();
      for (const el of document.querySelectorAll('*')) {
        if (el.scrollHeight > el.clientHeight) el.scrollTop = Math.min(y, el.scrollHeight - el.clientHeight);
        el.scrollLeft = 0;
      }
    }
    for (const el of document.querySelectorAll('.meta')) el.style.visibility = visibility;
  };
  await page.evaluate(hide, ['hidden', scroll] as const);
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`) });
  await page.evaluate(hide, ['', null] as const);
}

describe('styles shared by the training tables and the dialogs', () => {
  it('gives every table, swatch and dialog the shared look, at 1024x700 and 1920x1080', async () => {
    const h = harness();
    const { page, dialogs } = h;
    const path = await makeProject(h.tmp, 'styles.maskwright');
    const runId = addRun(path);
    dialogs.openProjectPath = path;
    await h.open();
    await page.getByRole('button', { name: 'Open project…' }).click();
    await expectProject(page, 'styles');
    await expectClasses(page, ['dark', 'bright']);
    const [dark, bright] = await h.call('classes.list');
    await h.call('classes.update', { id: bright!.id, weightOverride: 2.5 });

    for (const [w, hgt] of [
      [1024, 700],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width: w, height: hgt });

      // The Train view: advanced settings with the class weights, the run's checkpoints and metrics.
      await header(page).getByRole('button', { name: 'Train', exact: true }).click();
      const view = page.getByRole('region', { name: 'Training' });
      const advanced = view.getByRole('button', { name: 'Advanced' });
      if ((await advanced.getAttribute('aria-expanded')) !== 'true') await advanced.click();
      const weights = view.getByRole('table', { name: 'Class weights' });
      await expect.poll(() => weights.getByRole('row').count()).toBe(3);
      // The backend probe answers late (it loads the backends in a worker); its line changes the layout.
      await view.getByText(/^auto uses /).waitFor();
      const history = page.getByRole('region', { name: 'Run history' });
      const run = history.getByRole('button', { name: `Run ${runId}` });
      if ((await run.getAttribute('aria-pressed')) !== 'true') await run.click();
      const checkpoints = history.getByRole('table', { name: 'Checkpoints' });
      await expect.poll(() => checkpoints.getByRole('row').count()).toBe(3);
      const perClass = history.getByRole('table', { name: 'Per-class metrics' });
      const matrix = history.getByRole('table', { name: 'Confusion matrix' });
      await matrix.waitFor();
      // An override the API refuses: the inline error under the field.
      const override = view.getByLabel('Weight override for dark');
      await override.fill('-1');
      await override.press('Enter');
      await view.getByText(/>=0|at least 0/).waitFor();
      // Every cell can be seen: brought into view, it is what a click on its middle hits (at 1024x700 the
      // table is wider than its column, and the run history beside it covered the last column).
      for (const cell of await weights.getByRole('cell').all()) {
        await cell.scrollIntoViewIfNeeded();
        const hit = await cell.evaluate((node) => {
          const el = node as unknown as El;
          const r = el.getBoundingClientRect();
          const top = (globalThis as unknown as Win).document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
          return top !== null && el.contains(top);
        });
        expect(hit, `${await cell.textContent()} at ${w}x${hgt}`).toBe(true);
      }

      // Swatches: 10x10 squares in the class colours, in all three tables.
      for (const table of [weights, perClass]) {
        const s = await swatches(table);
        expect(s.map((x) => [x.w, x.h])).toEqual([
          [10, 10],
          [10, 10],
        ]);
        expect(s.map((x) => x.bg)).toEqual([hexToRgb(dark!.color), hexToRgb(bright!.color)]);
      }
      const m = await swatches(matrix);
      expect(m.map((x) => x.bg)).toEqual([
        hexToRgb(dark!.color),
        hexToRgb(bright!.color),
        hexToRgb(dark!.color),
        hexToRgb(bright!.color),
      ]);
      expect(m.every((x) => x.w === 10 && x.h === 10)).toBe(true);

      // The data tables: collapsed borders, tabular figures, a line under each cell, names left and
      // numbers right, muted headers.
      const muted = 'rgb(154, 163, 176)'; // --text-muted
      for (const [table, padding] of [
        [weights, '4px 6px'],
        [perClass, '4px 6px'],
        [checkpoints, '3px 4px'],
      ] as const) {
        const s = await cellStyle(table);
        expect(s).toMatchObject({
          collapse: 'collapse',
          numbers: 'tabular-nums',
          th: { padding, border: '1px solid', align: 'left', color: muted },
          firstTd: { padding, border: '1px solid', align: 'left' },
          secondTd: { padding, border: '1px solid', align: 'right' },
        });
      }
      expect(
        await view
          .locator('.field-error')
          .first()
          .evaluate((el) => (globalThis as unknown as Win).getComputedStyle(el as unknown as El).color),
      ).toBe('rgb(242, 165, 163)'); // --danger-text

      await shot(page, `styles-train-${w}`);
      await shot(page, `styles-train-middle-${w}`, 300);
      await shot(page, `styles-train-bottom-${w}`, Infinity);
      await view.getByLabel('Weight override for dark').fill('');
      await view.getByLabel('Weight override for dark').press('Enter');
      await view.getByRole('button', { name: '← Images' }).click();

      // A dialog with counts (Modal), and one with a field and an inline error.
      await page.getByRole('button', { name: 'Delete dark' }).click();
      const del = page.getByRole('dialog', { name: 'Delete class “dark”?' });
      await del.getByText('1,536 labeled pixels').waitFor();
      await shot(page, `styles-delete-dialog-${w}`);
      await del.getByRole('button', { name: 'Cancel' }).click();
      await del.waitFor({ state: 'detached' });

      await header(page).getByRole('button', { name: 'Import masks…' }).click();
      const masks = page.getByRole('dialog', { name: 'Import masks' });
      await masks.getByRole('spinbutton').fill('300');
      await masks.getByRole('alert').getByText('Enter a whole number from 0 to 255').waitFor();
      await shot(page, `styles-mask-dialog-${w}`);
      await page.keyboard.press('Escape');
      await masks.waitFor({ state: 'detached' });

      // The shortcuts help in the editor.
      await page.getByRole('button', { name: 'Open img0.png in the editor' }).click();
      await page.getByRole('application', { name: 'Label canvas' }).waitFor();
      await page.keyboard.press('?');
      const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await help.getByText('Flood fill').waitFor();
      await shot(page, `styles-help-${w}`);
      await help.getByRole('button', { name: 'Close' }).click();
      await help.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Back to images' }).click();
      await expectProject(page, 'styles');
    }
  });
});

function hexToRgb(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgb(${n >> 16}, ${(n >> 8) & 255}, ${n & 255})`;
}
