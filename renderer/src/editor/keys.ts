/**
 * The editor's keyboard map: one table drives both the handler and the help overlay. Keys are
 * ignored while the user types in a text field or a dialog is open (the help overlay excepted).
 */
import type { EditorState } from './editor.svelte';

export interface Shortcut {
  keys: string[];
  action: string;
}

export const SHORTCUTS: { title: string; items: Shortcut[] }[] = [
  {
    title: 'Tools',
    items: [
      { keys: ['B'], action: 'Brush' },
      { keys: ['E'], action: 'Eraser (back to unlabeled)' },
      { keys: ['F'], action: 'Flood fill (the region of one class)' },
      { keys: ['W'], action: 'Magic wand: fill similar colours (tolerance in the toolbar)' },
      { keys: ['S'], action: 'Superpixel brush: paints whole superpixels' },
      { keys: ['P'], action: 'Polygon: click points, double-click or Enter closes; or drag a lasso' },
      { keys: ['I'], action: 'Pick the class under the cursor (also Alt+click)' },
      { keys: ['[', ']'], action: 'Smaller / larger brush' },
      { keys: ['U'], action: 'Paint only unlabeled pixels (on/off)' },
      { keys: ['Esc'], action: 'Cancel the polygon being drawn' },
    ],
  },
  {
    title: 'Classes and view',
    items: [
      { keys: ['1 … 9', '0'], action: 'Choose class 1–9, 10' },
      { keys: ['H'], action: 'Show / hide the label overlay' },
      { keys: ['V'], action: 'Class colours / provenance view' },
      { keys: ['Space + drag'], action: 'Pan (or drag with the middle button)' },
      { keys: ['Wheel'], action: 'Zoom about the cursor' },
      { keys: ['Home'], action: 'Fit the image in the window' },
    ],
  },
  {
    title: 'Fill unlabeled',
    items: [
      { keys: ['G'], action: 'Fill unlabeled pixels from the strokes (a preview)' },
      { keys: ['Enter'], action: 'Accept the fill preview (one undo step)' },
      { keys: ['Esc'], action: 'Discard the preview, or cancel a running fill' },
    ],
  },
  {
    title: 'Prediction',
    items: [
      { keys: ['M'], action: "Show the model's prediction for the unlabeled pixels (a preview)" },
      { keys: ['Enter'], action: 'Accept the prediction (one undo step)' },
      { keys: ['Esc'], action: 'Discard the prediction' },
    ],
  },
  {
    title: 'Edit and navigate',
    items: [
      { keys: ['Ctrl+Z'], action: 'Undo' },
      { keys: ['Ctrl+Shift+Z', 'Ctrl+Y'], action: 'Redo' },
      { keys: ['PgDn', '.', '→'], action: 'Next image' },
      { keys: ['PgUp', ',', '←'], action: 'Previous image' },
      { keys: ['R'], action: 'Mark reviewed, open the next image not reviewed yet' },
      { keys: ['?'], action: 'This help' },
    ],
  },
];

const TEXT_INPUTS = new Set(['text', 'search', 'email', 'number', 'password', 'url', 'tel', '']);

/** True when the key belongs to a text field (range sliders and checkboxes do not count). */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el?.closest) return false;
  if (el.closest('textarea, select, [contenteditable="true"]')) return true;
  return el instanceof HTMLInputElement && TEXT_INPUTS.has(el.type);
}

const TOOL_KEYS = {
  b: 'brush',
  e: 'eraser',
  f: 'fill',
  w: 'wand',
  s: 'superpixel',
  p: 'polygon',
  i: 'picker',
} as const;

/** Handles a keydown for the editor; returns whether it was used (and so should not do anything else). */
export function editorKeydown(editor: EditorState, e: KeyboardEvent): boolean {
  if (isTyping(e.target)) return releaseField(editor, e);
  if (e.key === '?') {
    editor.helpOpen = !editor.helpOpen;
    return true;
  }
  if (editor.helpOpen || document.querySelector('dialog[open]')) return false;
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
    editor.spaceHeld = true;
    editor.pointerLeave();
    return true;
  }
  if (e.repeat && !['[', ']'].includes(key)) return false;
  const busy = editor.currentTool.busy;
  const preview = editor.preview;
  // Arrows, Home and page keys belong to a focused slider or field.
  if (/^(Arrow|Page|Home)/.test(key) && (e.target as HTMLElement | null)?.closest?.('input, select')) return false;
  // While a fill or prediction is previewed or running, Enter and Esc belong to it.
  if (key === 'Enter' && preview.phase === 'preview') preview.accept();
  else if (key === 'Escape' && preview.active) preview.discard();
  else if (key === 'g') editor.fillUnlabeled();
  else if (key === 'r') editor.reviewNext();
  else if (key === 'm') editor.showPrediction();
  else if (key in TOOL_KEYS) editor.setTool(TOOL_KEYS[key as keyof typeof TOOL_KEYS]);
  else if (key === '[' || key === ']') editor.stepBrush(key === ']' ? 1 : -1);
  else if (key === 'u') editor.protectLabels = !editor.protectLabels;
  else if (key === 'h') editor.overlayVisible = !editor.overlayVisible;
  else if (key === 'v') editor.mode = editor.mode === 'class' ? 'provenance' : 'class';
  else if (key === 'Home') editor.fit();
  else if (key === 'Escape') return editor.cancelTool();
  else if (key === 'Enter') return editor.toolKey('Enter');
  else if (key === 'PageDown' || key === '.' || (key === 'ArrowRight' && !busy)) editor.step(1);
  else if (key === 'PageUp' || key === ',' || (key === 'ArrowLeft' && !busy)) editor.step(-1);
  else return false;
  return true;
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
  editor.focusCanvas();
  return true;
}

export function editorKeyup(editor: EditorState, e: KeyboardEvent): boolean {
  if (e.key !== ' ') return false;
  editor.spaceHeld = false;
  return !isTyping(e.target);
}
