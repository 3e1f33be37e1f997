/** Errors thrown by the propagation engine. */

/** The label map has no painted pixel: there is nothing to propagate. */
export class NoLabelsError extends Error {
  override readonly name = 'NoLabelsError';
  constructor(message = 'Label propagation needs at least one painted pixel; the label map has none.') {
    super(message);
  }
}

/** The inputs are inconsistent (sizes, channels, non-finite options). */
export class PropagationInputError extends Error {
  override readonly name = 'PropagationInputError';
}

/** `shouldCancel()` returned true; no partial result is returned. */
export class PropagationCancelled extends Error {
  override readonly name = 'PropagationCancelled';
  constructor(message = 'Label propagation was cancelled.') {
    super(message);
  }
}
