package org.neurite.nn;

import org.neurite.tensor.Tensor;

/**
 * A layer whose output steps can be padding, such as an Embedding with a padding index. {@link Sequential}
 * asks it for the mask of each batch and hands that mask to the {@link MaskAware} layers after it (Keras'
 * {@code mask_zero} propagation).
 *
 * <p>Implementations are modules and, like every {@link Module}, not thread-safe.
 */
public interface MaskSource {
  /** The padding mask {@code [N, T]} for this input batch (1 = real step, 0 = padding), or null when there is none. */
  Tensor computeMask(Tensor input);
}
