package org.neurite.nn;

import org.neurite.tensor.Tensor;

/**
 * A layer over sequences {@code [N, T, ...]} that honours a padding mask {@code [N, T]} (1 = real step,
 * 0 = padding): padded steps change neither its output nor its gradients. {@code forward(x)} is
 * {@code forward(x, null)}.
 *
 * <p>Implementations are modules and, like every {@link Module}, not thread-safe.
 */
public interface MaskAware {
  Tensor forward(Tensor x, Tensor mask);
}
