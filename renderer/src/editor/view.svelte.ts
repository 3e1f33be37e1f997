/** What the editor shows and how, for display only: overlay, colouring, image adjustments, zoom, panels. */

export type ViewMode = 'class' | 'provenance';

export class ViewState {
  overlayVisible = $state(true);
  opacity = $state(0.6);
  /** Colour the labels by class or by provenance (painted, propagated, predicted, imported). */
  mode = $state<ViewMode>('class');
  /** Label values of classes hidden in the overlay. */
  hiddenValues = $state<number[]>([]);
  /** Display only: brightness and contrast of the photo (1 = as stored). */
  brightness = $state(1);
  contrast = $state(1);
  zoom = $state(1);
  /** The stage transform and size in CSS pixels (for the minimap). */
  transform = $state({ scale: 1, x: 0, y: 0, width: 0, height: 0 });
  helpOpen = $state(false);
  /** The "Label next" list: Escape, a click elsewhere or another image closes it. */
  labelNextOpen = $state(false);
  /** The view panel (overlay, image adjustments): open by default only where the window has room. */
  panelOpen = $state(typeof window !== 'undefined' && window.innerWidth >= 1500);

  toggleHidden(value: number): void {
    this.hiddenValues = this.hiddenValues.includes(value)
      ? this.hiddenValues.filter((v) => v !== value)
      : [...this.hiddenValues, value];
  }

  toggleMode(): void {
    this.mode = this.mode === 'class' ? 'provenance' : 'class';
  }
}
