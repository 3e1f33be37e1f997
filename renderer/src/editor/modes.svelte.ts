/**
 * The editor's modes as one state machine (as tldraw's tools are): which of them holds the pointer and
 * the Enter and Escape keys.
 *
 * - idle: the tool waits for a press;
 * - drawing: the tool has an edit in progress (a stroke while the button is down, a polygon between
 *   clicks); Escape cancels it, Enter goes to the tool (closes a polygon);
 * - panning: Space is held or the middle button drags; presses move the view; when it ends the editor
 *   is back in the mode underneath (a polygon in progress, a preview);
 * - running: Fill unlabeled or Predict computes; Escape cancels;
 * - previewing: a result (or a failure) is shown; Enter accepts, Escape discards.
 *
 * Two regions make the mode: the pointer's (pressed to draw or to pan, Space held), kept here, and the
 * preview job's phase, kept by its controller and only read here. Starting to draw over a running or
 * previewed job drops it (the labels it was computed from change): `edit()`; leaving the map ends the
job and the tool's edit: `leave()`.
 */
import type { Tool } from './tools/tool';

export type Mode = 'idle' | 'drawing' | 'panning' | 'running' | 'previewing';

/** A preview controller (Fill unlabeled, Predict) as the machine sees it. */
export interface PreviewJob {
  readonly phase: 'idle' | 'running' | 'preview' | 'failed';
  /** Writes the preview into the labels (one undo step). */
  accept(): void;
  /** Stops a run, or throws a preview (or a failure shown) away. */
  discard(): void;
}

export interface ModeHost {
  /** The current tool. */
  tool(): Tool;
  /** The preview job that is not idle, if any. */
  job(): PreviewJob | null;
  /**
   * Drops a running, previewed or failed job. `edited`: the labels are about to change under it (the
   * status line says so); else the editor moves on (another image, the stored map reloaded).
   */
  dropJob(edited: boolean): void;
}

/** What a press does: draws with the tool, pans the view, or nothing (another button). */
export type Press = 'draw' | 'pan';

const MIDDLE_BUTTON = 1;

type KeyHandler = (tool: Tool, job: PreviewJob | null) => boolean;

/** Enter and Escape per mode (panning hands them to the mode underneath). */
const KEYS: Record<Exclude<Mode, 'panning'>, Partial<Record<'Enter' | 'Escape', KeyHandler>>> = {
  idle: { Enter: (tool) => tool.key('Enter') },
  drawing: {
    Enter: (tool) => tool.key('Enter'),
    Escape: (tool) => (tool.cancel(), true),
  },
  running: {
    Enter: (tool) => tool.key('Enter'),
    Escape: (_, job) => (job?.discard(), true),
  },
  previewing: {
    // A failure shown has nothing to accept: Enter is the tool's.
    Enter: (tool, job) => (job?.phase === 'preview' ? (job.accept(), true) : tool.key('Enter')),
    Escape: (_, job) => (job?.discard(), true),
  },
};

export class ModeMachine {
  /** Space is held: presses pan. */
  space = $state(false);
  /** The button held down, and what its press does (null: none). */
  pressed = $state<Press | null>(null);

  constructor(private readonly host: ModeHost) {}

  get mode(): Mode {
    if (this.pressed === 'pan' || (this.space && this.pressed !== 'draw')) return 'panning';
    return this.underlying;
  }

  /** The mode without panning: where the editor returns when Space or the middle button is released. */
  get underlying(): Exclude<Mode, 'panning'> {
    if (this.host.tool().busy) return 'drawing';
    const phase = this.host.job()?.phase;
    if (phase === 'running') return 'running';
    if (phase === 'preview' || phase === 'failed') return 'previewing';
    return 'idle';
  }

  /**
   * A button went down. Middle, or left with Space held: pans. Left: draws (the caller hands the press to
   * the tool). A press while another is held, or of another button, does nothing.
   */
  press(button: number): Press | null {
    if (this.pressed) return null;
    if (button === MIDDLE_BUTTON || (button === 0 && this.space)) return (this.pressed = 'pan');
    if (button !== 0) return null;
    return (this.pressed = 'draw');
  }

  /**
   * The labels are about to change (a stroke starts, undo, redo): a running or previewed job was
   * computed from the labels as they were, so it goes.
   */
  edit(): void {
    const phase = this.host.job()?.phase ?? 'idle';
    if (phase !== 'idle') this.host.dropJob(true);
  }

  /**
   * The editor moves on from the map (another image, the stored map reloaded, classes removed): the job
   * goes without a word, and the tool's edit in progress is committed (`finish`: a stroke is kept as one
   * undo step, a polygon not closed yet is dropped) or cancelled (`cancel`: the map is being replaced).
   */
  leave(edit: 'finish' | 'cancel'): void {
    if (this.host.job()) this.host.dropJob(false);
    const tool = this.host.tool();
    if (edit === 'finish') tool.finish();
    else tool.cancel();
  }

  /** The button went up: what its press was (the caller ends the stroke or the pan). */
  release(): Press | null {
    const was = this.pressed;
    this.pressed = null;
    return was;
  }

  spaceDown(): void {
    this.space = true;
  }

  spaceUp(): void {
    this.space = false;
  }

  /** Enter or Escape: the current mode's action; returns whether the key was used. */
  key(key: string): boolean {
    if (key !== 'Enter' && key !== 'Escape') return false;
    const handler = KEYS[this.underlying][key];
    return handler ? handler(this.host.tool(), this.host.job()) : false;
  }
}
