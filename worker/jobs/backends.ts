/** The backends job of the worker process (protocol core/jobs/backends.ts): lists them, once. */
import { backendsJob } from '../../core/jobs/backends';
import { listBackends } from '../../trainer/backend';
import type { WorkerJob } from '../job';

export const backendsWorkerJob: WorkerJob<typeof backendsJob> = {
  protocol: backendsJob,
  start: (channel) => ({
    receive: () => void listBackends().then((list) => channel.send({ type: 'backends', list })),
  }),
};
