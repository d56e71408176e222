package org.neurite.onnx;

import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * One prepared node: attributes are parsed and checked when the model loads, so {@link #run} only
 * computes. Inputs arrive in the node's order, null for an omitted optional input; the result holds
 * one tensor per output (trailing optional outputs may be left out).
 */
@FunctionalInterface
interface Op {
  Tensor[] run(Tensor[] in, Exec exec);

  /** What an op may ask of the model at run time. */
  interface Exec {
    /** Training mode: batch statistics in BatchNormalization, active Dropout. */
    boolean training();

    /** The model's random source (Dropout). */
    Rng rng();

    /**
     * Changes whenever the weights may have changed (training mode switched, a state dict loaded, a
     * forward pass recorded for backward): ops may cache values derived from their weights under it.
     */
    long version();

    /**
     * A float array of exactly {@code n} elements for an op's output, which the op must overwrite
     * entirely: its contents are whatever a dead value left there. In inference the model recycles
     * arrays of values no later step reads, so a forward pass does not allocate (and zero) its
     * activations anew each time; otherwise a new array.
     */
    default float[] buffer(int n) {
      return new float[n];
    }
  }

  /** An op with one output. */
  @FunctionalInterface
  interface Single extends Op {
    Tensor apply(Tensor[] in, Exec exec);

    @Override
    default Tensor[] run(Tensor[] in, Exec exec) {
      return new Tensor[] {apply(in, exec)};
    }
  }
}
