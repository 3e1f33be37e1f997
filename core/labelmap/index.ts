/** Pure label-map editing model: tools write class bytes, history undoes them, render draws them. */
export { UNLABELED, MAX_CLASS, Provenance, createLabelMap, assertLabelMap, classAt, paintProvenance } from './types';
export type { LabelMap, Rect } from './types';
export { unionRect, intersectRect, clipToMap, rectIsEmpty } from './rect';
export { applyPatch, readRect, writeRect, makeEntry, undoEntry, redoEntry } from './patch';
export type { EditEntry, Patch, RectBytes } from './patch';
export { EditRecorder } from './recorder';
export { StrokeSession, snapBrushPoint } from './brush';
export type { BrushOptions } from './brush';
export { floodFill } from './fill';
export type { FillOptions } from './fill';
export { fillPolygon } from './polygon';
export type { FillRule, PolygonOptions } from './polygon';
export { LabelHistory, DEFAULT_HISTORY_BUDGET } from './history';
export type { HistoryOptions } from './history';
export { renderRect, PROVENANCE_PALETTE } from './render';
export type { Palette, RenderOptions, RgbaBuffer } from './render';
export { machineShare } from './sources';
