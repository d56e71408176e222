package org.neurite.autograd;

import org.neurite.tensor.Tensor;

/**
 * The backward of one recorded op: given the gradient of the loss with respect to the op's output,
 * returns one gradient per input (same shape as that input), or {@code null} for an input that needs
 * none. Runs with grad mode off.
 *
 * <p>A backward runs on the thread that called {@code backward()}, once per pass; implementations need not
 * be thread-safe.
 */
@FunctionalInterface
public interface Backward {
  /**
   * Computes the input gradients.
   *
   * @param gradOutput the gradient with respect to the op's output
   * @return one gradient per input, {@code null} where an input needs none
   */
  Tensor[] apply(Tensor gradOutput);
}
