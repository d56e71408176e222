package org.neurite.nn;

import org.neurite.tensor.Tensor;

/**
 * Mean over H and W: {@code [N, C, H, W]} to {@code [N, C]}.
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class GlobalAvgPool2D extends Layer {
  /** This layer has no options; the record is its (empty) config. */
  public record Config() {}

  public static GlobalAvgPool2D of(Config c) {
    return new GlobalAvgPool2D();
  }

  public Config config() {
    return new Config();
  }

  @Override
  protected int[] build(int[] in) {
    if (in.length != 3)
      throw new IllegalArgumentException(this + ": expected input [N, C, H, W], got a per-sample shape of rank " + in.length);
    return new int[] {in[0]};
  }

  @Override
  protected Tensor compute(Tensor x) {
    return x.mean(false, 2, 3);
  }

  @Override
  public String toString() {
    return "GlobalAvgPool2D()";
  }
}
