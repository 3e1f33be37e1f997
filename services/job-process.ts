/**
 * The parent's side of a worker job (worker/index.ts; protocols in core/jobs/): forks the process, sends
 * the job's requests and parses every message it answers with against the job's schema. `request` is
 * the one request/response loop: send, collect until the last message, notice a process that died first.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, oneLine } from '../core/ipc/errors';
import { parseMessage, type JobMessage, type JobProtocol, type JobRequest } from '../core/jobs/job';

/** The few things both child_process.fork and Electron's utilityProcess.fork offer; messages as sent. */
export interface WorkerProcess {
  postMessage(msg: unknown): void;
  onMessage(fn: (raw: unknown) => void): void;
  onExit(fn: (code: number | null) => void): void;
  kill(): void;
}
export type ForkWorker = (modulePath: string) => WorkerProcess;

/** dist/worker/index.cjs, built by scripts/build.mjs. */
export function workerPath(distDir: string): string {
  const p = join(distDir, 'worker', 'index.cjs');
  if (!existsSync(p)) throw new AppError('IO', `The training worker is not built (${p}); run npm run build`);
  return p;
}

/** `child_process.fork` as a ForkWorker (the CLI and tests). */
export function nodeFork(modulePath: string): WorkerProcess {
  // 'advanced' = structured clone, as Electron's utilityProcess: byte arrays stay byte arrays.
  const child = fork(modulePath, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  return {
    postMessage: (m) => child.send(m as object),
    onMessage: (fn) => child.on('message', fn),
    onExit: (fn) => child.on('exit', (code) => fn(code)),
    kill: () => child.kill('SIGKILL'),
  };
}

/**
 * A message handler that parses what job `p`'s process sent. A message that fails its schema is a broken
 * worker: it is said on stderr and the process is ended, so the caller sees an exit (a crash) instead of
 * waiting for a message that will never pass.
 */
export function receive<P extends JobProtocol>(
  p: P,
  fn: (msg: JobMessage<P>) => void,
  kill: () => void,
): (raw: unknown) => void {
  return (raw) => {
    let msg: JobMessage<P>;
    try {
      msg = parseMessage(p, raw);
    } catch (err) {
      console.error(oneLine(err instanceof Error ? err.message : String(err)));
      kill();
      return;
    }
    fn(msg);
  };
}

/** A worker process running job `P`: typed both ways. */
export interface JobProcess<P extends JobProtocol> {
  post(msg: JobRequest<P>): void;
  onMessage(fn: (msg: JobMessage<P>) => void): void;
  onExit(fn: (code: number | null) => void): void;
  /** The parent has every message it waited for: the process leaves. */
  exit(): void;
  kill(): void;
}

export function startJob<P extends JobProtocol>(p: P, fork: ForkWorker, modulePath: string): JobProcess<P> {
  const child = fork(modulePath);
  return {
    post: (msg) => child.postMessage(msg),
    onMessage: (fn) => child.onMessage(receive(p, fn, () => child.kill())),
    onExit: (fn) => child.onExit(fn),
    exit: () => child.postMessage({ type: 'exit' }),
    kill: () => child.kill(),
  };
}

/** How a request ended: its last message, or the exit code of a process that died before sending it. */
export type Answer<L> = { last: L } | { last: null; code: number | null };

/**
 * Sends `msg` and passes every answer to `onMessage` up to the first of type `lastType`. Resolves with that
 * one (and, with `exit`, tells the process to leave), or with the exit code when the process died first.
 */
export function request<P extends JobProtocol, T extends string>(
  job: JobProcess<P>,
  msg: JobRequest<P>,
  lastType: T,
  onMessage: (m: JobMessage<P>) => void = () => {},
  { exit = true }: { exit?: boolean } = {},
): Promise<Answer<Extract<JobMessage<P>, { type: T }>>> {
  return new Promise((resolve) => {
    let settled = false;
    job.onMessage((m) => {
      if (settled) return;
      onMessage(m);
      if ((m as { type: string }).type !== lastType) return;
      settled = true;
      if (exit) job.exit();
      resolve({ last: m as Extract<JobMessage<P>, { type: T }> });
    });
    job.onExit((code) => {
      if (settled) return;
      settled = true;
      resolve({ last: null, code });
    });
    job.post(msg);
  });
}
