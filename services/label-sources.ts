/**
 * How much of each image a person labeled (painted, imported) and how much Fill unlabeled or an
 * accepted prediction did (propagated, predicted), for the grid, and which provenances each class carries,
 * for the split (services/split.ts). Counted from the provenance plane, cached per label-map
 * revision, so listing again only decodes maps that changed.
 */
import { machineShare, provenanceByClass } from '../core/labelmap/sources';
import { labelMapRevisions, loadLabelMap } from '../db/labelmaps';
import type { ProjectDb } from '../db/open';

export interface LabelSources {
  imageId: number;
  /** Share of pixels labeled by Fill unlabeled or an accepted prediction, 0..1. */
  machine: number;
}

interface Counted {
  revision: number;
  machine: number;
  /** provenanceByClass of the map: which provenances each class value carries. */
  byClass: Uint8Array;
}

const caches = new WeakMap<ProjectDb, Map<number, Counted>>();

/** Every label map's counts, decoding only the maps saved since the last call. */
function counted(db: ProjectDb): { id: number; counts: Counted }[] {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  return labelMapRevisions(db).map(({ id, revision }) => {
    let hit = cache.get(id);
    if (!hit || hit.revision !== revision) {
      const map = loadLabelMap(db, id);
      hit = {
        revision,
        machine: map ? machineShare(map.provenance) : 0,
        byClass: map ? provenanceByClass(map.classes, map.provenance) : new Uint8Array(256),
      };
      cache.set(id, hit);
    }
    return { id, counts: hit };
  });
}

export function labelSources(db: ProjectDb): LabelSources[] {
  return counted(db).map(({ id, counts }) => ({ imageId: id, machine: counts.machine }));
}

/** Per image with a label map, which provenances each class value carries (provenanceByClass). */
export function provenancePresence(db: ProjectDb): Map<number, Uint8Array> {
  return new Map(counted(db).map(({ id, counts }) => [id, counts.byClass]));
}
