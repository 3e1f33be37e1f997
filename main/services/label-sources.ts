/**
 * How much of each image a person labeled (painted, imported) and how much Fill unlabeled or an
 * accepted prediction did (propagated, predicted), for the grid. Counted from the provenance plane,
 * cached per label-map revision, so listing again only decodes maps that changed.
 */
import { machineShare } from '../../core/labelmap/sources';
import { loadLabelMap } from '../../db/labelmaps';
import type { ProjectDb } from '../../db/open';

export interface LabelSources {
  imageId: number;
  /** Share of pixels labeled by Fill unlabeled or an accepted prediction, 0..1. */
  machine: number;
}

const caches = new WeakMap<ProjectDb, Map<number, { revision: number; machine: number }>>();

export function labelSources(db: ProjectDb): LabelSources[] {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const rows = db.prepare('SELECT image_id AS id, revision FROM label_maps ORDER BY image_id').all() as {
    id: number;
    revision: number;
  }[];
  return rows.map(({ id, revision }) => {
    let hit = cache.get(id);
    if (!hit || hit.revision !== revision) {
      const map = loadLabelMap(db, id);
      hit = { revision, machine: map ? machineShare(map.provenance) : 0 };
      cache.set(id, hit);
    }
    return { imageId: id, machine: hit.machine };
  });
}
