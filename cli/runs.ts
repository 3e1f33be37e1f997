/** `maskwright runs`: the project's training runs and their kept checkpoints, the best and the one in use marked. */
import { activeCheckpointChoice, listCheckpoints, listEpochs, listRuns } from '../db/runs';
import { ACTIVE_BASIS_WORDS } from '../core/ipc/contract';
import { withProject, type Command } from './command';
import { out, outJson, pct, UsageError } from './output';

export const runsCmd: Command = {
  name: 'runs',
  usage: 'runs PROJECT [--json]',
  summary: 'list training runs and their checkpoints: * marks the best by validation mIoU, > the one in use',
  help: [
    '',
    'predict and export use the chosen checkpoint, else the newest run’s best by validation mIoU (the later',
    'epoch on a tie), else (a run without validation images) its newest. Each run keeps its best and its',
    'last 3 checkpoints (and any chosen or resumed from); every epoch’s metrics stay.',
    '',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  async run([path, ...extra], values) {
    if (!path || extra.length) throw new UsageError('give exactly one project path');
    return withProject(path, (project) => {
      const db = project.db;
      const active = activeCheckpointChoice(db);
      const runs = listRuns(db).map((r) => ({
        ...r,
        epochs: listEpochs(db, r.id).length,
        checkpoints: listCheckpoints(db, r.id),
      }));
      if (values.json) {
        const inUse = active && { checkpointId: active.checkpoint.id, basis: active.basis };
        outJson({ active: inUse ?? null, runs });
        return 0;
      }
      if (!runs.length) out('No training runs yet');
      for (const r of runs) {
        out(`Run ${r.id}  ${r.status}  ${r.epochs} epoch(s)  ${r.backend ?? '-'}`);
        for (const c of r.checkpoints) {
          const mark = `${active?.checkpoint.id === c.id ? '>' : ' '}${c.best ? '*' : ' '}`;
          const on = c.metricsOn === 'train' ? ' (on training images)' : '';
          out(`  ${mark} checkpoint ${c.id}  epoch ${c.epoch + 1}  mIoU ${pct(c.meanIoU)}${on}`);
        }
      }
      if (active) {
        const c = active.checkpoint;
        out(
          active.basis === 'newest'
            ? `In use: checkpoint ${c.id} (run ${c.runId}, epoch ${c.epoch + 1}): no validation images, so the newest`
            : `In use: checkpoint ${c.id} (run ${c.runId}, epoch ${c.epoch + 1}, ${ACTIVE_BASIS_WORDS[active.basis]})`,
        );
      }
      return 0;
    });
  },
};
