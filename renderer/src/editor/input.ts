/**
 * Pointer input on the canvas container: converts screen positions to image coordinates and feeds
 * the editor. What a press does (draw with the tool, pan) is the editor's mode machine's call
 * (modes.svelte.ts): left button paints with the current tool (Alt+click picks a class), middle button
 * or Space+drag pans, the wheel zooms about the pointer. Every coalesced move is used, so fast strokes
 * keep all their points.
 */
import type { EditorState } from './editor.svelte';
import type { EditorStage } from './stage';
import type { Point } from './viewport';

const WHEEL_ZOOM = 0.0015;

export function bindPointer(el: HTMLElement, editor: EditorState, stage: EditorStage): () => void {
  /** Where the last pan move was (screen coordinates, relative to the container). */
  let panFrom: Point | null = null;

  const local = (e: MouseEvent): Point => {
    const r = el.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const image = (e: MouseEvent): Point => {
    const p = local(e);
    return stage.toImage(p.x, p.y);
  };

  const ondown = (e: PointerEvent) => {
    if (editor.modes.pressed) return;
    el.focus({ preventScroll: true });
    const press = editor.press(e.button, image(e), e.altKey);
    if (!press) return;
    if (press === 'pan') panFrom = local(e);
    e.preventDefault();
    el.setPointerCapture(e.pointerId);
  };

  const onmove = (e: PointerEvent) => {
    const pressed = editor.modes.pressed;
    if (pressed === 'pan' && panFrom) {
      const p = local(e);
      stage.pan(p.x - panFrom.x, p.y - panFrom.y);
      panFrom = p;
      return;
    }
    const events = pressed === 'draw' && e.getCoalescedEvents ? e.getCoalescedEvents() : [];
    editor.pointerMove(events.length ? events.map(image) : [image(e)]);
  };

  const onup = (e: PointerEvent) => {
    if (editor.modes.pressed) editor.release(image(e));
    panFrom = null;
    if (el.hasPointerCapture(e.pointerId)) el.releasePointerCapture(e.pointerId);
  };

  const onwheel = (e: WheelEvent) => {
    e.preventDefault();
    const p = local(e);
    const delta = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
    stage.zoomAbout(p.x, p.y, Math.exp(-delta * WHEEL_ZOOM));
    editor.pointerMove([stage.toImage(p.x, p.y)]);
  };

  const onleave = () => {
    if (!editor.modes.pressed) editor.pointerLeave();
  };
  const oncontext = (e: Event) => e.preventDefault();

  el.addEventListener('pointerdown', ondown);
  el.addEventListener('pointermove', onmove);
  el.addEventListener('pointerup', onup);
  el.addEventListener('pointercancel', onup);
  el.addEventListener('pointerleave', onleave);
  el.addEventListener('wheel', onwheel, { passive: false });
  el.addEventListener('contextmenu', oncontext);
  return () => {
    el.removeEventListener('pointerdown', ondown);
    el.removeEventListener('pointermove', onmove);
    el.removeEventListener('pointerup', onup);
    el.removeEventListener('pointercancel', onup);
    el.removeEventListener('pointerleave', onleave);
    el.removeEventListener('wheel', onwheel);
    el.removeEventListener('contextmenu', oncontext);
  };
}
