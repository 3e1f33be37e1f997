/** The backends job: lists the backends a training process can use here (answered once; then `exit`). */
import { z } from 'zod';
import type { BackendStatus } from '../training/backends';
import { exitRequest, type JobProtocol } from './job';

const request = z.discriminatedUnion('type', [z.object({ type: z.literal('backends') }), exitRequest]);
const message = z.object({
  type: z.literal('backends'),
  list: z.array(z.custom<BackendStatus>((v) => typeof v === 'object' && v !== null)),
});

export const backendsJob = { name: 'backend check', request, message } satisfies JobProtocol;
