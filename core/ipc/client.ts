/** Renderer-side (and test-side) typed caller: unwraps envelopes and throws `AppError` on failure. */
import type { Channel } from './channels';
import type { Input, MaskwrightApi, Output } from './contract';
import { AppError } from './errors';

type CallArgs<K extends Channel> = undefined extends Input<K> ? [input?: Input<K>] : [input: Input<K>];
export type Call = <K extends Channel>(channel: K, ...args: CallArgs<K>) => Promise<Output<K>>;

export function makeCall(api: MaskwrightApi): Call {
  return async <K extends Channel>(channel: K, ...args: CallArgs<K>): Promise<Output<K>> => {
    const env = await api.invoke(channel, args[0] as Input<K>);
    if (env.ok) return env.value;
    throw new AppError(env.error.code, env.error.message, env.error.issues);
  };
}
