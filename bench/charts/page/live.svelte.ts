// The live run's step losses as the app held them before (a deep $state array that messages push to) and
// as it holds them now (renderer/src/training/training.svelte.ts), with LiveRun's derived series over them.
import type { Series } from '../../../renderer/src/training/charts';

export function liveRun(): { stepLoss: number[]; readonly series: Series[] } {
  const run = $state({ stepLoss: [] as number[] });
  return over(run);
}

/** The same with the losses in a $state.raw array that each append replaces: no proxy to read through. */
export function rawRun(): { stepLoss: number[]; readonly series: Series[] } {
  let stepLoss = $state.raw<number[]>([]);
  return over({
    get stepLoss() {
      return stepLoss;
    },
    set stepLoss(v: number[]) {
      stepLoss = v;
    },
  });
}

function over(run: { stepLoss: number[] }): { stepLoss: number[]; readonly series: Series[] } {
  const series = $derived([
    { name: 'train loss', color: '#4c9ffe', values: run.stepLoss, x: run.stepLoss.map((_, i) => i + 1) },
  ]);
  return {
    get stepLoss() {
      return run.stepLoss;
    },
    set stepLoss(v: number[]) {
      run.stepLoss = v;
    },
    get series() {
      return series;
    },
  };
}
