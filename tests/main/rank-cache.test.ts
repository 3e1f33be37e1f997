/**
 * "Label next" kept per project (issue 25, item 3): a ranking asked for again answers from the kept
 * scores without scoring anything; labels that changed (a new revision) make only their image scored
 * again; a new model scores everything; a refresh after an accept scores the changed image in the
 * background, and only once a ranking was made.
 */
import { describe, expect, it } from 'vitest';
import { RankCache, type RankState, type ScoreImages } from '../../services/rank-cache';

/** A scorer that records what it was asked and gives image `id` the gain `gains[id]`. */
function scorer(gains: Record<number, number>, failing: number[] = []) {
  const asked: number[][] = [];
  const score: ScoreImages = async (ids) => {
    asked.push([...ids]);
    return {
      checkpointId: 7,
      scores: ids
        .filter((id) => !failing.includes(id))
        .map((imageId) => ({
          type: 'predictionScore' as const,
          imageId,
          gain: gains[imageId]!,
          labeledFraction: 0.1,
          meanConfidence: 0.5,
        })),
      failures: failing
        .filter((id) => ids.includes(id))
        .map((imageId) => ({
          type: 'predictionFailed' as const,
          imageId,
          error: { code: 'UNSUPPORTED' as const, message: 'Cannot decode image' },
        })),
    };
  };
  return { asked, score };
}

function project(): RankState {
  return {
    model: '1@t0',
    images: [
      { id: 1, name: 'a.png', revision: 0 },
      { id: 2, name: 'b.png', revision: 3 },
      { id: 3, name: 'c.png', revision: 1 },
    ],
  };
}

describe('RankCache', () => {
  it('scores every image once, then answers from the kept scores', async () => {
    const state = project();
    const { asked, score } = scorer({ 1: 0.2, 2: 0.9, 3: 0.5 });
    const cache = new RankCache(() => state, score);
    const first = await cache.rank();
    expect(first.images.map((i) => i.imageId)).toEqual([2, 3, 1]);
    expect(first.checkpointId).toBe(7);
    const again = await cache.rank();
    expect(again).toEqual(first);
    expect(asked).toEqual([[1, 2, 3]]);
  });

  it('scores again only the image whose labels changed, and drops removed images', async () => {
    const state = project();
    const gains = { 1: 0.2, 2: 0.9, 3: 0.5 };
    const { asked, score } = scorer(gains);
    const cache = new RankCache(() => state, score);
    await cache.rank();
    gains[2] = 0.05; // labeled meanwhile: little left to gain
    state.images[1]!.revision = 4;
    state.images = state.images.filter((i) => i.id !== 1);
    const r = await cache.rank();
    expect(asked).toEqual([[1, 2, 3], [2]]);
    expect(r.images.map((i) => [i.imageId, i.gain])).toEqual([
      [3, 0.5],
      [2, 0.05],
    ]);
  });

  it('scores everything again for another model', async () => {
    const state = project();
    const { asked, score } = scorer({ 1: 0.2, 2: 0.9, 3: 0.5 });
    const cache = new RankCache(() => state, score);
    await cache.rank();
    state.model = '2@t1';
    await cache.rank();
    expect(asked).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
  });

  it('refreshes in the background after an accept, only once a ranking was made', async () => {
    const state = project();
    const { asked, score } = scorer({ 1: 0.2, 2: 0.9, 3: 0.5 });
    const cache = new RankCache(() => state, score);
    expect(cache.refresh()).toBe(false);
    expect(asked).toEqual([]);
    await cache.rank();
    state.images[2]!.revision = 2;
    expect(cache.refresh()).toBe(true);
    await cache.rank(); // waits for the refresh, then finds everything current
    expect(asked).toEqual([[1, 2, 3], [3]]);
  });

  it('keeps an image that failed as skipped, with why, without scoring it again', async () => {
    const state = project();
    const { asked, score } = scorer({ 1: 0.2, 3: 0.5 }, [2]);
    const cache = new RankCache(() => state, score);
    await cache.rank();
    const r = await cache.rank();
    expect(r.images.map((i) => i.imageId)).toEqual([3, 1]);
    expect(r.skipped).toEqual([{ imageId: 2, name: 'b.png', message: 'Cannot decode image' }]);
    expect(asked).toEqual([[1, 2, 3]]);
  });

  it('passes on why nothing could be scored (no trained model)', async () => {
    const cache = new RankCache(
      () => {
        throw new Error('The project has no trained model yet');
      },
      async () => ({ scores: [], failures: [], checkpointId: null }),
    );
    await expect(cache.rank()).rejects.toThrow('no trained model');
  });
});
