/** Shapes shared by the Node side of the harness and the in-page script (no DOM or Node types here). */

/** A file for the in-page drop helper; bytes as base64 because page.evaluate carries JSON-like values. */
export interface DropFile {
  name: string;
  type: string;
  base64: string;
}
