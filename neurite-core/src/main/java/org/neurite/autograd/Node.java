package org.neurite.autograd;

import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * One recorded op in the define-by-run graph: its name, its inputs with the versions they had when the op
 * ran, the arrays its backward keeps besides them, and its backward.
 *
 * <p>Immutable, shallowly: the arrays and the tensors in them are shared with the op that recorded the
 * node.
 *
 * @param op the op's name, for messages and debugging
 * @param inputs the op's inputs
 * @param versions each input's {@link Tensor#version()} when the op ran (0 for a null input)
 * @param saved arrays the backward reads that are neither an input's nor the output's storage (max
 *     pooling's argmax), so that {@code Workspace.Scope.keep} can keep them; empty when none
 * @param backward the op's backward
 */
public record Node(String op, Tensor[] inputs, int[] versions, Object[] saved, Backward backward) {
  static int[] versionsOf(Tensor[] inputs) {
    int[] v = new int[inputs.length];
    for (int i = 0; i < inputs.length; i++) if (inputs[i] != null) v[i] = inputs[i].version();
    return v;
  }

  /**
   * Throws when an input was written in place after the op ran (its backward would read the new values),
   * as PyTorch does, or when an input's or the output's workspace scope has closed.
   *
   * @param output the tensor this node made
   */
  void checkInputs(Tensor output) {
    output.storage();   // throws when its workspace scope has closed
    for (int i = 0; i < inputs.length; i++) {
      Tensor in = inputs[i];
      if (in == null) continue;
      in.storage();
      if (in.version() != versions[i])
        throw new IllegalStateException("one of the variables needed for gradient computation has been modified by an"
            + " inplace operation: input " + i + " of " + op + " (shape " + Shape.str(in.shape()) + ") is at version "
            + in.version() + "; expected version " + versions[i] + " instead. An optimizer step, loadStateDict or"
            + " another in-place write ran between the forward pass and backward(); run backward() first");
    }
  }
}
