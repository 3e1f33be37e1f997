/**
 * Entry point of the worker process (Electron utilityProcess in the app, child_process.fork in the CLI):
 * one job per process, chosen by the parent's first request. A job is its protocol in core/jobs/ and its
 * entry in worker/jobs/, listed in JOBS; every request is parsed with the job's schema.
 */
import { parseRequest, type JobProtocol } from '../core/jobs/job';
import { parentChannel, type RunningJob, type WorkerJob } from './job';
import { backendsWorkerJob } from './jobs/backends';
import { predictWorkerJob } from './jobs/predict';
import { trainWorkerJob } from './jobs/train';

const JOBS: WorkerJob<JobProtocol>[] = [trainWorkerJob, predictWorkerJob, backendsWorkerJob];

/** The job whose requests include `raw` (its first request), or an Error naming what was wrong with it. */
function jobFor(raw: unknown): WorkerJob<JobProtocol> {
  const job = JOBS.find((j) => j.protocol.request.safeParse(raw).success);
  if (job) return job;
  // Parsed by the first job only to say, in one line, what was wrong.
  parseRequest(JOBS[0]!.protocol, raw);
  throw new Error('Unexpected message from the parent');
}

if (require.main === module || (process as unknown as { parentPort?: unknown }).parentPort) {
  const channel = parentChannel();
  let running: { job: WorkerJob<JobProtocol>; handlers: RunningJob<JobProtocol> } | null = null;
  let interrupts = 0;
  process.on('SIGINT', () => {
    running?.handlers.interrupt?.();
    if (++interrupts > 1) process.exit(130);
  });
  // The parent is gone: a job with nothing left to record leaves at once.
  process.on('disconnect', () => {
    if (!running?.handlers.orphaned?.()) process.exit(0);
  });
  const die = (err: unknown) => {
    try {
      running?.handlers.crashed?.(err);
    } finally {
      setTimeout(() => process.exit(1), 50);
    }
  };
  process.on('uncaughtException', die);
  process.on('unhandledRejection', die);
  channel.onMessage((raw) => {
    if (!running) {
      const job = jobFor(raw);
      running = { job, handlers: job.start(channel) };
    }
    const msg = parseRequest(running.job.protocol, raw) as { type: string };
    // The parent says when it has the last message (see core/jobs/job.ts exitRequest).
    if (msg.type === 'exit') process.exit(0);
    running.handlers.receive(msg);
  });
}
