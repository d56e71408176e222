package org.neurite.nn;

import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * Inverted dropout with rate {@code p} while training; the identity in evaluation mode.
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class Dropout extends Layer {
  /** Everything needed to rebuild this layer. */
  public record Config(float rate) {}

  private final float rate;
  private final Rng rng = Seeds.next();

  public Dropout(float rate) {
    if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException("Dropout: rate (" + rate + ") must be in [0, 1)");
    this.rate = rate;
  }

  public static Dropout of(Config c) {
    return new Dropout(c.rate());
  }

  public Config config() {
    return new Config(rate);
  }

  @Override
  protected Tensor compute(Tensor x) {
    return org.neurite.ops.Dropout.dropout(x, rate, isTraining(), rng);
  }

  @Override
  public String toString() {
    return "Dropout(" + rate + ")";
  }
}
