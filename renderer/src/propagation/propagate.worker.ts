/// <reference lib="webworker" />
/** Runs label propagation off the UI thread. Cancelling is terminating the worker. */
import { propagateLabels } from '../../../core/propagation';
import type { PropagateMessage, PropagateRequest } from './protocol';

const post = (msg: PropagateMessage, transfer: Transferable[] = []) =>
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(msg, transfer);

self.onmessage = (event: MessageEvent<PropagateRequest>) => {
  const { rgba, width, height, seeds, options } = event.data;
  const t0 = performance.now();
  try {
    const r = propagateLabels({ data: rgba, width, height, channels: 4 }, seeds, {
      ...options,
      onProgress: (fraction) => post({ type: 'progress', fraction }),
    });
    post(
      {
        type: 'done',
        labels: r.labels,
        confidence: r.confidence,
        converged: r.converged,
        iterations: r.iterations,
        residual: r.residual,
        warnings: r.warnings,
        ms: performance.now() - t0,
      },
      [r.labels.buffer, r.confidence.buffer],
    );
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
