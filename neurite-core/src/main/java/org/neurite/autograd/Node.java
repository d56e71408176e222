package org.neurite.autograd;

import org.neurite.tensor.Tensor;

/**
 * One recorded op in the define-by-run graph: its name, its inputs and its backward.
 *
 * <p>Immutable, shallowly: the inputs array and the tensors in it are shared with the op that recorded the
 * node.
 */
public record Node(String op, Tensor[] inputs, Backward backward) {}
