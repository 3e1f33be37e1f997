/** Driving the label editor in the end-to-end tests: the stage transform, pointer strokes, keys, waits. */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { expect } from 'vitest';
import type { ClassInfo } from '../../core/ipc/contract';
import type { Harness } from './harness';
import { expectProject, loadedThumbnails } from './ui';

/** A small "photo": a gradient with a few darker blobs, so the overlay can be judged on it. */
export async function photo(width: number, height: number, seed: number): Promise<Uint8Array> {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const blob = Math.hypot(x - width * 0.3, y - height * 0.6) < height * 0.2 ? 0.55 : 1;
      px[i] = Math.round((90 + x * 0.6 + seed * 30) * blob) & 255;
      px[i + 1] = Math.round((120 + y * 0.5) * blob) & 255;
      px[i + 2] = Math.round((70 + ((x * y) % 40) + seed * 50) * blob) & 255;
    }
  }
  return new Uint8Array(
    await sharp(px, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

export interface Pt {
  x: number;
  y: number;
}

export interface View {
  left: number;
  top: number;
  scale: number;
  x: number;
  y: number;
}

export const canvas = (page: Page) => page.getByRole('application', { name: 'Label canvas' });

/** The stage transform, as the canvas element publishes it (data-scale, data-x, data-y). */
export async function readView(page: Page): Promise<View> {
  const el = canvas(page);
  const box = (await el.boundingBox())!;
  const d = await el.evaluate((e) => ({ ...(e as unknown as { dataset: Record<string, string> }).dataset }));
  return { left: box.x, top: box.y, scale: Number(d.scale), x: Number(d.x), y: Number(d.y) };
}

/** Screen position (whole CSS pixels) of image point (ix, iy). */
export const toScreen = (v: View, ix: number, iy: number): Pt => ({
  x: Math.round(v.left + v.x + ix * v.scale),
  y: Math.round(v.top + v.y + iy * v.scale),
});
export const toImage = (v: View, s: Pt): Pt => ({
  x: (s.x - v.left - v.x) / v.scale,
  y: (s.y - v.top - v.y) / v.scale,
});
/** Where an odd-diameter brush lands for a pointer at screen point `s`: the centre of the pixel under it. */
export const snapped = (v: View, s: Pt): Pt => {
  const p = toImage(v, s);
  return { x: Math.floor(p.x) + 0.5, y: Math.floor(p.y) + 0.5 };
};

/** Points every `step` pixels along the polyline through `corners` (pixel indices), corners included. */
export function polyline(corners: [number, number][], step = 6): [number, number][] {
  const out: [number, number][] = [corners[0]!];
  for (let i = 1; i < corners.length; i++) {
    const [ax, ay] = corners[i - 1]!;
    const [bx, by] = corners[i]!;
    const n = Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay) / step));
    for (let k = 1; k <= n; k++) out.push([Math.round(ax + ((bx - ax) * k) / n), Math.round(ay + ((by - ay) * k) / n)]);
  }
  return out;
}

/** Drags through the centres of pixels `pts`; returns the brush points the editor receives. */
export async function drag(page: Page, v: View, pts: [number, number][]): Promise<Pt[]> {
  const screen = pts.map(([x, y]) => toScreen(v, x + 0.5, y + 0.5));
  await page.mouse.move(screen[0]!.x, screen[0]!.y);
  await page.mouse.down();
  for (const s of screen.slice(1)) await page.mouse.move(s.x, s.y);
  await page.mouse.up();
  return screen.map((s) => snapped(v, s));
}

export async function click(page: Page, v: View, x: number, y: number): Promise<Pt> {
  const s = toScreen(v, x, y);
  await page.mouse.click(s.x, s.y);
  return toImage(v, s);
}

export async function brushSize(page: Page): Promise<number> {
  return Number(await page.getByLabel('Brush size in pixels').inputValue());
}

/** Presses `[` or `]` until the brush has `size` pixels. */
export async function setBrush(page: Page, size: number): Promise<void> {
  for (let i = 0; i < 40 && (await brushSize(page)) !== size; i++) {
    await page.keyboard.press((await brushSize(page)) > size ? '[' : ']');
  }
  expect(await brushSize(page)).toBe(size);
}

export async function selectClass(page: Page, key: string, name: string): Promise<void> {
  await page.keyboard.press(key);
  await page.getByRole('toolbar', { name: 'Editor tools' }).getByText(name, { exact: true }).waitFor();
}

export async function waitSaved(page: Page): Promise<void> {
  await page.locator('[aria-label="Save status"][data-state="saved"]').waitFor();
}

export async function waitImage(page: Page, name: string): Promise<View> {
  const editor = page.getByRole('region', { name: 'Label editor' });
  await editor.getByRole('heading', { name, exact: true }).waitFor();
  await editor.getByText('Loading…').waitFor({ state: 'detached' });
  await expect.poll(async () => (await readView(page)).scale).toBeGreaterThan(0);
  return readView(page);
}

/**
 * A new project `<name>.maskwright` with these images and classes (added in order), the app opened in a
 * window of `viewport` (default: the harness's), and the first image open in the editor.
 */
export async function openEditor(
  h: Harness,
  name: string,
  images: { name: string; data: Uint8Array }[],
  options: { classes?: string[]; viewport?: { width: number; height: number } } = {},
): Promise<{ view: View; imageIds: number[]; classes: ClassInfo[] }> {
  await h.call('project.create', { grant: h.grant(join(h.tmp, `${name}.maskwright`), 'project.create') });
  const report = await h.call('images.importFiles', { files: images });
  const classes: ClassInfo[] = [];
  for (const c of options.classes ?? []) classes.push(await h.call('classes.add', { name: c }));
  if (options.viewport) await h.page.setViewportSize(options.viewport);
  await h.open();
  await expectProject(h.page, name);
  await loadedThumbnails(h.page, images.length);
  await h.page.getByRole('button', { name: `Open ${images[0]!.name} in the editor` }).click();
  const view = await waitImage(h.page, images[0]!.name);
  return { view, imageIds: report.imported.map((i) => i.id), classes };
}
