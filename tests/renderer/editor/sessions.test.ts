/** The cache of visited images' maps: the most recent ones stay, unsaved or conflicting ones always. */
import { describe, expect, it } from 'vitest';
import { UNLABELED } from '../../../core/labelmap';
import { ImageSession } from '../../../renderer/src/editor/session';
import { SessionCache } from '../../../renderer/src/editor/sessions';

const session = (id: number) =>
  new ImageSession(
    id,
    { width: 2, height: 1, classes: new Uint8Array(2).fill(UNLABELED), provenance: new Uint8Array(2) },
    0,
  );

describe('SessionCache', () => {
  it('drops the oldest saved sessions beyond its size, never an unsaved or conflicting one', () => {
    const cache = new SessionCache(2);
    const [a, b, c, d] = [1, 2, 3, 4].map(session);
    a!.touch(); // unsaved edit
    cache.remember(a!);
    cache.remember(b!);
    cache.remember(c!);
    // b was the oldest saved one; a stays (unsaved), and so does c (just opened).
    expect([1, 2, 3].map((id) => cache.get(id) !== undefined)).toEqual([true, false, true]);
    c!.conflict = 'changed elsewhere';
    cache.remember(d!);
    expect(cache.size).toBe(3); // nothing else could go
    expect(cache.dirty()).toEqual([a]);
    a!.saved = a!.edits;
    cache.remember(b!);
    // Saved now, a is the oldest: it goes; d goes next (c conflicts, b is the one being remembered).
    expect([1, 2, 3, 4].map((id) => cache.get(id) !== undefined)).toEqual([false, true, true, false]);
  });

  it('a visit makes a session the most recent again', () => {
    const cache = new SessionCache(2);
    const [a, b, c] = [1, 2, 3].map(session);
    cache.remember(a!);
    cache.remember(b!);
    cache.remember(a!);
    cache.remember(c!);
    expect([1, 2, 3].map((id) => cache.get(id) !== undefined)).toEqual([true, false, true]);
  });
});
