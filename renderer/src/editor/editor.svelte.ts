/**
 * The label editor: the open image and its parts, wired together.
 * - `sessions` (sessions.ts): one `ImageSession` (map + undo history) per visited image, kept while
 *   switching images;
 * - `modes` (modes.svelte.ts): idle, drawing, panning, running, previewing, and who gets Enter/Escape;
 * - `tools` (tools/controller.svelte.ts): the tool that is on and its settings;
 * - `view` (view.svelte.ts): overlay, colouring, adjustments, zoom, panels.
 * - `nav` (navigation.ts): the grid's order, next and previous, review status, the review pass;
 * - `saver` (autosave.svelte.ts) and `preview` (preview.svelte.ts): saving, Fill and Predict's previews.
 * The tools name no tool here: each is declared in its file and listed in tools/registry.ts.
 * Pointer and key input arrive here already in image coordinates (see input.ts, keys.ts); the Konva
 * stage is attached by `EditorCanvas.svelte` and driven imperatively. Everything but the stage, the
 * photo decoder and the overlay canvas runs headless (tests/renderer pass fakes for those, as `EditorIO`).
 */
import { untrack } from 'svelte';
import { classAt, machineShare, UNLABELED } from '../../../core/labelmap';
import type { EditEntry, LabelMap, Rect } from '../../../core/labelmap';
import { call, errorMessage } from '../lib/api';
import type { ProjectState } from '../state/project.svelte';
import { Autosaver } from './autosave.svelte';
import { ModeMachine } from './modes.svelte';
import { LabelOverlay } from './overlay';
import type { OverlayStyle } from './overlay';
import { ImageNavigation } from './navigation';
import { classPalette } from './palette';
import { loadPhoto, loadPreview } from './photo';
import { PreviewController } from './preview.svelte';
import type { PreviewHost, VisibleGrid } from './preview.svelte';
import { PREVIEW_SOURCES } from './previewSources';
import { ImageSession } from './session';
import { SessionCache } from './sessions';
import type { EditorStage } from './stage';
import { imageDiameter, ToolController } from './tools/controller.svelte';
import type { ToolContext } from './tools/tool';
import { ViewState } from './view.svelte';
import type { Point } from './viewport';

/** What the editor drives of the Konva stage (a fake one in the headless tests). */
export type StageView = Pick<
  EditorStage,
  | 'onview'
  | 'show'
  | 'setPhoto'
  | 'size'
  | 'clear'
  | 'labelsChanged'
  | 'showPreview'
  | 'previewChanged'
  | 'showSuperpixels'
  | 'setOverlay'
  | 'setAdjust'
  | 'fit'
  | 'centerOn'
  | 'showBrush'
  | 'hideBrush'
  | 'preview'
  | 'focus'
>;

/** The overlay canvas of the labels (see overlay.ts). */
export type Overlay = Pick<LabelOverlay, 'canvas' | 'setStyle' | 'redraw'>;

/** Where the editor gets an image's labels and pixels, and how it draws the labels. */
export interface EditorIO {
  loadSession(imageId: number): Promise<ImageSession>;
  loadPhoto(imageId: number): Promise<ImageBitmap>;
  /** The image reduced to fit `maxSide`, shown while a large original decodes (see PREVIEW_FROM_PIXELS). */
  loadPreview(imageId: number, maxSide: number): Promise<ImageBitmap>;
  overlay(map: LabelMap, style: OverlayStyle): Overlay;
}

const APP_IO: EditorIO = {
  loadSession: (id) => ImageSession.load(id),
  loadPhoto,
  loadPreview,
  overlay: (map, style) => new LabelOverlay(map, style),
};

/**
 * Images of more pixels than this open with a preview reduced to the screen (decoded in a fraction of a
 * second), and the original replaces it once decoded: a 24 MP original took seconds to show (issue 25).
 */
export const PREVIEW_FROM_PIXELS = 4_000_000;

export class EditorState {
  imageId = $state<number | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  /** A short hint, e.g. why a click did nothing. */
  notice = $state<string | null>(null);
  canUndo = $state(false);
  canRedo = $state(false);
  /** The photo on screen, for the minimap (null while loading): a large image's preview until its original decodes. */
  photoShown = $state.raw<ImageBitmap | null>(null);
  /** True while a large image shows its preview and its original still decodes. */
  sharpening = $state(false);
  /** Pixel under the pointer and its class name, for the status bar. */
  hover = $state<{ x: number; y: number; label: string } | null>(null);
  readonly saver: Autosaver;
  /** "Fill unlabeled" (G) and "Show prediction" (M): a preview to accept or discard. */
  readonly preview: PreviewController;
  readonly sessions = new SessionCache();
  readonly tools: ToolController;
  readonly modes: ModeMachine;
  readonly view = new ViewState();
  /** Next and previous in the grid's order, review status, the review pass. */
  readonly nav: ImageNavigation;

  private session: ImageSession | null = null;
  private overlay: Overlay | null = null;
  /** The decoded original (what the tools and Fill read); null while it decodes. */
  private photo: ImageBitmap | null = null;
  /** The open image's original, decoded or decoding (Fill waits for it). */
  private photoReady: Promise<ImageBitmap> | null = null;
  private stage: StageView | null = null;
  private openToken = 0;
  private context: ToolContext | null = null;
  private knownValues: Set<number> | null = null;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Where the pointer was last over the image (image coordinates). */
  private lastPointer: Point | null = null;

  constructor(
    readonly project: ProjectState,
    private readonly io: EditorIO = APP_IO,
  ) {
    this.saver = new Autosaver((s, labeledFraction) =>
      this.project.labelsSaved(s.imageId, labeledFraction, machineShare(s.map.provenance)),
    );
    const previewHost: PreviewHost = {
      current: () => (this.session && this.photo ? { session: this.session, photo: this.photo } : null),
      style: () => ({ palette: classPalette(this.project.classes.list), hidden: this.view.hiddenValues }),
      showPreview: (canvas, at) => this.stage?.showPreview(canvas, at),
      visible: () => this.visibleGrid(),
      previewChanged: () => this.stage?.previewChanged(),
      commit: (s, entry) => {
        this.redraw(entry.rect);
        this.push(s, entry);
        this.refreshRanking(s);
      },
      say: (text) => this.say(text),
    };
    this.preview = new PreviewController(previewHost, PREVIEW_SOURCES);
    this.tools = new ToolController(
      () => this.toolContext(),
      () => this.stage?.hideBrush(),
    );
    this.nav = new ImageNavigation(project, {
      current: () => this.imageId,
      open: (id) => void this.open(id),
      say: (text) => this.say(text),
    });
    this.modes = new ModeMachine({
      tool: () => this.tools.current,
      job: () => (this.preview.active ? this.preview : null),
      dropJob: (edited) => this.preview.abandon(edited),
    });
  }

  get image() {
    return this.project.images.find((i) => i.id === this.imageId) ?? null;
  }

  /** The brush's diameter in image pixels at the current zoom (see `imageDiameter`). */
  get brushDiameter(): number {
    return imageDiameter(this.tools.brushSize, this.view.zoom);
  }

  get selectedClass() {
    const { list, selectedId } = this.project.classes;
    return list.find((c) => c.id === selectedId) ?? null;
  }

  // ---- stage ----

  attach(stage: StageView): void {
    this.stage = stage;
    stage.onview = (v, width, height) => {
      this.view.zoom = v.scale;
      this.view.transform = { scale: v.scale, x: v.x, y: v.y, width, height };
    };
    this.present();
  }

  detach(): void {
    this.stage = null;
  }

  /** The stage attached (null before the canvas mounts): fit, centre on a point, take the keyboard back. */
  get canvas(): StageView | null {
    return this.stage;
  }

  // ---- images ----

  async open(imageId: number): Promise<void> {
    if (imageId === this.imageId && (this.session || this.loading)) return;
    this.leaveImage();
    const token = ++this.openToken;
    this.imageId = imageId;
    this.view.labelNextOpen = false; // its list was ranked for the image left
    this.loading = true;
    this.error = null;
    this.stage?.clear();
    this.photo?.close();
    this.photo = null;
    this.photoShown = null;
    const full = this.io.loadPhoto(imageId);
    this.photoReady = full;
    full.catch(() => {}); // awaited below, where its failure is said
    try {
      const [session, first] = await Promise.all([
        this.sessions.get(imageId) ?? this.io.loadSession(imageId),
        this.firstPhoto(imageId, full),
      ]);
      if (token !== this.openToken) {
        first.close();
        void full.then(
          (p) => p.close(),
          () => {},
        );
        return;
      }
      this.sessions.remember(session);
      this.session = session;
      this.context = null;
      this.photoShown = first;
      this.overlay = this.io.overlay(session.map, this.style());
      this.present();
      this.syncHistory();
      this.loading = false;
      const photo = await full;
      if (token !== this.openToken) {
        photo.close();
        return;
      }
      this.photo = photo;
      if (first !== photo) {
        this.stage?.setPhoto(photo);
        this.photoShown = photo;
        first.close();
      }
      this.tools.current.enter?.(); // what the tool prepares from the photo (the superpixels)
    } catch (err) {
      if (token === this.openToken) this.error = errorMessage(err);
    } finally {
      if (token === this.openToken) {
        this.loading = false;
        this.sharpening = false;
      }
    }
  }

  /**
   * The part of the open image on screen, about one sample per screen pixel, when that is under half
   * the image's pixels (a large image fitted, or zoomed in); null otherwise (computing it first would
   * gain nothing).
   */
  private visibleGrid(): VisibleGrid | null {
    const map = this.session?.map;
    const { scale, x, y, width, height } = this.view.transform;
    if (!map || !(scale > 0) || width <= 0 || height <= 0) return null;
    const x0 = Math.max(0, Math.floor(-x / scale));
    const y0 = Math.max(0, Math.floor(-y / scale));
    const x1 = Math.min(map.width, Math.ceil((width - x) / scale));
    const y1 = Math.min(map.height, Math.ceil((height - y) / scale));
    if (x1 <= x0 || y1 <= y0) return null;
    const step = Math.max(1, Math.floor(1 / (scale * (globalThis.devicePixelRatio || 1))));
    const samples = Math.ceil((x1 - x0) / step) * Math.ceil((y1 - y0) / step);
    if (samples * 2 > map.width * map.height) return null;
    return { x: x0, y: y0, width: x1 - x0, height: y1 - y0, step };
  }

  /**
   * What to show first: a large image's preview reduced to the screen (the original when the preview
   * fails), a smaller image's original.
   */
  private async firstPhoto(imageId: number, full: Promise<ImageBitmap>): Promise<ImageBitmap> {
    const img = this.project.images.find((i) => i.id === imageId);
    if (!img || img.width * img.height <= PREVIEW_FROM_PIXELS) return full;
    this.sharpening = true;
    // The stage's size on screen; before it is laid out, the window's (the stage is never larger).
    const stage = this.stage?.size();
    const width = stage?.width || globalThis.innerWidth || 2048;
    const height = stage?.height || globalThis.innerHeight || 2048;
    const maxSide = Math.ceil(Math.max(width, height) * (globalThis.devicePixelRatio || 1));
    // Always the preview first (the original a moment later), so that a large image opens one way.
    return this.io.loadPreview(imageId, Math.min(8192, Math.max(256, maxSide))).catch(() => full);
  }

  /** Ends any edit in progress (a stroke is committed) and saves the current image now (on leaving it). */
  leaveImage(): Promise<void> {
    this.modes.leave('finish');
    this.hover = null;
    const s = this.session;
    this.session = null;
    this.context = null;
    return s ? this.saver.flush(s) : Promise.resolve();
  }

  /** Saves every image with unsaved edits, now (page hidden or unloading). */
  flushAll(): Promise<void> {
    this.tools.current.finish();
    return Promise.all(this.sessions.dirty().map((s) => this.saver.flush(s))).then(() => {});
  }

  /** Throws away the in-memory map of the current image and loads the stored one. */
  reloadStored(): void {
    const id = this.imageId;
    if (id === null) return;
    this.modes.leave('cancel');
    if (this.session) this.sessions.drop(id);
    this.session = null;
    this.imageId = null;
    this.saver.status = { kind: 'saved' };
    void this.open(id);
  }

  /** After a conflict: save this version over the stored one. */
  keepMine(): void {
    const s = this.session;
    if (!s) return;
    s.conflict = null;
    s.force = true;
    void this.saver.flush(s);
  }

  retrySave(): void {
    if (this.session) void this.saver.flush(this.session);
  }

  /**
   * Class list changed. When a class disappeared (deleted or merged), the database rewrote the maps
   * that used it, so cached maps (and their histories) are stale: drop them and reload.
   */
  classesChanged(values: readonly number[]): void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- compared once, never rendered
    const now = new Set(values);
    const before = this.knownValues;
    this.knownValues = now;
    if (before && [...before].some((v) => !now.has(v))) {
      this.modes.leave('cancel');
      this.sessions.clear();
      const id = this.imageId;
      this.session = null;
      this.imageId = null;
      if (id !== null) void this.open(id);
    }
  }

  // ---- view ----

  /** Applies opacity and visibility (cheap: node attributes). */
  syncOverlay(): void {
    const v = this.view;
    this.stage?.setOverlay(v.overlayVisible, v.opacity);
    this.stage?.setAdjust(v.brightness, v.contrast);
  }

  /**
   * Re-renders the whole overlay and any preview after a colour, mode or class-visibility change.
   * Run from an effect, it depends on the style alone: the re-rendering itself is untracked, because
   * it reads and writes other state (the previews' phase and counts), and an effect that reads what it
   * writes re-runs itself until Svelte gives up (issue 11: a window frozen for seconds to minutes).
   */
  syncStyle(): void {
    const style = this.style();
    untrack(() => {
      if (!this.overlay) return;
      this.overlay.setStyle(style);
      this.stage?.labelsChanged();
      this.preview.restyle();
    });
  }

  // ---- preview jobs ----

  /** "Fill unlabeled" (G): commits an edit in progress, then propagates the strokes (see preview.svelte.ts). */
  fillUnlabeled(): void {
    this.tools.current.finish();
    this.withPhoto(() => this.preview.start('fill'));
  }

  /** "Show prediction" (M): commits an edit in progress, then fetches the model's prediction (see preview.svelte.ts). */
  showPrediction(): void {
    this.tools.current.finish();
    this.withPhoto(() => this.preview.start('predict'));
  }

  /**
   * After an accept: once saved, "Label next" scores this image again in the background, so that its
   * next ranking is current and comes at once (main does nothing when it was never asked for).
   */
  private refreshRanking(s: ImageSession): void {
    void this.saver
      .flush(s)
      .then(() => call('predict.rankRefresh'))
      .catch(() => {}); // a ranking asked for later scores what is stale anyway
  }

  /** Runs `start` now, or once a large image's original is decoded (its preview has too few pixels). */
  private withPhoto(start: () => void): void {
    const ready = this.photoReady;
    const session = this.session;
    if (this.photo || !ready || !session) {
      start();
      return;
    }
    this.say('Decoding the full image first…');
    void ready.then(
      () => {
        if (this.session === session && this.photo) start();
      },
      () => {},
    );
  }

  // ---- history ----

  undo(): void {
    this.historyStep((s) => s.history.undo());
  }

  redo(): void {
    this.historyStep((s) => s.history.redo());
  }

  // ---- pointer input (image coordinates) ----

  /** A button went down over the canvas: pans, or presses with the tool (see ModeMachine.press). */
  press(button: number, p: Point, alt: boolean): 'draw' | 'pan' | null {
    const press = this.modes.press(button);
    if (press === 'draw') this.pointerDown(p, alt);
    return press;
  }

  /** The button went up: ends a stroke (a pan needs nothing more). */
  release(p: Point): void {
    if (this.modes.release() === 'draw') this.tools.current.up(p);
  }

  pointerMove(points: readonly Point[]): void {
    const tool = this.tools.current;
    for (const p of points) tool.move(p);
    const last = points[points.length - 1];
    if (last) this.hoverAt(last);
  }

  pointerLeave(): void {
    this.stage?.hideBrush();
    this.hover = null;
  }

  spaceDown(): void {
    this.modes.spaceDown();
    this.pointerLeave();
  }

  // ---- internals ----

  private pointerDown(p: Point, alt: boolean): void {
    this.notice = null;
    if (alt || !this.tools.spec.edits) {
      (alt ? this.tools.picker : this.tools.current).down(p);
      return;
    }
    if (this.project.readOnly) {
      this.notice = `Read-only project (${this.project.readOnly}): editing is off.`;
      return;
    }
    this.modes.edit();
    this.tools.current.down(p);
    this.hoverAt(p);
  }

  /** After the labels changed under a still pointer (undo, redo, a fill): the status bar's class again. */
  private refreshHover(): void {
    if (this.hover && this.lastPointer) this.hoverAt(this.lastPointer);
  }

  private hoverAt(p: Point): void {
    const s = this.session;
    if (!s || !this.stage) return;
    this.lastPointer = p;
    if (this.tools.sized && !this.modes.space) this.stage.showBrush(p, this.brushDiameter);
    else this.stage.hideBrush();
    const value = classAt(s.map, p.x, p.y);
    if (value === null) {
      this.hover = null;
      return;
    }
    const label =
      value === UNLABELED
        ? 'unlabeled'
        : (this.project.classes.list.find((c) => c.value === value)?.name ?? `value ${value}`);
    this.hover = { x: Math.floor(p.x), y: Math.floor(p.y), label };
  }

  private historyStep(step: (s: ImageSession) => EditEntry | null): void {
    const s = this.session;
    if (!s) return;
    this.tools.current.finish(); // one stroke in progress is committed first, so it can be undone
    const entry = step(s);
    if (!entry) return;
    this.modes.edit();
    this.redraw(entry.rect);
    s.changes.markEntry(entry);
    this.edited(s);
  }

  private toolContext(): ToolContext | null {
    const s = this.session;
    if (!s || !this.overlay) return null;
    if (this.context) return this.context;
    const tools = this.tools;
    const view = this.view;
    this.context = {
      map: s.map,
      get diameter() {
        return imageDiameter(tools.brushSize, view.zoom);
      },
      get protectLabels() {
        return tools.protectLabels;
      },
      get screenPixel() {
        return 1 / view.zoom;
      },
      photo: () => this.photo,
      say: (text) => this.say(text),
      paintValue: (erase) => this.paintValue(erase),
      redraw: (rect) => {
        // What a stroke draws (or a cancel restores) before its entry exists: a save may run meanwhile.
        s.changes.mark(rect);
        this.redraw(rect);
      },
      push: (entry) => this.push(s, entry),
      preview: (points, cursor, closable) => this.stage?.preview(points, cursor, closable),
      showSuperpixels: (sp) => this.stage?.showSuperpixels(sp),
      pick: (value) => this.pick(value),
    };
    return this.context;
  }

  private paintValue(erase: boolean): number | null {
    if (erase) return UNLABELED;
    const cls = this.selectedClass;
    if (!cls) this.say('Add or choose a class in the sidebar first.');
    return cls?.value ?? null;
  }

  private pick(value: number): void {
    const cls = this.project.classes.list.find((c) => c.value === value);
    if (!cls) return;
    this.project.classes.select(cls.id);
    this.tools.picked();
    this.say(`Picked ${cls.name}.`);
  }

  private redraw(rect: Rect | null): void {
    if (!rect || !this.overlay) return;
    this.overlay.redraw(rect);
    this.stage?.labelsChanged();
  }

  private push(s: ImageSession, entry: EditEntry | null): void {
    if (!entry) return;
    s.history.push(entry);
    s.changes.markEntry(entry);
    this.edited(s);
  }

  private edited(s: ImageSession): void {
    s.touch();
    this.saver.touched(s);
    this.syncHistory();
    this.refreshHover();
  }

  private syncHistory(): void {
    this.canUndo = this.session?.history.canUndo ?? false;
    this.canRedo = this.session?.history.canRedo ?? false;
  }

  private present(): void {
    if (!this.stage || !this.photoShown || !this.overlay) return;
    this.stage.show(this.photoShown, this.overlay.canvas);
    this.syncOverlay();
  }

  private style(): OverlayStyle {
    return {
      palette: classPalette(this.project.classes.list),
      mode: this.view.mode,
      hiddenClasses: this.view.hiddenValues,
    };
  }

  private say(text: string): void {
    this.notice = text;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => (this.notice = null), 4000);
  }
}

const editors = new WeakMap<ProjectState, EditorState>();

/** One editor per open project, so maps and undo histories survive a trip back to the grid. */
export function editorFor(project: ProjectState): EditorState {
  let editor = editors.get(project);
  if (!editor) {
    editor = new EditorState(project);
    editors.set(project, editor);
  }
  return editor;
}

/** Saves the project's unsaved label edits now (before the project is closed). */
export function flushEditor(project: ProjectState): Promise<void> {
  return editors.get(project)?.flushAll() ?? Promise.resolve();
}
