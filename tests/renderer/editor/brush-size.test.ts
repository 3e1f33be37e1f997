/**
 * The brush size follows the screen when zoomed out (issue 25, item 3: a 15 px brush painted 3 screen
 * pixels at 21 % zoom): under 100 % the size counts screen pixels, from 100 % on image pixels.
 */
import { describe, expect, it } from 'vitest';
import { snapBrushPoint, StrokeSession, UNLABELED } from '../../../core/labelmap';
import { imageDiameter, MAX_IMAGE_BRUSH } from '../../../renderer/src/editor/tools/controller.svelte';
import { headlessEditor, stroke, W, H } from './fakes';

describe('imageDiameter', () => {
  it('converts screen pixels to image pixels zoomed out, by hand', () => {
    expect(imageDiameter(15, 0.21)).toBe(71); // 15 / 0.21 = 71.4
    expect(imageDiameter(15, 0.5)).toBe(30);
    expect(imageDiameter(3, 0.4)).toBe(8); // 7.5 rounds up
    expect(imageDiameter(1, 0.9)).toBe(1); // 1.1
  });

  it('keeps image pixels from 100 % on, and stays within MAX_IMAGE_BRUSH', () => {
    expect(imageDiameter(15, 1)).toBe(15);
    expect(imageDiameter(15, 4)).toBe(15);
    expect(imageDiameter(15, 32)).toBe(15);
    expect(imageDiameter(400, 0.01)).toBe(MAX_IMAGE_BRUSH);
  });
});

describe('the editor paints at the zoom', () => {
  it('a 3 px brush at 50 % paints what a 6 image-pixel brush paints', async () => {
    const { editor } = headlessEditor();
    await editor.open(1);
    editor.view.zoom = 0.5;
    editor.tools.setBrushSize(3);
    expect(editor.brushDiameter).toBe(6);
    stroke(editor, [
      [3, 5],
      [10, 5],
    ]);
    // The same stroke with the core brush at diameter 6, on a blank map.
    const want = {
      width: W,
      height: H,
      classes: new Uint8Array(W * H).fill(UNLABELED),
      provenance: new Uint8Array(W * H),
    };
    const s = new StrokeSession(want, { diameter: 6, value: 0, protectLabels: false });
    for (const [x, y] of [
      [3.5, 5.5],
      [10.5, 5.5],
    ] as const) {
      const p = snapBrushPoint(x, y, 6);
      s.addPoint(p.x, p.y);
    }
    s.commit();
    const map = editor.sessions.get(1)!.map;
    expect(Array.from(map.classes)).toEqual(Array.from(want.classes));
    expect(want.classes.filter((v) => v === 0).length).toBeGreaterThan(40);
  });
});
