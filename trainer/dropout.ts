/**
 * Inverted dropout whose masks are repeatable: the n-th training call of the layer draws its mask from
 * `seed + n`. (tfjs's own `seed` option reseeds every call with the same value, so every step would
 * drop the same units; without a seed the masks come from an unseeded global generator and a run cannot
 * be repeated.) Kept units are scaled by 1 / (1 - rate) at training time; inference is the identity.
 * Serialises as the stock `Dropout` layer, so exported models load in plain TensorFlow.js.
 */
import * as tf from '@tensorflow/tfjs';

type DropoutCtor = new (args: { rate: number; name?: string }) => tf.layers.Layer;
const StockDropout = (tf.layers.dropout({ rate: 0.5 }) as object).constructor as DropoutCtor;

export class SeededDropout extends StockDropout {
  private calls = 0;
  constructor(
    private readonly dropRate: number,
    private readonly baseSeed: number,
    name?: string,
  ) {
    super(name === undefined ? { rate: dropRate } : { rate: dropRate, name });
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (!kwargs['training'] || this.dropRate <= 0) return tf.clone(x);
    return tf.dropout(x, this.dropRate, undefined, this.baseSeed + this.calls++);
  }
}
