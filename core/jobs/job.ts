/**
 * A job of the worker process (worker/index.ts): the messages its parent sends (`request`) and the
 * messages it answers with (`message`), as zod schemas. Each side parses what it receives, so a message
 * the other side did not mean never passes as typed. Every job's file in this folder declares one.
 */
import { z } from 'zod';
import { ERROR_CODES, type ApiErrorPayload } from '../ipc/errors';

export interface JobProtocol<Req extends z.ZodType = z.ZodType, Msg extends z.ZodType = z.ZodType> {
  /** Said in the error of a message that fails its schema. */
  name: string;
  request: Req;
  message: Msg;
}
export type JobRequest<P extends JobProtocol> = z.infer<P['request']>;
export type JobMessage<P extends JobProtocol> = z.infer<P['message']>;

/**
 * The parent has every message it waited for: leave now. Understood by every job's process (a worker never
 * exits on its own after answering, since leaving right after posting a large message can lose it).
 */
export const exitRequest = z.object({ type: z.literal('exit') });

/** Any number, NaN and infinities included (a diverging loss is NaN, and it must still arrive). */
export const num = z.custom<number>((v) => typeof v === 'number');
export const int = z.number().int();
export const nonNegativeInt = int.nonnegative();
export const errorPayload = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() })).optional(),
}) satisfies z.ZodType<ApiErrorPayload>;

/** Why a message failed its schema, in one line. */
function why(error: z.ZodError): string {
  const i = error.issues[0]!;
  return `${i.path.join('.') || 'message'}: ${i.message}`;
}

/** A request for job `p` from the parent, or an Error saying what was wrong with it. */
export function parseRequest<P extends JobProtocol>(p: P, raw: unknown): JobRequest<P> {
  const r = p.request.safeParse(raw);
  if (!r.success) throw new Error(`Unexpected message from the parent (${p.name}: ${why(r.error)})`);
  return r.data as JobRequest<P>;
}

/** A message of job `p` from the worker process, or an Error saying what was wrong with it. */
export function parseMessage<P extends JobProtocol>(p: P, raw: unknown): JobMessage<P> {
  const r = p.message.safeParse(raw);
  if (!r.success) throw new Error(`Unexpected message from the ${p.name} process (${why(r.error)})`);
  return r.data as JobMessage<P>;
}
