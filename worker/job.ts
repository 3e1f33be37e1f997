/** What a job of the worker process (worker/index.ts) is made of, and the channel to its parent. */
import type { JobMessage, JobProtocol, JobRequest } from '../core/jobs/job';

export interface Channel<M> {
  send(msg: M): void;
}

/** One job running in this process, as started by its first request. */
export interface RunningJob<P extends JobProtocol> {
  /** A request from the parent, parsed with the job's schema (`exit` is answered by worker/index.ts). */
  receive(msg: Exclude<JobRequest<P>, { type: 'exit' }>): void;
  /** The first Ctrl+C in a terminal (a second one ends the process at once). */
  interrupt?(): void;
  /** The parent is gone: whether the job keeps the process to finish (else it leaves at once). */
  orphaned?(): boolean;
  /** An error escaped the job (a dying wasm module, an async kernel error): record it before the exit. */
  crashed?(err: unknown): void;
}

export interface WorkerJob<P extends JobProtocol> {
  protocol: P;
  start(channel: Channel<JobMessage<P>>): RunningJob<P>;
}

/** Electron's utilityProcess has `process.parentPort`; a forked Node process has `process.send`. */
export function parentChannel(): Channel<unknown> & { onMessage(fn: (raw: unknown) => void): void } {
  const port = (
    process as unknown as {
      parentPort?: { postMessage(m: unknown): void; on(e: 'message', f: (e: { data: unknown }) => void): void };
    }
  ).parentPort;
  if (port)
    return {
      send: (m) => port.postMessage(m),
      onMessage: (fn) => port.on('message', (e) => fn(e.data)),
    };
  if (process.send)
    return {
      // After the parent died the channel is closed: messages have nobody to go to.
      // (a send racing the parent's death fails in the callback instead of crashing the process).
      send: (m) => void (process.connected && process.send!(m, undefined, undefined, () => {})),
      onMessage: (fn) => process.on('message', (m) => fn(m)),
    };
  throw new Error('worker/index must run as a child process');
}
