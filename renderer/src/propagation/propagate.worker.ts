/// <reference lib="webworker" />
/**
 * Runs label propagation off the UI thread: the part on screen first when asked (`view`), then the
 * whole image. Cancelling is terminating the worker.
 */
import { preparePropagation } from '../../../core/propagation';
import type { PropagateMessage, PropagateRequest } from './protocol';

const post = (msg: PropagateMessage, transfer: Transferable[] = []) =>
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(msg, transfer);

self.onmessage = (event: MessageEvent<PropagateRequest>) => {
  const { rgba, width, height, seeds, options, view } = event.data;
  const t0 = performance.now();
  try {
    const prepared = preparePropagation({ data: rgba, width, height, channels: 4 }, seeds, {
      ...options,
      onProgress: (fraction) => post({ type: 'progress', fraction }),
    });
    if (view) {
      const v = prepared.region(view, view.step);
      post({ type: 'view', view, labels: v.labels, confidence: v.confidence }, [v.labels.buffer, v.confidence.buffer]);
    }
    const r = prepared.region({ x: 0, y: 0, width, height }, 1);
    post({ type: 'progress', fraction: 1 });
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
