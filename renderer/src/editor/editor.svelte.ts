/**
 * The label editor's state: the open image, tool settings, view settings, and one `ImageSession`
 * (map + undo history) per visited image, kept while switching images. Pointer and key input arrive
 * here already in image coordinates (see input.ts, keys.ts); the Konva stage is attached by
 * `EditorCanvas.svelte` and driven imperatively.
 */
import { untrack } from 'svelte';
import { classAt, computeSuperpixels, machineShare, UNLABELED } from '../../../core/labelmap';
import type { EditEntry, Rect, Superpixels } from '../../../core/labelmap';
import type { ImageStatus, ImageSummary } from '../../../core/ipc/contract';
import { errorMessage } from '../lib/api';
import type { ProjectState } from '../state/project.svelte';
import { Autosaver } from './autosave.svelte';
import { PreviewController } from './preview.svelte';
import type { PreviewHost } from './preview.svelte';
import { PREVIEW_SOURCES } from './previewSources';
import { LabelOverlay } from './overlay';
import type { OverlayStyle } from './overlay';
import { classPalette } from './palette';
import { loadPhoto } from './photo';
import { ImageSession } from './session';
import type { EditorStage } from './stage';
import { BrushTool } from './tools/brush';
import { FillTool } from './tools/fill';
import { SuperpixelTool } from './tools/superpixel';
import { WandTool } from './tools/wand';
import { photoRgba } from './photo';
import { PickerTool } from './tools/picker';
import { PolygonTool } from './tools/polygon';
import type { Tool, ToolContext, ToolName } from './tools/tool';
import type { Point } from './viewport';

export type ViewMode = 'class' | 'provenance';

/** Visited images whose maps stay in memory (more are dropped once saved, oldest first). */
const MAX_SESSIONS = 8;
export const MIN_BRUSH = 1;
export const MAX_BRUSH = 400;

export class EditorState {
  tool = $state<ToolName>('brush');
  brushSize = $state(15);
  /** Magic wand tolerance: largest per-channel colour difference (0..255). */
  tolerance = $state(24);
  protectLabels = $state(false);
  overlayVisible = $state(true);
  opacity = $state(0.6);
  mode = $state<ViewMode>('class');
  /** Label values of classes hidden in the overlay. */
  hiddenValues = $state<number[]>([]);
  imageId = $state<number | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  /** A short hint, e.g. why a click did nothing. */
  notice = $state<string | null>(null);
  helpOpen = $state(false);
  /** The view panel (overlay, image adjustments): open by default only where the window has room. */
  viewPanelOpen = $state(typeof window !== 'undefined' && window.innerWidth >= 1500);
  canUndo = $state(false);
  canRedo = $state(false);
  zoom = $state(1);
  /** The stage transform and size in CSS pixels (for the minimap). */
  view = $state({ scale: 1, x: 0, y: 0, width: 0, height: 0 });
  /** Display only: brightness and contrast of the photo (1 = as stored). */
  brightness = $state(1);
  contrast = $state(1);
  /** The open photo, for the minimap (null while loading). */
  photoShown = $state.raw<ImageBitmap | null>(null);
  /** Pixel under the pointer and its class name, for the status bar. */
  hover = $state<{ x: number; y: number; label: string } | null>(null);
  /** Space is held: dragging pans. */
  spaceHeld = $state(false);
  readonly saver: Autosaver;
  /** "Fill unlabeled" (G) and "Show prediction" (M): a preview to accept or discard. */
  readonly preview: PreviewController;

  // Bookkeeping only, never rendered: plain Maps on purpose.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly sessions = new Map<number, ImageSession>();
  private session: ImageSession | null = null;
  private overlay: LabelOverlay | null = null;
  private photo: ImageBitmap | null = null;
  private stage: EditorStage | null = null;
  private openToken = 0;
  private context: ToolContext | null = null;
  private readonly tools: Record<ToolName, Tool>;
  /** The tool the picker returns to. */
  private paintTool: ToolName = 'brush';
  private knownValues: Set<number> | null = null;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Where the pointer was last over the image (image coordinates). */
  private lastPointer: Point | null = null;

  constructor(readonly project: ProjectState) {
    this.saver = new Autosaver((s, labeledFraction) => {
      this.project.images = this.project.images.map((i) => (i.id === s.imageId ? { ...i, labeledFraction } : i));
      this.project.machineShare = { ...this.project.machineShare, [s.imageId]: machineShare(s.map.provenance) };
    });
    const previewHost: PreviewHost = {
      current: () => (this.session && this.photo ? { session: this.session, photo: this.photo } : null),
      style: () => ({ palette: classPalette(this.project.classes.list), hidden: this.hiddenValues }),
      showPreview: (canvas) => this.stage?.showPreview(canvas),
      previewChanged: () => this.stage?.previewChanged(),
      commit: (s, entry) => {
        this.redraw(entry.rect);
        this.push(s, entry);
      },
      say: (text) => this.say(text),
    };
    this.preview = new PreviewController(previewHost, PREVIEW_SOURCES);
    const ctx = () => this.toolContext();
    this.tools = {
      brush: new BrushTool(ctx, 'brush'),
      eraser: new BrushTool(ctx, 'eraser'),
      fill: new FillTool(ctx),
      wand: new WandTool(ctx),
      superpixel: new SuperpixelTool(ctx),
      polygon: new PolygonTool(ctx),
      picker: new PickerTool(ctx),
    };
  }

  get currentTool(): Tool {
    return this.tools[this.tool];
  }

  /** The images in the grid's order (its search and filters apply); set by the project screen. */
  order: () => readonly ImageSummary[] = () => this.project.images;

  get image() {
    return this.project.images.find((i) => i.id === this.imageId) ?? null;
  }

  get position(): { index: number; count: number } {
    const images = this.order();
    return { index: images.findIndex((i) => i.id === this.imageId), count: images.length };
  }

  /** Whether the current tool paints with a brush diameter. */
  get sized(): boolean {
    return this.tool === 'brush' || this.tool === 'eraser' || this.tool === 'superpixel';
  }

  get selectedClass() {
    const { list, selectedId } = this.project.classes;
    return list.find((c) => c.id === selectedId) ?? null;
  }

  // ---- stage ----

  attach(stage: EditorStage): void {
    this.stage = stage;
    stage.onview = (v, width, height) => {
      this.zoom = v.scale;
      this.view = { scale: v.scale, x: v.x, y: v.y, width, height };
    };
    this.present();
  }

  detach(): void {
    this.stage = null;
  }

  fit(): void {
    this.stage?.fit();
  }

  /** Centres the view on an image point (a click on the minimap). */
  centerOn(ix: number, iy: number): void {
    this.stage?.centerOn(ix, iy);
  }

  /** Gives the keyboard back to the canvas (after typing in a field of the editor). */
  focusCanvas(): void {
    this.stage?.focus();
  }

  // ---- images ----

  async open(imageId: number): Promise<void> {
    if (imageId === this.imageId && (this.session || this.loading)) return;
    this.leaveImage();
    const token = ++this.openToken;
    this.imageId = imageId;
    this.loading = true;
    this.error = null;
    this.stage?.clear();
    try {
      const session = this.sessions.get(imageId) ?? (await ImageSession.load(imageId));
      const photo = await loadPhoto(imageId);
      if (token !== this.openToken) {
        photo.close();
        return;
      }
      this.remember(session);
      this.session = session;
      this.context = null;
      this.photo?.close();
      this.photo = photo;
      this.photoShown = photo;
      this.overlay = new LabelOverlay(session.map, this.style());
      this.present();
      this.syncHistory();
      this.prepareSuperpixels();
    } catch (err) {
      if (token === this.openToken) this.error = errorMessage(err);
    } finally {
      if (token === this.openToken) this.loading = false;
    }
  }

  /** Opens the next (+1) or previous (-1) image of the grid's order. */
  step(delta: 1 | -1): void {
    const { index } = this.position;
    const next = this.order()[index + delta];
    if (index >= 0 && next) void this.open(next.id);
  }

  /** Sets the review status of the open image. */
  setStatus(status: ImageStatus): void {
    if (this.imageId !== null) void this.project.setStatus([this.imageId], status);
  }

  /**
   * The review pass (R): marks the open image reviewed and opens the next image that is not reviewed
   * yet, in the grid's order (wrapping around); says so when none is left.
   */
  reviewNext(): void {
    const id = this.imageId;
    if (id === null) return;
    this.setStatus('reviewed');
    const images = this.order();
    const at = images.findIndex((i) => i.id === id);
    const rest = [...images.slice(at + 1), ...images.slice(0, Math.max(0, at))];
    const next = rest.find((i) => i.status !== 'reviewed' && i.id !== id);
    if (next) void this.open(next.id);
    else this.say('Every image is reviewed.');
  }

  /** Ends any edit in progress and saves the current image now (on leaving it). */
  leaveImage(): Promise<void> {
    this.preview.abandon();
    this.currentTool.finish();
    this.hover = null;
    const s = this.session;
    this.session = null;
    this.context = null;
    return s ? this.saver.flush(s) : Promise.resolve();
  }

  /** Saves every image with unsaved edits, now (page hidden or unloading). */
  flushAll(): Promise<void> {
    this.currentTool.finish();
    return Promise.all([...this.sessions.values()].filter((s) => s.dirty).map((s) => this.saver.flush(s))).then(
      () => {},
    );
  }

  /** Throws away the in-memory map of the current image and loads the stored one. */
  reloadStored(): void {
    const id = this.imageId;
    if (id === null) return;
    this.preview.abandon();
    this.currentTool.cancel();
    if (this.session) this.sessions.delete(id);
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
      this.preview.abandon();
      this.currentTool.cancel();
      this.sessions.clear();
      const id = this.imageId;
      this.session = null;
      this.imageId = null;
      if (id !== null) void this.open(id);
    }
  }

  // ---- tools and settings ----

  setTool(name: ToolName): void {
    if (name === this.tool) return;
    this.currentTool.finish();
    this.tool = name;
    if (name !== 'picker') this.paintTool = name;
    this.stage?.hideBrush();
    if (name === 'superpixel') this.prepareSuperpixels();
    else this.stage?.showSuperpixels(null);
  }

  setBrushSize(size: number): void {
    this.brushSize = Math.round(Math.min(MAX_BRUSH, Math.max(MIN_BRUSH, size)));
  }

  /** `]` grows the brush, `[` shrinks it: by 1 below 10 pixels, by about 20% above. */
  stepBrush(dir: 1 | -1): void {
    const s = this.brushSize;
    this.setBrushSize(s < 10 || (dir < 0 && s <= 10) ? s + dir : Math.round(dir > 0 ? s * 1.2 : s / 1.2));
  }

  toggleHidden(value: number): void {
    this.hiddenValues = this.hiddenValues.includes(value)
      ? this.hiddenValues.filter((v) => v !== value)
      : [...this.hiddenValues, value];
  }

  /** Applies opacity and visibility (cheap: node attributes). */
  syncOverlay(): void {
    this.stage?.setOverlay(this.overlayVisible, this.opacity);
    this.stage?.setAdjust(this.brightness, this.contrast);
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

  /** "Fill unlabeled" (G): commits an edit in progress, then propagates the strokes (see preview.svelte.ts). */
  fillUnlabeled(): void {
    this.currentTool.finish();
    this.preview.start('fill');
  }

  /** "Show prediction" (M): commits an edit in progress, then fetches the model's prediction (see preview.svelte.ts). */
  showPrediction(): void {
    this.currentTool.finish();
    this.preview.start('predict');
  }

  // ---- history ----

  undo(): void {
    this.historyStep((s) => s.history.undo());
  }

  redo(): void {
    this.historyStep((s) => s.history.redo());
  }

  // ---- pointer input (image coordinates) ----

  pointerDown(p: Point, alt: boolean): void {
    this.notice = null;
    if (alt || this.tool === 'picker') {
      this.tools.picker.down(p);
      return;
    }
    if (this.project.readOnly) {
      this.notice = `Read-only project (${this.project.readOnly}): editing is off.`;
      return;
    }
    // Editing while a fill or prediction runs or is previewed makes it stale: it goes (see preview.svelte.ts).
    this.preview.abandon(true);
    this.currentTool.down(p);
    this.hoverAt(p);
  }

  pointerMove(points: readonly Point[]): void {
    const tool = this.currentTool;
    for (const p of points) tool.move(p);
    const last = points[points.length - 1];
    if (last) this.hoverAt(last);
  }

  pointerUp(p: Point): void {
    this.currentTool.up(p);
  }

  pointerLeave(): void {
    this.stage?.hideBrush();
    this.hover = null;
  }

  cancelTool(): boolean {
    if (!this.currentTool.busy) return false;
    this.currentTool.cancel();
    return true;
  }

  toolKey(key: string): boolean {
    return this.currentTool.key(key);
  }

  // ---- internals ----

  /** After the labels changed under a still pointer (undo, redo, a fill): the status bar's class again. */
  private refreshHover(): void {
    if (this.hover && this.lastPointer) this.hoverAt(this.lastPointer);
  }

  private hoverAt(p: Point): void {
    const s = this.session;
    if (!s || !this.stage) return;
    this.lastPointer = p;
    if (this.sized && !this.spaceHeld) this.stage.showBrush(p, this.brushSize);
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

  private historyStep(step: (s: ImageSession) => Rect | null): void {
    const s = this.session;
    if (!s) return;
    this.currentTool.finish(); // one stroke in progress is committed first, so it can be undone
    const rect = step(s);
    if (!rect) return;
    this.preview.abandon(true);
    this.redraw(rect);
    this.edited(s);
  }

  private toolContext(): ToolContext | null {
    const s = this.session;
    if (!s || !this.overlay) return null;
    if (this.context) return this.context;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const editor = this;
    this.context = {
      map: s.map,
      get diameter() {
        return editor.brushSize;
      },
      get protectLabels() {
        return editor.protectLabels;
      },
      get screenPixel() {
        return 1 / editor.zoom;
      },
      get tolerance() {
        return editor.tolerance;
      },
      pixels: () => (this.photo ? photoRgba(this.photo) : null),
      superpixels: () => this.superpixels(),
      say: (text) => this.say(text),
      paintValue: (erase) => this.paintValue(erase),
      redraw: (rect) => this.redraw(rect),
      push: (entry) => this.push(s, entry),
      preview: (points, cursor, closable) => this.stage?.preview(points, cursor, closable),
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
    if (this.tool === 'picker') this.tool = this.paintTool;
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
    if (!this.stage || !this.photo || !this.overlay) return;
    this.stage.show(this.photo, this.overlay.canvas);
    this.syncOverlay();
  }

  private style(): OverlayStyle {
    return {
      palette: classPalette(this.project.classes.list),
      mode: this.mode,
      hiddenClasses: this.hiddenValues,
    };
  }

  /** The current photo's superpixels: computed once per image (a second or so for a large photo), then cached. */
  private superpixels(): Superpixels | null {
    const photo = this.photo;
    if (!photo) return null;
    let sp = superpixelCache.get(photo);
    if (!sp) {
      sp = computeSuperpixels(photoRgba(photo), photo.width, photo.height);
      superpixelCache.set(photo, sp);
    }
    return sp;
  }

  /** Computes the superpixels ahead of the first stroke, after the "computing" hint had a frame to show. */
  private prepareSuperpixels(): void {
    const photo = this.photo;
    if (this.tool !== 'superpixel' || !photo) return;
    if (!superpixelCache.has(photo)) {
      this.say('Computing superpixels…');
      setTimeout(() => {
        if (this.photo !== photo) return;
        this.stage?.showSuperpixels(this.superpixels());
        this.say('Superpixels ready: the brush paints every superpixel it touches.');
      }, 50);
    } else this.stage?.showSuperpixels(this.superpixels());
  }

  private remember(session: ImageSession): void {
    this.sessions.delete(session.imageId);
    this.sessions.set(session.imageId, session);
    for (const [id, s] of this.sessions) {
      if (this.sessions.size <= MAX_SESSIONS) break;
      if (id !== session.imageId && !s.dirty && !s.conflict) this.sessions.delete(id);
    }
  }

  private say(text: string): void {
    this.notice = text;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => (this.notice = null), 4000);
  }
}

const editors = new WeakMap<ProjectState, EditorState>();
// One entry per decoded photo; collected with it when the editor moves on.
const superpixelCache = new WeakMap<ImageBitmap, Superpixels>();

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
