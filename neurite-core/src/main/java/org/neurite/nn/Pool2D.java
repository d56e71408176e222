package org.neurite.nn;


/**
 * Max or average pooling over H and W of {@code [N, C, H, W]} (Keras' MaxPooling2D/AveragePooling2D).
 * The stride defaults to the pool size; "same" padding pads by {@code floor(pool / 2)}.
 *
 * <p>Shape: {@code Ho = floor((H + 2 pad - pool) / stride) + 1}.
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public abstract sealed class Pool2D extends Layer permits MaxPool2D, AvgPool2D {
  /** Everything needed to rebuild this layer. */
  public record Config(int poolSize, int stride, Padding padding) {}

  protected final int pool, stride;
  protected final Padding padding;

  Pool2D(int pool, int stride, Padding padding) {
    if (pool < 1 || stride < 1)
      throw new IllegalArgumentException(getClass().getSimpleName() + ": poolSize (" + pool + ") and stride (" + stride
          + ") must be >= 1");
    this.pool = pool;
    this.stride = stride;
    this.padding = padding;
  }

  public Config config() {
    return new Config(pool, stride, padding);
  }

  protected int pad() {
    return padding == Padding.SAME ? pool / 2 : 0;
  }

  @Override
  protected int[] build(int[] in) {
    if (in.length != 3)
      throw new IllegalArgumentException(this + ": expected input [N, C, H, W], got a per-sample shape of rank " + in.length);
    int p = pad();
    int ho = (in[1] + 2 * p - pool) / stride + 1, wo = (in[2] + 2 * p - pool) / stride + 1;
    if (ho < 1 || wo < 1) throw new IllegalArgumentException(this + ": input " + in[1] + "x" + in[2] + " is smaller than the pool");
    return new int[] {in[0], ho, wo};
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "(" + pool + (stride != pool ? ", stride=" + stride : "")
        + (padding != Padding.VALID ? ", padding=same" : "") + ")";
  }

  static int[] pair(int v) {
    return new int[] {v, v};
  }
}
