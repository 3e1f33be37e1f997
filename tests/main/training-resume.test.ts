/** Resuming from a checkpoint with other architecture settings is refused up front, with one line. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trainSettingsSchema } from '../../core/training/settings';
import { createRun, listRuns, recordEpoch } from '../../db/runs';
import { checkResumable, startTraining } from '../../services/training';
import { checkpointMeta } from '../helpers/checkpoint';
import { tempProject } from '../helpers/project';

describe('resume settings', () => {
  let t: ReturnType<typeof tempProject>;
  let checkpointId: number;
  beforeEach(() => {
    t = tempProject();
    const runId = createRun(t.project.db, trainSettingsSchema.parse({ epochs: 1, depth: 3, baseFilters: 16 }));
    checkpointId = recordEpoch(
      t.project.db,
      { runId, epoch: 0, trainLoss: 1, valLoss: null, metrics: {} },
      { modelTopology: {}, weights: new Uint8Array(4), metadata: checkpointMeta },
    )!;
  });
  afterEach(() => t.close());

  it('names the setting that differs and records no run', () => {
    const other = trainSettingsSchema.parse({ epochs: 1, depth: 4, baseFilters: 16, resumeFrom: checkpointId });
    expect(() => checkResumable(t.project.db, other)).toThrow(
      `Cannot resume from checkpoint ${checkpointId}: it was trained with --depth 3, this run asks for 4; resume with the same model settings`,
    );
    const wider = trainSettingsSchema.parse({ epochs: 1, depth: 3, baseFilters: 32, resumeFrom: checkpointId });
    expect(() => checkResumable(t.project.db, wider)).toThrow(/--width-base 16, this run asks for 32/);
    const same = trainSettingsSchema.parse({ epochs: 2, depth: 3, baseFilters: 16, resumeFrom: checkpointId });
    expect(() => checkResumable(t.project.db, same)).not.toThrow();
    // The run was recorded without a stem setting (as runs were before it existed): its model had none.
    const stem = trainSettingsSchema.parse({ epochs: 1, stem: 2, resumeFrom: checkpointId });
    expect(() => checkResumable(t.project.db, stem)).toThrow(/--stem 1, this run asks for 2/);
    const noStem = trainSettingsSchema.parse({ epochs: 1, stem: 1, resumeFrom: checkpointId });
    expect(() => checkResumable(t.project.db, noStem)).not.toThrow();

    const forked: string[] = [];
    expect(() =>
      startTraining(
        t.project.db,
        t.dir,
        { epochs: 1, depth: 4, resumeFrom: checkpointId },
        (m) => {
          forked.push(m);
          throw new Error('must not fork');
        },
        'worker.cjs',
      ),
    ).toThrow(/Cannot resume/);
    expect(forked).toEqual([]);
    expect(listRuns(t.project.db)).toHaveLength(1); // only the original run
  });
});
