/**
 * Training that cannot start (issue 11, major 10) is refused before a run row exists, with a plain
 * sentence that says what to do; no failed run is left behind.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addClass } from '../../db/classes';
import { setSplit } from '../../db/images';
import { saveLabelMap } from '../../db/labelmaps';
import { listRuns } from '../../db/runs';
import { startTraining } from '../../services/training';
import { type ForkWorker } from '../../services/job-process';
import { fakeImage, tempProject } from '../helpers/project';

const noFork: ForkWorker = () => {
  throw new Error('no process may start');
};

let t: ReturnType<typeof tempProject> | undefined;
afterEach(() => t?.close());

function refusal(settings: Record<string, unknown> = {}): unknown {
  try {
    startTraining(t!.project.db, t!.project.path, { epochs: 1, ...settings }, noFork, 'worker.cjs');
  } catch (err) {
    return err;
  }
  return null;
}

/** A 2x2 map: pixel 0 gets `value` with `provenance`, the rest unlabeled. */
function label(imageId: number, value: number, provenance: number): void {
  saveLabelMap(t!.project.db, imageId, {
    width: 2,
    height: 2,
    classes: Uint8Array.from([value, 255, 255, 255]),
    provenance: Uint8Array.from([provenance, 0, 0, 0]),
  });
}

describe('training readiness', () => {
  it('refuses, in plain words and without a run row, each state that cannot train', () => {
    t = tempProject();
    const db = t.project.db;
    expect(refusal()).toMatchObject({
      code: 'NOT_READY',
      message: expect.stringMatching(/^There are no images yet\. Import/),
    });
    const id = fakeImage(t.project, 2, 2);
    const a = addClass(db, 'road');
    expect(refusal()).toMatchObject({
      message: expect.stringMatching(/at least two classes.*has one\. Add the classes/),
    });
    const b = addClass(db, 'sky');
    expect(refusal()).toMatchObject({
      message: expect.stringMatching(/^No image is labeled yet\. Paint at least one image: open it/),
    });
    // Labels only from a source the run does not train on (3 = accepted prediction, not a default source).
    label(id, a.value, 3);
    expect(refusal()).toMatchObject({
      message: expect.stringMatching(
        /No image has labels this run trains on \(painted, filled \(propagated\) or imported masks\)/,
      ),
    });
    // Painted labels, but only on a validation image.
    label(id, b.value, 1);
    setSplit(db, [id], 'val');
    expect(refusal()).toMatchObject({
      message: expect.stringMatching(/Every labeled image is in the validation split/),
    });
    expect(listRuns(db)).toEqual([]);
    // Ready: the check passes and the run starts (here: the stand-in fork refuses, after the row exists).
    setSplit(db, [id], 'train');
    expect(refusal()).toMatchObject({ message: 'no process may start' });
    expect(listRuns(db)).toHaveLength(1);
  });
});
