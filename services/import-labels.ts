/**
 * Importing another tool's labels (VOC, Cityscapes, COCO, YOLO-seg: label-formats/) as imported labels,
 * matched to images by file name, classes by name. As with mask import (import-masks.ts): class names the
 * project does not have are listed and nothing is applied unless `createClasses`; a file with bad content
 * gets one line and none of its labels; labels merge without overwriting painted, propagated or predicted
 * pixels.
 */
import type { ClassInfo, LabelFormat, LabelImportReport } from '../core/ipc/contract';
import { AppError } from '../core/ipc/errors';
import { UNLABELED } from '../core/labelmap/types';
import { rgbToHex } from '../core/palette';
import { addClass, listClasses } from '../db/classes';
import { getImage } from '../db/images';
import { writeTransaction, type ProjectDb } from '../db/open';
import { applyMask, matcher, orderCreatedByValue } from './import-masks';
import { readCityscapes } from './label-formats/cityscapes';
import { readCoco } from './label-formats/coco';
import type { LabelItem, LabelSource } from './label-formats/types';
import { readVoc } from './label-formats/voc';
import { readYolo } from './label-formats/yolo';

const READERS: Readonly<Record<LabelFormat, (dir: string) => Promise<LabelSource>>> = {
  voc: readVoc,
  cityscapes: readCityscapes,
  coco: readCoco,
  'yolo-seg': readYolo,
};

const failure = (name: string, err: unknown) => ({
  name,
  code: err instanceof AppError ? err.code : 'IO',
  message: (err as Error).message,
});

export async function importLabels(
  db: ProjectDb,
  dir: string,
  format: LabelFormat,
  options: { createClasses?: boolean | undefined } = {},
): Promise<LabelImportReport> {
  const source = await READERS[format](dir);
  const report: LabelImportReport = {
    applied: [],
    createdClasses: [],
    unmatched: [],
    errors: [...source.errors],
    unknownValues: [],
    unknownClasses: [],
  };
  const match = matcher(db);
  const byName = new Map(listClasses(db).map((c) => [c.name.toLowerCase(), c]));
  const ready: { item: LabelItem; imageId: number; imageName: string }[] = [];
  const unknown = new Set<number>();
  for (const item of source.items) {
    const target = match(item.imageName);
    if (!target) {
      report.unmatched.push(item.source);
      continue;
    }
    try {
      const indices = await readItem(db, item, target.id);
      for (const v of new Set(indices))
        if (v !== UNLABELED && !byName.has(source.classes.get(v)!.name.toLowerCase())) unknown.add(v);
      ready.push({ item, imageId: target.id, imageName: target.name });
    } catch (err) {
      report.errors.push(failure(item.source, err));
    }
  }
  report.unknownClasses = [...unknown].sort((a, b) => a - b).map((v) => source.classes.get(v)!.name);
  if (report.unknownClasses.length && !options.createClasses) return report;

  for (const { item, imageId, imageName } of ready) {
    try {
      const indices = await readItem(db, item, imageId);
      const created: ClassInfo[] = [];
      const labeledPixels = writeTransaction(db, () => {
        // file class index -> project label value
        const toValue = new Uint8Array(256).fill(UNLABELED);
        for (const v of new Set(indices)) {
          if (v === UNLABELED) continue;
          const fileClass = source.classes.get(v)!;
          let c = byName.get(fileClass.name.toLowerCase());
          if (!c) {
            c = addClass(db, fileClass.name, fileClass.rgb && rgbToHex(...fileClass.rgb));
            byName.set(c.name.toLowerCase(), c);
            created.push(c);
          }
          toValue[v] = c.value;
        }
        return applyMask(
          db,
          imageId,
          Uint8Array.from(indices, (v) => toValue[v]!),
        );
      });
      report.createdClasses.push(...created);
      report.applied.push({ imageId, imageName, maskName: item.source, labeledPixels });
    } catch (err) {
      report.errors.push(failure(item.source, err));
    }
  }
  orderCreatedByValue(db, report.createdClasses);
  return report;
}

async function readItem(db: ProjectDb, item: LabelItem, imageId: number): Promise<Uint8Array> {
  const img = getImage(db, imageId)!;
  if (item.size && (item.size.width !== img.width || item.size.height !== img.height))
    throw new AppError(
      'INVALID_INPUT',
      `says ${item.size.width}x${item.size.height} but ${img.name} is ${img.width}x${img.height}`,
    );
  return item.read(img.width, img.height);
}
