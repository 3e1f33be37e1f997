/** A headless label editor: the real EditorState with a fake stage, photo decoder and overlay canvas. */
import { UNLABELED } from '../../../core/labelmap';
import type { ClassInfo, ImageSummary } from '../../../core/ipc/contract';
import { EditorState } from '../../../renderer/src/editor/editor.svelte';
import type { EditorIO, StageView } from '../../../renderer/src/editor/editor.svelte';
import { ImageSession } from '../../../renderer/src/editor/session';
import { ProjectState } from '../../../renderer/src/state/project.svelte';

export const W = 16;
export const H = 12;

export const CLASSES: ClassInfo[] = [
  { id: 1, value: 0, name: 'road', color: '#ff0000', position: 0, weightOverride: null },
  { id: 2, value: 1, name: 'sky', color: '#0000ff', position: 1, weightOverride: null },
];

/** Records what the editor asks of the stage, by method name. */
export class FakeStage implements StageView {
  readonly calls: string[] = [];
  onview: StageView['onview'] = () => {};
  private record(name: string) {
    this.calls.push(name);
  }
  show() {
    this.record('show');
  }
  setPhoto() {
    this.record('setPhoto');
  }
  /** The stage's size in CSS pixels. */
  screen = { width: 1200, height: 800 };
  size() {
    return this.screen;
  }
  clear() {
    this.record('clear');
  }
  labelsChanged() {
    this.record('labelsChanged');
  }
  showPreview() {
    this.record('showPreview');
  }
  previewChanged() {
    this.record('previewChanged');
  }
  showSuperpixels() {
    this.record('showSuperpixels');
  }
  setOverlay() {
    this.record('setOverlay');
  }
  setAdjust() {
    this.record('setAdjust');
  }
  fit() {
    this.record('fit');
  }
  centerOn() {
    this.record('centerOn');
  }
  showBrush() {
    this.record('showBrush');
  }
  hideBrush() {
    this.record('hideBrush');
  }
  preview() {
    this.record('preview');
  }
  focus() {
    this.record('focus');
  }
}

export interface Headless {
  editor: EditorState;
  stage: FakeStage;
  /** How often each image's labels were loaded from "the database". */
  loads: Map<number, number>;
}

/** An editor over images 1..count (W x H, all unlabeled), class "road" selected. */
export function headlessEditor(count = 2): Headless {
  const project = new ProjectState();
  project.classes.list = CLASSES;
  project.classes.select(1);
  project.images = Array.from(
    { length: count },
    (_, i) => ({ id: i + 1, name: `img${i + 1}.png`, width: W, height: H, status: 'todo' }) as ImageSummary,
  );
  const loads = new Map<number, number>();
  const io: EditorIO = {
    loadSession: async (id) => {
      loads.set(id, (loads.get(id) ?? 0) + 1);
      const map = {
        width: W,
        height: H,
        classes: new Uint8Array(W * H).fill(UNLABELED),
        provenance: new Uint8Array(W * H),
      };
      return new ImageSession(id, map, 0);
    },
    loadPhoto: async () => ({ width: W, height: H, close: () => {} }) as ImageBitmap,
    loadPreview: async () => {
      throw new Error('images this small open without a preview');
    },
    overlay: () => ({ canvas: {} as HTMLCanvasElement, setStyle: () => {}, redraw: () => {} }),
  };
  const editor = new EditorState(project, io);
  const stage = new FakeStage();
  editor.attach(stage);
  return { editor, stage, loads };
}

/** The class value at pixel (x, y) of the open image's map. */
export function valueAt(editor: EditorState, x: number, y: number): number {
  const map = editor.sessions.get(editor.imageId!)!.map;
  return map.classes[y * map.width + x]!;
}

/** Left-button stroke through pixel centres, pressed at the first and released at the last. */
export function stroke(editor: EditorState, pts: [number, number][]): void {
  const [first, ...rest] = pts.map(([x, y]) => ({ x: x + 0.5, y: y + 0.5 }));
  editor.press(0, first!, false);
  editor.pointerMove(rest);
  editor.release(rest[rest.length - 1] ?? first!);
}
