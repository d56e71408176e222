package org.neurite.nn;

import org.neurite.ops.Pooling;
import org.neurite.tensor.Tensor;

/**
 * Max pooling: {@code new MaxPool2D(2)} halves H and W. See {@link Pool2D}.
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class MaxPool2D extends Pool2D {
  public MaxPool2D(int poolSize) {
    this(poolSize, poolSize, Padding.VALID);
  }

  public MaxPool2D(int poolSize, int stride, Padding padding) {
    super(poolSize, stride, padding);
  }

  public static MaxPool2D of(Config c) {
    return new MaxPool2D(c.poolSize(), c.stride(), c.padding());
  }

  @Override
  protected Tensor compute(Tensor x) {
    return Pooling.maxPool2d(x, pair(pool), pair(stride), pair(pad()));
  }
}
