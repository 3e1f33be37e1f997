/**
 * The class weights the Train view shows and a dataset export writes: median frequency balancing over
 * the trusted labels of the images in the splits train and unassigned, at full resolution, merged with
 * the per-class overrides stored with the classes. A run computes its own the same way (worker/jobs/train.ts)
 * from the images it trains on, so its weights can differ a little: it counts at its working size, and
 * leaves out the unassigned images it holds out for validation (core/training/split.ts).
 */
import type { ClassWeightRow } from '../core/ipc/contract';
import { trustedProvenances, type PixelSource } from '../core/training/settings';
import { classHistogram, medianFrequencyWeights, mergeClassWeights } from '../core/training/weights';
import { listClasses } from '../db/classes';
import { trainingImageIds } from '../db/images';
import { loadLabelMap } from '../db/labelmaps';
import type { ProjectDb } from '../db/open';
import { classMapping, trustedLabels } from './dataset';

export function computeClassWeights(db: ProjectDb, sources: readonly PixelSource[]): ClassWeightRow[] {
  const classes = listClasses(db);
  const mapping = classMapping(db);
  const trusted = trustedProvenances(sources);
  const ids = trainingImageIds(db);
  const histograms: Float64Array[] = [];
  for (const id of ids) {
    const map = loadLabelMap(db, id);
    if (!map) continue;
    const { labels, count } = trustedLabels(map.classes, map.provenance, trusted, mapping.lookup);
    if (count) histograms.push(classHistogram(labels, classes.length));
  }
  const computed = medianFrequencyWeights(histograms, classes.length);
  const effective = mergeClassWeights(
    computed.weights,
    classes.map((c) => c.weightOverride),
  );
  return classes.map((c, i) => ({
    id: c.id,
    value: c.value,
    name: c.name,
    color: c.color,
    pixels: computed.pixels[i]!,
    frequency: Number.isNaN(computed.frequency[i]!) ? null : computed.frequency[i]!,
    computed: computed.weights[i]!,
    override: c.weightOverride,
    effective: effective[i]!,
  }));
}
