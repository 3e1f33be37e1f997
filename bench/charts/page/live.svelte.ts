// The live run's step losses as the app holds them: a deep $state array that messages push to
// (renderer/src/training/training.svelte.ts), and LiveRun's derived series over it.
import type { Series } from '../../../renderer/src/training/charts';

export function liveRun(): { stepLoss: number[]; series(): Series[] } {
  const run = $state({ stepLoss: [] as number[] });
  return {
    get stepLoss() {
      return run.stepLoss;
    },
    set stepLoss(v: number[]) {
      run.stepLoss = v;
    },
    series: () => [
      { name: 'train loss', color: '#4c9ffe', values: run.stepLoss, x: run.stepLoss.map((_, i) => i + 1) },
    ],
  };
}
