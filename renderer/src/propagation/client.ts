/**
 * Starts label propagation in a worker. `cancel()` terminates the worker at once (the engine keeps no
 * state worth saving), and the promise rejects with a `CancelledError`.
 */
import type { PropagateMessage, PropagateRequest } from './protocol';

class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor() {
    super('Propagation cancelled');
  }
}

type PropagationOutcome = Extract<PropagateMessage, { type: 'done' }>;

export interface PropagationJob {
  result: Promise<PropagationOutcome>;
  cancel(): void;
}

export type PropagationView = Extract<PropagateMessage, { type: 'view' }>;

/** `onView` receives the part on screen when the request asks for it (`view`), before the result. */
export function startPropagation(
  request: PropagateRequest,
  onProgress?: (fraction: number) => void,
  onView?: (view: PropagationView) => void,
): PropagationJob {
  const worker = new Worker(new URL('./propagate.worker.ts', import.meta.url), { type: 'module' });
  let settle: { reject: (e: Error) => void } | null = null;
  const result = new Promise<PropagationOutcome>((resolve, reject) => {
    settle = { reject };
    worker.onmessage = (e: MessageEvent<PropagateMessage>) => {
      const msg = e.data;
      if (msg.type === 'progress') {
        onProgress?.(msg.fraction);
        return;
      }
      if (msg.type === 'view') {
        onView?.(msg);
        return;
      }
      worker.terminate();
      if (msg.type === 'done') resolve(msg);
      else reject(new Error(msg.message));
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(e.message || 'Propagation worker failed'));
    };
  });
  // Copies, so the caller's buffers stay usable; the worker owns these.
  const rgba = request.rgba.slice();
  const seeds = request.seeds.slice();
  worker.postMessage({ ...request, rgba, seeds }, [rgba.buffer, seeds.buffer]);
  return {
    result,
    cancel() {
      worker.terminate();
      settle?.reject(new CancelledError());
    },
  };
}
