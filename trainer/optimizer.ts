/**
 * Adam whose learning rate the training loop sets before each step (core/training/schedule.ts), with
 * optional decoupled weight decay (AdamW: w -= lr * weightDecay * w, apart from Adam's update) on the
 * convolution kernels only: biases and batch-norm scales and offsets are not decayed.
 */
import * as tf from '@tensorflow/tfjs';

/** Variables that decay: the kernels of convolution layers (`<layer>/kernel`). */
export const decays = (name: string): boolean => /(^|\/)kernel(_\d+)?$/.test(name);

export class ScheduledAdam extends tf.AdamOptimizer {
  constructor(
    learningRate: number,
    private readonly weightDecay = 0,
  ) {
    // tf.train.adam's defaults.
    super(learningRate, 0.9, 0.999);
  }

  /** The rate the next `applyGradients` uses. */
  get rate(): number {
    return this.learningRate;
  }

  set rate(lr: number) {
    this.learningRate = lr;
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (this.weightDecay > 0) {
      const names = Array.isArray(variableGradients)
        ? variableGradients.map((v) => v.name)
        : Object.keys(variableGradients);
      const factor = 1 - this.learningRate * this.weightDecay;
      tf.tidy(() => {
        for (const name of names) {
          if (!decays(name)) continue;
          const v = tf.engine().registeredVariables[name];
          if (v) v.assign(tf.mul(v, factor));
        }
      });
    }
    super.applyGradients(variableGradients);
  }
}
