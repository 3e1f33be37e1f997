import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addClass, listClasses, mergeClasses, removeClass, reorderClasses, updateClass } from '../../db/classes';
import { loadLabelMap, saveLabelMap } from '../../db/labelmaps';
import { fakeImage, tempProject } from '../helpers/project';

describe('classes', () => {
  let t: ReturnType<typeof tempProject>;
  beforeEach(() => (t = tempProject()));
  afterEach(() => t.close());
  const db = () => t.project.db;

  it('get the smallest free label value and keep it across renames and reorders', () => {
    const a = addClass(db(), 'Road');
    const b = addClass(db(), 'Car', '#112233');
    const c = addClass(db(), 'Sky');
    expect([a.value, b.value, c.value]).toEqual([0, 1, 2]);
    expect(b.color).toBe('#112233');
    removeClass(db(), b.id);
    expect(addClass(db(), 'Tree').value).toBe(1);
    updateClass(db(), a.id, { name: 'Street', color: '#abcdef', weightOverride: 2.5 });
    const ids = listClasses(db())
      .map((x) => x.id)
      .reverse();
    const reordered = reorderClasses(db(), ids);
    expect(reordered.map((x) => x.id)).toEqual(ids);
    const street = reordered.find((x) => x.id === a.id)!;
    expect(street).toMatchObject({ value: 0, name: 'Street', color: '#abcdef', weightOverride: 2.5 });
  });

  it('refuse duplicate names (ignoring case) and incomplete reorders', () => {
    addClass(db(), 'Road');
    const car = addClass(db(), 'Car');
    expect(() => addClass(db(), 'road')).toThrow(/already exists/);
    expect(() => updateClass(db(), car.id, { name: 'ROAD' })).toThrow(/already exists/);
    expect(() => reorderClasses(db(), [car.id])).toThrow(/every class/);
    expect(() => reorderClasses(db(), [car.id, car.id])).toThrow(/every class/);
  });

  it('delete a class by clearing its pixels, and merge by relabeling them', () => {
    const road = addClass(db(), 'Road');
    const car = addClass(db(), 'Car');
    const bus = addClass(db(), 'Bus');
    const id = fakeImage(t.project, 4, 2);
    const classes = Uint8Array.from([
      road.value,
      car.value,
      bus.value,
      255,
      bus.value,
      bus.value,
      car.value,
      road.value,
    ]);
    const provenance = Uint8Array.from([1, 2, 3, 0, 4, 1, 1, 2]);
    saveLabelMap(db(), id, { width: 4, height: 2, classes, provenance });

    expect(mergeClasses(db(), bus.id, car.id).movedPixels).toBe(3);
    let map = loadLabelMap(db(), id)!;
    expect([...map.classes]).toEqual([
      road.value,
      car.value,
      car.value,
      255,
      car.value,
      car.value,
      car.value,
      road.value,
    ]);
    expect([...map.provenance]).toEqual([1, 2, 3, 0, 4, 1, 1, 2]);

    expect(removeClass(db(), car.id).clearedPixels).toBe(5);
    map = loadLabelMap(db(), id)!;
    expect([...map.classes]).toEqual([road.value, 255, 255, 255, 255, 255, 255, road.value]);
    expect([...map.provenance]).toEqual([1, 0, 0, 0, 0, 0, 0, 2]);
    expect(listClasses(db()).map((c) => c.name)).toEqual(['Road']);
  });
});
