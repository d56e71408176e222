package org.neurite.nn;

import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * Flattens every axis but the batch axis: {@code [N, d1, d2, ...]} to {@code [N, d1 * d2 * ...]}.
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class Flatten extends Layer {

  /** Sequences flatten into one vector per sample: a padding mask ends here. */
  @Override
  public boolean keepsTimeAxis() {
    return false;
  }

  /** This layer has no options; the record is its (empty) config. */
  public record Config() {}

  public static Flatten of(Config c) {
    return new Flatten();
  }

  public Config config() {
    return new Config();
  }

  @Override
  protected int[] build(int[] in) {
    return new int[] {Shape.size(in)};
  }

  @Override
  protected Tensor compute(Tensor x) {
    return x.rank() == 2 ? x : x.flatten(1, -1);
  }

  @Override
  public String toString() {
    return "Flatten()";
  }
}
