/** Pure label-map editing model: tools write class bytes, history undoes them, render draws them. */
export { UNLABELED, Provenance, classAt } from './types';
export type { LabelMap, Rect } from './types';
export { applyPatch } from './patch';
export type { EditEntry } from './patch';
export { ChangedRegion, readDelta } from './delta';
export { StrokeSession, snapBrushPoint } from './brush';
export { floodFill } from './fill';
export { fillPolygon } from './polygon';
export { LabelHistory } from './history';
export { renderRect, PROVENANCE_PALETTE } from './render';
export type { Palette, RenderOptions } from './render';
export { magicWand } from './wand';
export { computeSuperpixels, superpixelAt, SuperpixelStroke } from './superpixels';
export type { Superpixels } from './superpixels';
export { machineShare } from './sources';
export { sampleMap } from './sample';
export { acceptInto, acceptPatch, fillProposal, patchOf, planAccept, predictionProposal, writableBy } from './accept';
export type { AcceptPlan, Proposal, ProposalProvenance } from './accept';
