/**
 * The one list of painting tools, in the toolbar's order. Each tool's file declares it whole (see
 * `ToolSpec` in tool.ts); the toolbar, the key handler (keys.ts), the help dialog (keys.ts SHORTCUTS),
 * the canvas's cursor and the tool controller all read this list. A new tool is its file and a line here.
 */
import { brush, eraser } from './brush';
import { fill } from './fill';
import { picker } from './picker';
import { polygon } from './polygon';
import { superpixel } from './superpixel';
import type { ToolSpec } from './tool';
import { wand } from './wand';

export const TOOLS = [brush, eraser, fill, wand, superpixel, polygon, picker] as const;

export type ToolName = (typeof TOOLS)[number]['name'];

export function toolSpec(name: ToolName): ToolSpec {
  return TOOLS.find((t) => t.name === name)!;
}

/** The tool a key picks (`b` or `B`), or null. */
export function toolForKey(key: string): ToolName | null {
  const k = key.toUpperCase();
  return TOOLS.find((t) => t.key === k)?.name ?? null;
}
