/** The dataset formats `export --what dataset --format F` writes: one file each, one line here. */
import type { DatasetFormat } from '../../../core/ipc/contract';
import type { FormatFactory } from '../types';
import { cityscapesFormat } from './cityscapes';
import { classMasksFormat } from './class-masks';
import { cocoFormat } from './coco';
import { maskwrightFormat } from './maskwright';
import { vocFormat } from './voc';
import { yoloSegFormat } from './yolo-seg';

export const DATASET_WRITERS: Readonly<Record<DatasetFormat, FormatFactory>> = {
  maskwright: maskwrightFormat,
  voc: vocFormat,
  cityscapes: cityscapesFormat,
  coco: cocoFormat,
  'yolo-seg': yoloSegFormat,
  'class-masks': classMasksFormat,
};
