package org.neurite.ops;

import org.neurite.autograd.Tape;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * Inverted dropout: zeroes each element with probability p and scales the rest by 1 / (1 - p).
 *
 * <p>Thread-safe: static methods with no shared mutable state (the graph lives in the tensors, grad mode
 * and workspaces are per thread); the tensors themselves are not thread-safe.
 */
public final class Dropout {
  private Dropout() {}

  // y = x * mask, mask = (u >= p) / (1 - p).  dx = dy * mask.  Identity when not training or p == 0.
  public static Tensor dropout(Tensor x, float p, boolean training, Rng rng) {
    if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException("dropout: p (" + p + ") must be in [0, 1)");
    if (!training || p == 0f) return x;
    float scale = 1f / (1f - p);
    float[] m = new float[x.size()];
    for (int i = 0; i < m.length; i++) m[i] = rng.nextFloat() >= p ? scale : 0f;
    Tensor mask = Tensor.of(m, x.shape());
    Tensor y = Arithmetic.binary("dropout", org.neurite.kernels.Pointwise.MUL, x, mask);
    return Tape.record("dropout", y, dy -> new Tensor[] {Arithmetic.mul(dy, mask)}, x);
  }
}
