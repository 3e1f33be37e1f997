/** "Load class names" says what it did (issue 25): renamed, added and recolored classes, by label value. */
import { describe, expect, it } from 'vitest';
import type { ClassInfo } from '../../../core/ipc/contract';
import { describeNameChanges } from '../../../renderer/src/state/classes.svelte';

const cls = (value: number, name: string, color = '#808080'): ClassInfo => ({
  id: value + 1,
  value,
  name,
  color,
  position: value,
  weightOverride: null,
});

describe('describeNameChanges', () => {
  it('counts renamed, added and recolored classes', () => {
    const before = [cls(0, 'Class 0'), cls(1, 'Class 1'), cls(2, 'Road', '#000000')];
    const after = [cls(0, 'Sky'), cls(1, 'Building'), cls(2, 'Road', '#804080'), cls(3, 'Pole')];
    expect(describeNameChanges(before, after)).toBe('2 renamed, 1 added, 1 recolored.');
  });

  it('says when nothing changed', () => {
    const same = [cls(0, 'Sky')];
    expect(describeNameChanges(same, same)).toBe('the classes already had these names and colors.');
  });
});
