/**
 * The label editor headless (fake stage, photo and overlay canvas): modes as the user drives them,
 * and the per-image maps and undo histories kept while moving between images.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UNLABELED } from '../../../core/labelmap';
import { editorKeydown, editorKeyup } from '../../../renderer/src/editor/keys';
import type { EditorState } from '../../../renderer/src/editor/editor.svelte';
import { headlessEditor, stroke, valueAt, W, H } from './fakes';

/** A keydown as the window delivers it with the focus on the canvas. */
function keydown(editor: EditorState, key: string, extra: Partial<KeyboardEvent> = {}): boolean {
  return editorKeydown(editor, { key, target: null, repeat: false, ...extra } as KeyboardEvent);
}

function painted(editor: EditorState): number {
  const map = editor.sessions.get(editor.imageId!)!.map;
  return map.classes.filter((v) => v !== UNLABELED).length;
}

beforeEach(() => {
  // keys.ts asks whether a dialog is open.
  vi.stubGlobal('document', { querySelector: () => null });
});
afterEach(() => vi.unstubAllGlobals());

describe('editor modes, driven as the user does', () => {
  it('draws a brush stroke from press to release, one undo step', async () => {
    const { editor } = headlessEditor();
    await editor.open(1);
    editor.tools.setBrushSize(1);
    expect(editor.modes.mode).toBe('idle');
    expect(editor.press(0, { x: 2.5, y: 3.5 }, false)).toBe('draw');
    expect(editor.modes.mode).toBe('drawing');
    editor.pointerMove([{ x: 3.5, y: 3.5 }]);
    editor.release({ x: 4.5, y: 3.5 });
    expect(editor.modes.mode).toBe('idle');
    expect([valueAt(editor, 2, 3), valueAt(editor, 3, 3), valueAt(editor, 4, 3)]).toEqual([0, 0, 0]);
    expect(painted(editor)).toBe(3);
    editor.undo();
    expect(painted(editor)).toBe(0);
    expect(editor.canRedo).toBe(true);
  });

  it('pans while Space is held (no paint), then the brush paints again', async () => {
    const { editor } = headlessEditor();
    await editor.open(1);
    editor.tools.setBrushSize(1);
    expect(keydown(editor, ' ')).toBe(true);
    expect(editor.modes.mode).toBe('panning');
    expect(editor.press(0, { x: 1.5, y: 1.5 }, false)).toBe('pan');
    editor.pointerMove([{ x: 5.5, y: 1.5 }]);
    editor.release({ x: 5.5, y: 1.5 });
    expect(painted(editor)).toBe(0);
    expect(editorKeyup(editor, { key: ' ', target: null } as KeyboardEvent)).toBe(true);
    expect(editor.modes.mode).toBe('idle');
    expect(editor.tools.name).toBe('brush');
    stroke(editor, [[1, 1]]);
    expect(painted(editor)).toBe(1);
  });

  it('Escape cancels a polygon in progress and leaves the map as it was', async () => {
    const { editor } = headlessEditor();
    await editor.open(1);
    expect(keydown(editor, 'p')).toBe(true);
    expect(editor.tools.name).toBe('polygon');
    for (const [x, y] of [
      [1, 1],
      [10, 1],
      [10, 8],
    ]) {
      editor.press(0, { x, y }, false);
      editor.release({ x, y });
    }
    expect(editor.modes.mode).toBe('drawing');
    // Space pans over the polygon; releasing it returns to the polygon.
    keydown(editor, ' ');
    expect(editor.modes.mode).toBe('panning');
    editorKeyup(editor, { key: ' ', target: null } as KeyboardEvent);
    expect(editor.modes.mode).toBe('drawing');
    expect(keydown(editor, 'Escape')).toBe(true);
    expect(editor.modes.mode).toBe('idle');
    expect(painted(editor)).toBe(0);
    expect(editor.canUndo).toBe(false);
    expect(keydown(editor, 'Escape')).toBe(false); // nothing left to cancel: the key is not used
  });

  it('Enter closes a polygon in progress and fills it as one undo step', async () => {
    const { editor } = headlessEditor();
    await editor.open(1);
    editor.view.zoom = 10; // so that the clicks are far apart on screen: none closes the polygon
    editor.tools.set('polygon');
    for (const [x, y] of [
      [0, 0],
      [4, 0],
      [4, 4],
      [0, 4],
    ]) {
      editor.press(0, { x, y }, false);
      editor.release({ x, y });
    }
    expect(keydown(editor, 'Enter')).toBe(true);
    expect(editor.modes.mode).toBe('idle');
    // Pixel centres inside the square (0,0)-(4,4): columns and rows 0..3.
    expect(painted(editor)).toBe(16);
    expect(editor.canUndo).toBe(true);
  });

  it('a prediction that runs is "running" until Escape, its failure "previewing" until Escape; a stroke drops it', async () => {
    const { editor } = headlessEditor();
    await editor.open(1);
    editor.tools.setBrushSize(1);
    // No app bridge here: predict.image fails, and the panel shows why until dismissed.
    editor.showPrediction();
    expect(editor.modes.mode).toBe('running');
    await vi.waitFor(() => expect(editor.preview.phase).toBe('failed'));
    expect(editor.modes.mode).toBe('previewing');
    expect(keydown(editor, 'Enter')).toBe(false); // nothing to accept
    expect(keydown(editor, 'Escape')).toBe(true);
    expect(editor.preview.phase).toBe('idle');
    expect(editor.modes.mode).toBe('idle');

    editor.showPrediction();
    expect(keydown(editor, 'Escape')).toBe(true); // stops the run
    expect(editor.modes.mode).toBe('idle');
    expect(editor.notice).toBe('Prediction cancelled.');
    await new Promise((r) => setTimeout(r, 0));
    expect(editor.preview.phase).toBe('idle'); // its late answer is ignored

    editor.showPrediction();
    expect(editor.modes.mode).toBe('running');
    stroke(editor, [[6, 6]]);
    expect(editor.preview.phase).toBe('idle');
    expect(editor.modes.mode).toBe('idle');
    expect(painted(editor)).toBe(1);
  });

  it('the picker picks with a click and goes back to the paint tool, without dropping a preview', async () => {
    const { editor } = headlessEditor();
    await editor.open(1);
    editor.tools.setBrushSize(1);
    editor.project.classes.select(2); // sky
    stroke(editor, [[3, 3]]);
    editor.project.classes.select(1);
    editor.tools.set('eraser');
    editor.tools.set('picker');
    editor.showPrediction();
    editor.press(0, { x: 3.5, y: 3.5 }, false);
    editor.release({ x: 3.5, y: 3.5 });
    expect(editor.project.classes.selectedId).toBe(2);
    expect(editor.tools.name).toBe('eraser');
    expect(editor.modes.mode).toBe('running');
  });

  it('switching images in the middle of a stroke commits it (one undo step) and ends drawing', async () => {
    const { editor } = headlessEditor();
    await editor.open(1);
    editor.tools.setBrushSize(1);
    editor.press(0, { x: 1.5, y: 1.5 }, false);
    editor.pointerMove([{ x: 2.5, y: 1.5 }]);
    expect(editor.modes.mode).toBe('drawing');
    await editor.open(2);
    expect(editor.modes.mode).toBe('idle');
    editor.release({ x: 7.5, y: 7.5 }); // the release lands on the other image: nothing painted there
    expect(painted(editor)).toBe(0);
    await editor.open(1);
    expect(painted(editor)).toBe(2);
    editor.undo();
    expect(painted(editor)).toBe(0);
  });
  it('moving to another image drops a running prediction without a word, and a polygon not closed', async () => {
    const { editor } = headlessEditor();
    await editor.open(1);
    editor.view.zoom = 10;
    editor.tools.set('polygon');
    for (const [x, y] of [
      [1, 1],
      [9, 1],
      [9, 9],
    ]) {
      editor.press(0, { x, y }, false);
      editor.release({ x, y });
    }
    expect(editor.modes.mode).toBe('drawing');
    await editor.open(2);
    expect(editor.modes.mode).toBe('idle');
    await editor.open(1);
    expect(painted(editor)).toBe(0);
    expect(editor.canUndo).toBe(false);

    editor.showPrediction();
    expect(editor.modes.mode).toBe('running');
    await editor.open(2);
    expect(editor.modes.mode).toBe('idle');
    expect(editor.notice).toBeNull();
  });
});

describe('per-image maps and undo histories', () => {
  it('keeps each image its map and history while moving between images, loading each once', async () => {
    const { editor, loads } = headlessEditor(3);
    await editor.open(1);
    editor.tools.setBrushSize(1);
    stroke(editor, [[0, 0]]);
    stroke(editor, [[1, 0]]);
    await editor.open(2);
    expect(editor.canUndo).toBe(false);
    stroke(editor, [[W - 1, H - 1]]);
    editor.undo();
    expect(editor.canRedo).toBe(true);

    await editor.open(1);
    expect([valueAt(editor, 0, 0), valueAt(editor, 1, 0)]).toEqual([0, 0]);
    expect(editor.canUndo).toBe(true);
    expect(editor.canRedo).toBe(false);
    editor.undo();
    expect([valueAt(editor, 0, 0), valueAt(editor, 1, 0)]).toEqual([0, UNLABELED]);

    await editor.open(2);
    expect(painted(editor)).toBe(0);
    expect(editor.canRedo).toBe(true);
    editor.redo();
    expect(valueAt(editor, W - 1, H - 1)).toBe(0);

    await editor.open(1);
    editor.redo();
    expect(painted(editor)).toBe(2);
    expect([...loads.entries()]).toEqual([
      [1, 1],
      [2, 1],
    ]);
  });

  it('a deleted class drops every cached map: each image is loaded again', async () => {
    const { editor, loads } = headlessEditor();
    editor.classesChanged([0, 1]);
    await editor.open(1);
    await editor.open(2);
    editor.classesChanged([0]);
    await vi.waitFor(() => expect(loads.get(2)).toBe(2));
    await editor.open(1);
    expect(loads.get(1)).toBe(2);
  });
});

describe('class keys (issue 25)', () => {
  it('pick the class by its number with no class panel mounted, and paint with it', async () => {
    const { editor } = headlessEditor();
    await editor.open(1);
    editor.tools.setBrushSize(1);
    // The headless editor has no class list component: the keys belong to the editor itself.
    expect(keydown(editor, '2')).toBe(true);
    expect(editor.selectedClass?.name).toBe('sky');
    stroke(editor, [[4, 4]]);
    expect(valueAt(editor, 4, 4)).toBe(1);
    expect(keydown(editor, '1')).toBe(true);
    expect(editor.selectedClass?.name).toBe('road');
    // A number with no class stays unused, and the class stays.
    expect(keydown(editor, '9')).toBe(false);
    expect(editor.selectedClass?.name).toBe('road');
  });
});

describe('the Label next list (issue 25)', () => {
  it('closes with Escape (leaving a preview alone) and when another image opens', async () => {
    const { editor } = headlessEditor();
    await editor.open(1);
    editor.view.labelNextOpen = true;
    expect(keydown(editor, 'Escape')).toBe(true);
    expect(editor.view.labelNextOpen).toBe(false);
    editor.view.labelNextOpen = true;
    await editor.open(2);
    expect(editor.view.labelNextOpen).toBe(false);
  });
});
