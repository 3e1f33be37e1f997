// Each worker job's protocol (core/jobs/) is parsed on both sides: what passes is typed, what does not is refused in one line.
import { describe, expect, it } from 'vitest';
import { parseMessage, parseRequest } from '../../../core/jobs/job';
import { predictJob } from '../../../core/jobs/predict';
import { trainJob } from '../../../core/jobs/train';
import { receive } from '../../../services/job-process';

describe('worker protocol', () => {
  it('passes a diverging loss (NaN) and byte planes, as sent', () => {
    const step = {
      type: 'step',
      runId: 1,
      epoch: 0,
      step: 3,
      stepsPerEpoch: 9,
      loss: NaN,
      etaSeconds: Infinity,
      learningRate: 4e-4,
    };
    expect(parseMessage(trainJob, step)).toEqual(step);
    const p = {
      type: 'prediction',
      imageId: 4,
      width: 2,
      height: 1,
      values: Uint8Array.from([1, 2]),
      confidence: Uint8Array.from([255, 128]),
      meanConfidence: 0.75,
    };
    expect(parseMessage(predictJob, p)).toEqual(p);
  });

  it("passes the training process's CPU seconds with its last message", () => {
    const done = { type: 'done', runId: 2, status: 'completed', message: '3 epoch(s) done', cpuSeconds: 61.5 };
    expect(parseMessage(trainJob, done)).toEqual(done);
  });

  it('passes the resolved settings of a started run, and refuses them without the backend defaults', () => {
    const started = {
      type: 'started',
      runId: 1,
      backend: 'wasm',
      skipped: [],
      train: 3,
      val: 1,
      classWeights: [1, 1],
      size: [256, 192],
      settings: { epochs: 3, batchSize: 4, baseFilters: 16, longSide: 256, stem: 1 },
    };
    expect(parseMessage(trainJob, started)).toEqual(started);
    expect(() => parseMessage(trainJob, { ...started, settings: { epochs: 3, batchSize: 4 } })).toThrow(/settings/);
  });

  it.each([
    [
      {
        type: 'prediction',
        imageId: 4,
        width: 2,
        height: 1,
        values: [1, 2],
        confidence: new Uint8Array(2),
        meanConfidence: 1,
      },
      /values/,
    ],
    [
      { type: 'predictDone', checkpointId: null, backend: 'wasm', error: { code: 'NO_SUCH_CODE', message: 'x' } },
      /error\.code/,
    ],
    [{ type: 'hello' }, /type/],
    [null, /message/],
  ])('refuses a message the worker did not mean: %j', (raw, where) => {
    expect(() => parseMessage(predictJob, raw)).toThrow(/^Unexpected message from the prediction process/);
    expect(() => parseMessage(predictJob, raw)).toThrow(where);
  });

  it("refuses another job's message: a training parent is not sent predictions", () => {
    const p = { type: 'predictDone', checkpointId: null, backend: 'wasm', error: null };
    expect(parseMessage(predictJob, p)).toEqual(p);
    expect(() => parseMessage(trainJob, p)).toThrow(/^Unexpected message from the training process \(type/);
  });

  it('parses what the parent sends', () => {
    expect(
      parseRequest(predictJob, { type: 'predict', projectPath: '/p', imageIds: [1, 2], scoresOnly: true }),
    ).toEqual({
      type: 'predict',
      projectPath: '/p',
      imageIds: [1, 2],
      scoresOnly: true,
    });
    expect(() => parseRequest(predictJob, { type: 'predict', projectPath: '/p', imageIds: ['1'] })).toThrow(
      /imageIds\.0/,
    );
    expect(() => parseRequest(trainJob, { type: 'start', runId: 1 })).toThrow(/Unexpected message from the parent/);
    expect(() => parseRequest(trainJob, { type: 'predict', projectPath: '/p', imageIds: [1] })).toThrow(/type/);
  });

  it('a parent ends a worker that sends a malformed message instead of waiting on it', () => {
    const got: unknown[] = [];
    let killed = 0;
    const errors: unknown[] = [];
    const orig = console.error;
    console.error = (m: unknown) => errors.push(m);
    try {
      const handle = receive(
        trainJob,
        (m) => got.push(m),
        () => killed++,
      );
      handle({ type: 'notice', runId: 1, message: 'waiting for the lock' });
      handle({ type: 'notice', runId: 'one' });
    } finally {
      console.error = orig;
    }
    expect(got).toEqual([{ type: 'notice', runId: 1, message: 'waiting for the lock' }]);
    expect(killed).toBe(1);
    expect(errors).toHaveLength(1);
  });
});
