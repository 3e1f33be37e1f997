/**
 * Moving through the project's images from the editor: the grid's order (its search and filters
 * apply), next and previous, the open image's review status and the review pass (R).
 */
import type { ImageStatus, ImageSummary } from '../../../core/ipc/contract';
import type { ProjectState } from '../state/project.svelte';

export interface NavigationHost {
  /** The open image's id (null when none is open). */
  current(): number | null;
  open(imageId: number): void;
  /** A short hint in the status bar. */
  say(text: string): void;
}

export class ImageNavigation {
  /** The images in the grid's order (its search and filters apply); set by the project screen. */
  order: () => readonly ImageSummary[];

  constructor(
    private readonly project: ProjectState,
    private readonly host: NavigationHost,
  ) {
    this.order = () => project.images;
  }

  get position(): { index: number; count: number } {
    const images = this.order();
    const id = this.host.current();
    return { index: images.findIndex((i) => i.id === id), count: images.length };
  }

  /** Opens the next (+1) or previous (-1) image of the grid's order. */
  step(delta: 1 | -1): void {
    const { index } = this.position;
    const next = this.order()[index + delta];
    if (index >= 0 && next) this.host.open(next.id);
  }

  /** Sets the review status of the open image. */
  setStatus(status: ImageStatus): void {
    const id = this.host.current();
    if (id !== null) void this.project.setStatus([id], status);
  }

  /**
   * The review pass (R): marks the open image reviewed and opens the next image that is not reviewed
   * yet, in the grid's order (wrapping around); says so when none is left.
   */
  reviewNext(): void {
    const id = this.host.current();
    if (id === null) return;
    this.setStatus('reviewed');
    const images = this.order();
    const at = images.findIndex((i) => i.id === id);
    const rest = [...images.slice(at + 1), ...images.slice(0, Math.max(0, at))];
    const next = rest.find((i) => i.status !== 'reviewed' && i.id !== id);
    if (next) this.host.open(next.id);
    else this.host.say('Every image is reviewed.');
  }
}
