/**
 * The editor's keyboard map and the help dialog's list of it. The tool keys come from the tool
 * registry (tools/registry.ts); Enter and Escape go to the current mode (modes.svelte.ts: accept or
 * discard a preview, cancel a run, close or cancel a polygon). Keys are ignored while the user types
 * in a text field or a dialog is open (the help overlay excepted).
 */
import type { EditorState } from './editor.svelte';
import { TOOLS } from './tools/registry';

export interface Shortcut {
  /** As the help dialog prints them. */
  keys: string[];
  action: string;
  /** The `KeyboardEvent.key` values (letters in lower case) that run it, when this table handles them. */
  on?: string[];
  /** Returns false when the key is not used after all (it then does what it would elsewhere). */
  run?: (editor: EditorState, key: string) => boolean | void;
}

/** While an edit is in progress (a polygon between clicks) the arrows leave the image alone. */
const unlessDrawing = (editor: EditorState, delta: 1 | -1) => !editor.tools.current.busy && editor.nav.step(delta);

/** The class keys: 1 to 9, then 0 for the tenth class. */
export const CLASS_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'];

/**
 * Every shortcut, grouped as the help dialog shows them. The entries with `on` are the ones the
 * handler runs from here; the rest are handled elsewhere (modifiers, Space, Enter/Escape by the mode
 * machine, the wheel by the canvas) and listed for the help.
 */
export const SHORTCUTS: { title: string; items: Shortcut[] }[] = [
  {
    title: 'Tools',
    items: [
      ...TOOLS.map((t): Shortcut => ({
        keys: [t.key],
        action: t.help,
        on: [t.key.toLowerCase()],
        run: (editor) => editor.tools.set(t.name),
      })),
      {
        keys: ['[', ']'],
        action: 'Smaller / larger brush',
        on: ['[', ']'],
        run: (editor, key) => editor.tools.stepBrush(key === ']' ? 1 : -1),
      },
      {
        keys: ['U'],
        action: 'Paint only unlabeled pixels (on/off)',
        on: ['u'],
        run: ({ tools }) => void (tools.protectLabels = !tools.protectLabels),
      },
      { keys: ['Esc'], action: 'Cancel the polygon being drawn' },
    ],
  },
  {
    title: 'Classes and view',
    items: [
      {
        keys: ['1 … 9', '0'],
        action: 'Choose class 1–9, 10',
        on: CLASS_KEYS,
        // Here, not in the class panel: the keys work whether the panel is shown or folded away.
        run: (editor, key) => editor.project.classes.selectByKey(key),
      },
      {
        keys: ['H'],
        action: 'Show / hide the label overlay',
        on: ['h'],
        run: ({ view }) => void (view.overlayVisible = !view.overlayVisible),
      },
      { keys: ['V'], action: 'Class colours / provenance view', on: ['v'], run: ({ view }) => view.toggleMode() },
      { keys: ['Space + drag'], action: 'Pan (or drag with the middle button)' },
      { keys: ['Wheel'], action: 'Zoom about the cursor' },
      { keys: ['Home'], action: 'Fit the image in the window', on: ['Home'], run: (editor) => editor.canvas?.fit() },
    ],
  },
  {
    title: 'Fill unlabeled',
    items: [
      {
        keys: ['G'],
        action: 'Fill unlabeled pixels from the strokes (a preview)',
        on: ['g'],
        run: (editor) => editor.fillUnlabeled(),
      },
      { keys: ['Enter'], action: 'Accept the fill preview (one undo step)' },
      { keys: ['Esc'], action: 'Discard the preview, or cancel a running fill' },
    ],
  },
  {
    title: 'Prediction',
    items: [
      {
        keys: ['M'],
        action: "Show the model's prediction for the unlabeled pixels (a preview)",
        on: ['m'],
        run: (editor) => editor.showPrediction(),
      },
      { keys: ['Enter'], action: 'Accept the prediction (one undo step)' },
      { keys: ['Esc'], action: 'Discard the prediction' },
    ],
  },
  {
    title: 'Edit and navigate',
    items: [
      { keys: ['Ctrl+Z'], action: 'Undo' },
      { keys: ['Ctrl+Shift+Z', 'Ctrl+Y'], action: 'Redo' },
      {
        keys: ['PgDn', '.', '→'],
        action: 'Next image',
        on: ['PageDown', '.', 'ArrowRight'],
        run: (editor, key) => (key === 'ArrowRight' ? unlessDrawing(editor, 1) : editor.nav.step(1)),
      },
      {
        keys: ['PgUp', ',', '←'],
        action: 'Previous image',
        on: ['PageUp', ',', 'ArrowLeft'],
        run: (editor, key) => (key === 'ArrowLeft' ? unlessDrawing(editor, -1) : editor.nav.step(-1)),
      },
      {
        keys: ['R'],
        action: 'Mark reviewed, open the next image not reviewed yet',
        on: ['r'],
        run: (editor) => editor.nav.reviewNext(),
      },
      { keys: ['?'], action: 'This help' },
    ],
  },
];

/** The shortcut each key runs (each key runs one at most: tests/renderer check it). */
export const SHORTCUT_BY_KEY: ReadonlyMap<string, Shortcut> = new Map(
  SHORTCUTS.flatMap((g) => g.items).flatMap((item) => (item.on ?? []).map((k) => [k, item] as const)),
);

const TEXT_INPUTS = new Set(['text', 'search', 'email', 'number', 'password', 'url', 'tel', '']);

/** True when the key belongs to a text field (range sliders and checkboxes do not count). */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el?.closest) return false;
  if (el.closest('textarea, select, [contenteditable="true"]')) return true;
  return el instanceof HTMLInputElement && TEXT_INPUTS.has(el.type);
}

/** Handles a keydown for the editor; returns whether it was used (and so should not do anything else). */
export function editorKeydown(editor: EditorState, e: KeyboardEvent): boolean {
  if (isTyping(e.target)) return releaseField(editor, e);
  const view = editor.view;
  if (e.key === '?') {
    view.helpOpen = !view.helpOpen;
    return true;
  }
  if (view.helpOpen || document.querySelector('dialog[open]')) return false;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (e.ctrlKey || e.metaKey) {
    if (e.altKey) return false;
    if (key === 'z' && !e.shiftKey) editor.undo();
    else if ((key === 'z' && e.shiftKey) || key === 'y') editor.redo();
    else return false;
    return true;
  }
  if (e.altKey) return false;
  if (key === ' ') {
    editor.spaceDown();
    return true;
  }
  if (e.repeat && !['[', ']'].includes(key)) return false;
  // Arrows, Home and page keys belong to a focused slider or field.
  if (/^(Arrow|Page|Home)/.test(key) && (e.target as HTMLElement | null)?.closest?.('input, select')) return false;
  if (key === 'Escape' && view.labelNextOpen) {
    view.labelNextOpen = false;
    return true;
  }
  if (key === 'Enter' || key === 'Escape') return editor.modes.key(key); // accept, discard, cancel, close a polygon
  const shortcut = SHORTCUT_BY_KEY.get(key);
  return shortcut?.run ? shortcut.run(editor, key) !== false : false;
}

/**
 * Enter or Escape in one of the editor's own fields (brush size, thresholds) ends the typing: the field
 * commits (Enter; a field reverts itself on Escape) and the keys go back to the canvas, so the next
 * number key picks a class instead of editing the field. Fields in dialogs keep their keys.
 */
function releaseField(editor: EditorState, e: KeyboardEvent): boolean {
  const el = e.target as HTMLElement;
  if ((e.key !== 'Enter' && e.key !== 'Escape') || e.isComposing) return false;
  if (!el.closest('[data-editor-field-scope]') || el.closest('dialog, [role="dialog"]')) return false;
  el.blur();
  editor.canvas?.focus();
  return true;
}

export function editorKeyup(editor: EditorState, e: KeyboardEvent): boolean {
  if (e.key !== ' ') return false;
  editor.modes.spaceUp();
  return !isTyping(e.target);
}
