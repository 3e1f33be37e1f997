/**
 * Opening a large image (issue 25, item 3: a 24 MP image showed "Loading…" for 17 s): a preview
 * reduced to the screen is shown first, the original replaces it once decoded, and Fill waits for the
 * original (the tools read its pixels). Small images open with their original, as before.
 */
import { describe, expect, it, vi } from 'vitest';
import { UNLABELED } from '../../../core/labelmap';
import type { ImageSummary } from '../../../core/ipc/contract';
import { EditorState, PREVIEW_FROM_PIXELS } from '../../../renderer/src/editor/editor.svelte';
import type { EditorIO } from '../../../renderer/src/editor/editor.svelte';
import { ImageSession } from '../../../renderer/src/editor/session';
import { ProjectState } from '../../../renderer/src/state/project.svelte';
import { CLASSES, FakeStage } from './fakes';

const W = 3000;
const H = 2000; // 6 MP: over PREVIEW_FROM_PIXELS

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const bitmap = (width: number, height: number) => ({ width, height, close: () => {} }) as ImageBitmap;

function largeEditor(width = W, height = H) {
  const project = new ProjectState();
  project.classes.list = CLASSES;
  project.classes.select(1);
  project.images = [{ id: 1, name: 'big.jpg', width, height, status: 'todo' } as ImageSummary];
  const original = deferred<ImageBitmap>();
  const previews: number[] = [];
  const io: EditorIO = {
    loadSession: async (id) =>
      new ImageSession(
        id,
        {
          width,
          height,
          classes: new Uint8Array(width * height).fill(UNLABELED),
          provenance: new Uint8Array(width * height),
        },
        0,
      ),
    loadPhoto: () => original.promise,
    loadPreview: async (_id, maxSide) => {
      previews.push(maxSide);
      return bitmap(Math.round(maxSide), Math.round((maxSide * height) / width));
    },
    overlay: () => ({ canvas: {} as HTMLCanvasElement, setStyle: () => {}, redraw: () => {} }),
  };
  const editor = new EditorState(project, io);
  const stage = new FakeStage();
  editor.attach(stage);
  return { editor, stage, original, previews };
}

describe('opening a large image', () => {
  it('shows the preview at once, then the original in its place', async () => {
    expect(W * H).toBeGreaterThan(PREVIEW_FROM_PIXELS);
    const { editor, stage, original, previews } = largeEditor();
    // open() settles once the original is shown; the first view comes before.
    const opened = editor.open(1);
    await vi.waitFor(() => expect(editor.loading).toBe(false));
    expect(editor.sharpening).toBe(true);
    expect(previews).toEqual([1200]); // the stage's longer side (device pixel ratio 1)
    expect(editor.photoShown?.width).toBe(1200);
    expect(stage.calls).toContain('show');
    expect(stage.calls).not.toContain('setPhoto');
    const full = bitmap(W, H);
    original.resolve(full);
    await opened;
    expect(stage.calls.filter((c) => c === 'setPhoto')).toHaveLength(1);
    expect(editor.photoShown).toBe(full);
    expect(editor.sharpening).toBe(false);
  });

  it('fills only once the original is decoded', async () => {
    const { editor, original } = largeEditor();
    const opened = editor.open(1);
    await vi.waitFor(() => expect(editor.loading).toBe(false));
    editor.fillUnlabeled();
    expect(editor.notice).toBe('Decoding the full image first…');
    expect(editor.preview.phase).toBe('idle');
    original.resolve(bitmap(W, H));
    await opened;
    await new Promise((r) => setTimeout(r, 0));
    // Fill ran on the original: with nothing painted, it says what to do first.
    expect(editor.notice).toMatch(/^Paint at least one stroke first/);
  });

  it('opens an image of at most PREVIEW_FROM_PIXELS with its original alone', async () => {
    const { editor, stage, original, previews } = largeEditor(2000, 2000);
    const opened = editor.open(1);
    const full = bitmap(2000, 2000);
    original.resolve(full);
    await opened;
    expect(previews).toEqual([]);
    expect(editor.photoShown).toBe(full);
    expect(stage.calls).not.toContain('setPhoto');
  });
});
