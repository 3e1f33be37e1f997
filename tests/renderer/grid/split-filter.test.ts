// The grid's split filter with the automatic validation hold-out: every image in exactly one choice.
import { describe, expect, it } from 'vitest';
import type { ImageSummary } from '../../../core/ipc/contract';
import { filterImages, splitRole, type GridFilter } from '../../../renderer/src/state/grid.svelte';

const image = (id: number, split: ImageSummary['split']): ImageSummary => ({
  id,
  name: `img${id}.png`,
  format: 'png',
  width: 4,
  height: 3,
  byteSize: 100,
  sha256: String(id).padStart(64, '0'),
  split,
  status: 'todo',
  labeledFraction: 0.5,
  importedAt: `2026-01-0${id}`,
});

describe('split filter', () => {
  const images = [image(1, 'unassigned'), image(2, 'unassigned'), image(3, 'train'), image(4, 'val')];
  const held = [2, 3]; // 3 is in Train: an explicit split wins over the hold-out
  const filter = (split: GridFilter['split']): number[] =>
    filterImages(
      images,
      { query: '', split, status: 'all', labeled: 'all', sort: 'date', descending: false },
      held,
    ).map((i) => i.id);

  it('splits Unassigned into held out (Val (auto)) and the rest', () => {
    expect(images.map((i) => splitRole(i, held))).toEqual(['unassigned', 'auto-val', 'train', 'val']);
    expect(filter('auto-val')).toEqual([2]);
    expect(filter('unassigned')).toEqual([1]);
    expect(filter('train')).toEqual([3]);
    expect(filter('val')).toEqual([4]);
    expect(filter('all')).toEqual([1, 2, 3, 4]);
  });
});
