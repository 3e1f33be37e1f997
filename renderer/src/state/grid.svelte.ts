/**
 * The image grid's view of the project: search, filters and sort order (which images show, in which
 * order), and the selection that bulk actions work on. A click on a card's check box (or a Ctrl/Cmd+click
 * on its picture) toggles that image; Shift+click adds the range from the last clicked image in the
 * shown order.
 */
import type { ImageStatus, ImageSummary, Split } from '../../../core/ipc/contract';

type SortKey = 'name' | 'labeled' | 'date';
type LabeledFilter = 'all' | 'labeled' | 'unlabeled';

export const STATUS_LABELS: Record<ImageStatus, string> = { todo: 'To do', labeled: 'Labeled', reviewed: 'Reviewed' };
export const SPLIT_LABELS: Record<Split, string> = { unassigned: 'Unassigned', train: 'Train', val: 'Validation' };

/**
 * The split filter's choices: the stored splits, with Unassigned cut in two by the automatic validation
 * hold-out (core/training/split.ts): 'auto-val' are held out, 'unassigned' the rest.
 */
export type SplitFilter = Split | 'auto-val' | 'all';
export const SPLIT_FILTER_LABELS: Record<Exclude<SplitFilter, 'all'>, string> = {
  unassigned: 'Unassigned',
  'auto-val': 'Val (auto)',
  train: 'Train',
  val: 'Validation',
};

/** An image's role in training: its split, or 'auto-val' when it is Unassigned and held out automatically. */
export function splitRole(image: ImageSummary, heldOut: readonly number[]): Exclude<SplitFilter, 'all'> {
  return image.split === 'unassigned' && heldOut.includes(image.id) ? 'auto-val' : image.split;
}

export interface GridFilter {
  query: string;
  split: SplitFilter;
  status: ImageStatus | 'all';
  labeled: LabeledFilter;
  sort: SortKey;
  descending: boolean;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** The images that pass `f`, in its order (ties keep the import order); `heldOut`: the automatic hold-out. */
export function filterImages(
  images: readonly ImageSummary[],
  f: GridFilter,
  heldOut: readonly number[] = [],
): ImageSummary[] {
  const q = f.query.trim().toLowerCase();
  const shown = images.filter(
    (i) =>
      (!q || i.name.toLowerCase().includes(q)) &&
      (f.split === 'all' || splitRole(i, heldOut) === f.split) &&
      (f.status === 'all' || i.status === f.status) &&
      (f.labeled === 'all' || (f.labeled === 'labeled') === i.labeledFraction > 0),
  );
  const cmp: Record<SortKey, (a: ImageSummary, b: ImageSummary) => number> = {
    name: (a, b) => collator.compare(a.name, b.name),
    labeled: (a, b) => a.labeledFraction - b.labeledFraction,
    date: (a, b) => a.importedAt.localeCompare(b.importedAt) || a.id - b.id,
  };
  const dir = f.descending ? -1 : 1;
  return shown
    .map((image, index) => ({ image, index }))
    .sort((a, b) => dir * cmp[f.sort](a.image, b.image) || a.index - b.index)
    .map((e) => e.image);
}

export class GridState {
  filter = $state<GridFilter>({
    query: '',
    split: 'all',
    status: 'all',
    labeled: 'all',
    sort: 'date',
    descending: false,
  });
  /** Selected image ids (kept across filter changes; bulk actions use the shown ones). */
  selected = $state<number[]>([]);
  private anchor: number | null = null;

  constructor(
    private readonly images: () => readonly ImageSummary[],
    /** Ids of the images held out for validation automatically (ProjectState.plan). */
    private readonly heldOut: () => readonly number[] = () => [],
  ) {}

  readonly shown = $derived.by(() => filterImages(this.images(), this.filter, this.heldOut()));
  /** Selected images that the filters show: what bulk actions act on. */
  readonly selection = $derived.by(() => this.shown.filter((i) => this.selected.includes(i.id)));

  get filtered(): boolean {
    const f = this.filter;
    return f.query.trim() !== '' || f.split !== 'all' || f.status !== 'all' || f.labeled !== 'all';
  }

  isSelected(id: number): boolean {
    return this.selected.includes(id);
  }

  /** A click on a card's check box, or a Ctrl/Cmd/Shift+click on its picture. */
  click(id: number, shift: boolean): void {
    const order = this.shown.map((i) => i.id);
    if (shift && this.anchor !== null && order.includes(this.anchor)) {
      const [a, b] = [order.indexOf(this.anchor), order.indexOf(id)].sort((x, y) => x - y);
      const range = order.slice(a!, b! + 1);
      this.selected = [...this.selected, ...range.filter((r) => !this.selected.includes(r))];
      return;
    }
    this.anchor = id;
    this.selected = this.isSelected(id) ? this.selected.filter((s) => s !== id) : [...this.selected, id];
  }

  selectAll(): void {
    this.selected = this.shown.map((i) => i.id);
  }

  clear(): void {
    this.selected = [];
    this.anchor = null;
  }

  /** Drops ids of images that no longer exist (after a delete). */
  prune(): void {
    const ids = this.images().map((i) => i.id);
    this.selected = this.selected.filter((id) => ids.includes(id));
  }
}
