package org.neurite.autograd;

import org.neurite.tensor.Tensor;

/**
 * One recorded op in the define-by-run graph: its name, its inputs and its backward.
 *
 * <p>Immutable, shallowly: the inputs array and the tensors in it are shared with the op that recorded the
 * node.
 *
 * @param op the op's name, for messages and debugging
 * @param inputs the op's inputs
 * @param backward the op's backward
 */
public record Node(String op, Tensor[] inputs, Backward backward) {}
