/** The project's classes as the sidebar shows them, and every edit of them. */
import type { ClassInfo } from '../../../core/ipc/contract';
import { call, errorMessage } from '../lib/api';

export interface ClassUsage {
  pixels: number;
  images: number;
}

/** How long a notice of the class panel stays. */
const NOTICE_MS = 6000;

/** What loading class names changed, e.g. "3 renamed, 1 added, 2 recolored." (matched by label value). */
export function describeNameChanges(before: readonly ClassInfo[], after: readonly ClassInfo[]): string {
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup while counting, never rendered
  const old = new Map(before.map((c) => [c.value, c]));
  let renamed = 0;
  let added = 0;
  let recolored = 0;
  for (const c of after) {
    const was = old.get(c.value);
    if (!was) added++;
    else if (was.name !== c.name) renamed++;
    else if (was.color !== c.color) recolored++;
  }
  const parts = [
    renamed && `${renamed} renamed`,
    added && `${added} added`,
    recolored && `${recolored} recolored`,
  ].filter(Boolean);
  return parts.length ? `${parts.join(', ')}.` : 'the classes already had these names and colors.';
}

export class ClassesState {
  list = $state<ClassInfo[]>([]);
  /** The class the paint tools would use; chosen by click or by its number key. */
  selectedId = $state<number | null>(null);
  error = $state<string | null>(null);
  /** What the last bulk edit did ("Load class names"), shown for a few seconds. */
  notice = $state<string | null>(null);
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;

  /** `onLabelsChanged` runs after edits that rewrite label maps (delete, merge). */
  constructor(private readonly onLabelsChanged: () => void = () => {}) {}

  load(): Promise<boolean> {
    return this.run(async () => this.setList(await call('classes.list')));
  }

  add(name: string, color: string): Promise<boolean> {
    return this.run(async () => {
      const added = await call('classes.add', { name, color });
      this.setList([...this.list, added]);
      this.selectedId = added.id;
    });
  }

  rename(id: number, name: string): Promise<boolean> {
    return this.run(async () => this.replace(await call('classes.update', { id, name })));
  }

  recolor(id: number, color: string): Promise<boolean> {
    return this.run(async () => this.replace(await call('classes.update', { id, color })));
  }

  /** Moves a class one place up (-1) or down (+1). */
  move(id: number, delta: -1 | 1): Promise<boolean> {
    const ids = this.list.map((c) => c.id);
    const from = ids.indexOf(id);
    const to = from + delta;
    if (from < 0 || to < 0 || to >= ids.length) return Promise.resolve(false);
    [ids[from], ids[to]] = [ids[to]!, ids[from]!];
    return this.run(async () => this.setList(await call('classes.reorder', { ids })));
  }

  /** Names and colors from a classes.json (as the CLI's --classes); `name` is the file's name for messages. */
  loadNames(name: string, text: string): Promise<boolean> {
    return this.run(async () => {
      const before = this.list;
      this.setList((await call('classes.loadNames', { name, text })).classes);
      this.say(`${name}: ${describeNameChanges(before, this.list)}`);
    });
  }

  usage(id: number): Promise<ClassUsage> {
    return call('classes.usage', { id });
  }

  remove(id: number): Promise<boolean> {
    return this.run(async () => {
      await call('classes.remove', { id });
      this.setList(this.list.filter((c) => c.id !== id));
      this.onLabelsChanged();
    });
  }

  merge(from: number, into: number): Promise<boolean> {
    return this.run(async () => {
      await call('classes.merge', { from, into });
      this.setList(await call('classes.list'));
      if (this.selectedId === from) this.selectedId = into;
      this.onLabelsChanged();
    });
  }

  select(id: number): void {
    this.selectedId = id;
  }

  /** Selects the class whose shortcut is `key` ('1'..'9', '0' for the tenth). */
  selectByKey(key: string): boolean {
    const index = key === '0' ? 9 : Number(key) - 1;
    const cls = this.list[index];
    if (!cls) return false;
    this.selectedId = cls.id;
    return true;
  }

  dismissError(): void {
    this.error = null;
  }

  private say(text: string): void {
    this.notice = text;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => (this.notice = null), NOTICE_MS);
  }

  private setList(list: ClassInfo[]): void {
    this.list = list;
    if (this.selectedId !== null && !list.some((c) => c.id === this.selectedId)) this.selectedId = list[0]?.id ?? null;
    if (this.selectedId === null) this.selectedId = list[0]?.id ?? null;
  }

  private replace(updated: ClassInfo): void {
    this.list = this.list.map((c) => (c.id === updated.id ? updated : c));
  }

  /** Runs an edit; an API error is shown inline and reported as `false`, never thrown. */
  private async run(action: () => Promise<void>): Promise<boolean> {
    try {
      await action();
      this.error = null;
      return true;
    } catch (err) {
      this.error = errorMessage(err);
      return false;
    }
  }
}
