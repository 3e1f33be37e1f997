/** Loading the class weights table and saving an override, with the API's refusal as a message. */
import type { ClassWeightRow } from '../../../core/ipc/contract';
import { AppError } from '../../../core/ipc/errors';
import type { PixelSource } from '../../../core/training/settings';
import { call, errorMessage } from '../lib/api';

export const loadWeights = (sources: PixelSource[]): Promise<ClassWeightRow[]> =>
  call('train.classWeights', { sources });

/** "" clears the override; anything else is sent as a number, for the API to accept or refuse. */
export async function saveOverride(id: number, text: string): Promise<string | null> {
  const trimmed = text.trim();
  const weightOverride = trimmed === '' ? null : Number(trimmed);
  // NaN would not survive the trip as JSON; say so here. Range checks are the API's.
  if (weightOverride !== null && !Number.isFinite(weightOverride)) return 'Enter a number, or leave empty';
  try {
    await call('classes.update', { id, weightOverride });
    return null;
  } catch (err) {
    if (err instanceof AppError && err.issues?.length) return err.issues[0]!.message;
    return errorMessage(err);
  }
}

/** A weight or frequency with three decimals. */
export const fixed3 = (v: number): string => v.toFixed(3);
