package org.neurite.autograd;

import org.neurite.tensor.Tensor;

/** One recorded op in the define-by-run graph: its name, its inputs and its backward. */
public record Node(String op, Tensor[] inputs, Backward backward) {}
