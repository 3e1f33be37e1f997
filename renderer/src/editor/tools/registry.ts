/**
 * The one list of painting tools: what the toolbar shows, which key picks each tool, what the help
 * dialog says and which cursor the canvas takes. The toolbar, the key handler (keys.ts) and the help
 * (keys.ts SHORTCUTS) are all derived from it.
 */
import type { ToolName } from './tool';

export interface ToolSpec {
  readonly name: ToolName;
  /** The key that picks the tool, as printed (matched case-insensitively). */
  readonly key: string;
  /** Short name: the toolbar button's label and tooltip. */
  readonly label: string;
  /** The help dialog's line. */
  readonly help: string;
  /** The icon's name (ui/Icon.svelte). */
  readonly icon: ToolName;
  /** CSS cursor over the canvas while the tool is on (panning shows `grab` whatever the tool). */
  readonly cursor: string;
  /** Paints with the brush diameter (the size field, `[` `]`, the brush circle). */
  readonly sized: boolean;
}

export const TOOLS: readonly ToolSpec[] = [
  { name: 'brush', key: 'B', label: 'Brush', help: 'Brush', icon: 'brush', cursor: 'crosshair', sized: true },
  {
    name: 'eraser',
    key: 'E',
    label: 'Eraser',
    help: 'Eraser (back to unlabeled)',
    icon: 'eraser',
    cursor: 'crosshair',
    sized: true,
  },
  {
    name: 'fill',
    key: 'F',
    label: 'Fill',
    help: 'Flood fill (the region of one class)',
    icon: 'fill',
    cursor: 'crosshair',
    sized: false,
  },
  {
    name: 'wand',
    key: 'W',
    label: 'Magic wand',
    help: 'Magic wand: fill similar colours (tolerance in the toolbar)',
    icon: 'wand',
    cursor: 'crosshair',
    sized: false,
  },
  {
    name: 'superpixel',
    key: 'S',
    label: 'Superpixel brush',
    help: 'Superpixel brush: paints whole superpixels',
    icon: 'superpixel',
    cursor: 'crosshair',
    sized: true,
  },
  {
    name: 'polygon',
    key: 'P',
    label: 'Polygon',
    help: 'Polygon: click points, double-click or Enter closes; or drag a lasso',
    icon: 'polygon',
    cursor: 'crosshair',
    sized: false,
  },
  {
    name: 'picker',
    key: 'I',
    label: 'Picker',
    help: 'Pick the class under the cursor (also Alt+click)',
    icon: 'picker',
    cursor: 'crosshair',
    sized: false,
  },
];

export function toolSpec(name: ToolName): ToolSpec {
  return TOOLS.find((t) => t.name === name)!;
}

/** The tool a key picks (`b` or `B`), or null. */
export function toolForKey(key: string): ToolName | null {
  const k = key.toUpperCase();
  return TOOLS.find((t) => t.key === k)?.name ?? null;
}
