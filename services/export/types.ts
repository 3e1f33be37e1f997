/**
 * What the export pass (pass.ts) hands a format writer: each image once, with its label map already
 * reduced to the labels the export writes. A format is one file in formats/ exporting a FormatWriter
 * factory, and one entry in formats/index.ts.
 */
import type { Split } from '../../core/ipc/contract';
import type { ProjectDb } from '../../db/open';
import type { ExportRole } from './split';

export interface ExportClass {
  /** Position in the class list (display order): the class index the formats write. */
  index: number;
  /** The project's label value (what the `masks` export and the label maps use). */
  value: number;
  name: string;
  /** '#rrggbb' */
  color: string;
  rgb: [number, number, number];
}

export interface ExportImage {
  id: number;
  /** Unique file stem within this export (img, img_2 for a second img.png). */
  name: string;
  /** The image's own file name (its extension tells the original's format). */
  fileName: string;
  format: string;
  width: number;
  height: number;
  /** The split training uses: the user's Validation, or held out automatically, is 'val'. */
  split: 'train' | 'val';
  /** Its role in the split file lists of the default layout: 'unassigned' for images no run uses. */
  role: ExportRole;
  /** The split the user chose. */
  userSplit: Split;
  /** Label values (255 = unlabeled), null when the image has no label map. */
  values: Uint8Array | null;
  /** Class indices 0..C-1 (255 = unlabeled; all 255 without a label map). */
  indices: Uint8Array;
  /** The original file's bytes. */
  original(): Buffer;
}

export interface ExportContext {
  db: ProjectDb;
  dir: string;
  classes: readonly ExportClass[];
  /** COCO: polygons instead of RLE. */
  polygons: boolean;
  /** Writes `path` (relative to the export folder, '/'-separated; folders made on first use) whole. */
  write(path: string, data: Uint8Array | string): Promise<void>;
}

interface FormatWriter {
  /** Writes one image's files. */
  image(img: ExportImage): Promise<void>;
  /** After the last image: class maps, split lists, annotation files. */
  finish(): Promise<void>;
}

export type FormatFactory = (ctx: ExportContext) => FormatWriter;
