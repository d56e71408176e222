package org.neurite.nn;

import org.neurite.ops.Pooling;
import org.neurite.tensor.Tensor;

/**
 * Average pooling (padded cells are not counted, as Keras does). See {@link Pool2D}.
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class AvgPool2D extends Pool2D {
  public AvgPool2D(int poolSize) {
    this(poolSize, poolSize, Padding.VALID);
  }

  public AvgPool2D(int poolSize, int stride, Padding padding) {
    super(poolSize, stride, padding);
  }

  public static AvgPool2D of(Config c) {
    return new AvgPool2D(c.poolSize(), c.stride(), c.padding());
  }

  @Override
  protected Tensor compute(Tensor x) {
    return Pooling.avgPool2d(x, pair(pool), pair(stride), pair(pad()), false);
  }
}
