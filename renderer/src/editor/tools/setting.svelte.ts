/** A number a tool is set with (the wand's tolerance), shown in the toolbar as a slider and a field. */
export class NumberSetting {
  value = $state(0);

  constructor(
    /** The toolbar's label, its tooltip, and the fields' accessible name. */
    readonly label: string,
    readonly title: string,
    readonly name: string,
    readonly min: number,
    readonly max: number,
    /** The slider's end (the field takes up to `max`). */
    readonly sliderMax: number,
    initial: number,
  ) {
    this.value = initial;
  }

  /** Sets a typed or slid value, rounded into range; an invalid entry keeps the current value. */
  set(n: number): void {
    if (Number.isFinite(n)) this.value = Math.round(Math.min(this.max, Math.max(this.min, n)));
  }
}
