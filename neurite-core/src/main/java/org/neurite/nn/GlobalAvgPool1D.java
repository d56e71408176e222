package org.neurite.nn;

import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * Mean over time: {@code [N, T, D]} to {@code [N, D]} (Keras' GlobalAveragePooling1D). With a padding
 * mask {@code [N, T]} (1 = real step) the mean runs over the real steps only, so padding changes
 * neither the output nor the gradients; a sequence with no real step gives zeros.
 *
 * <pre>{@code
 * var model = Sequential.of(new TransformerEncoderLayer(64, 4, 256), new GlobalAvgPool1D(), new Dense(2));
 * }</pre>
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class GlobalAvgPool1D extends Layer implements MaskAware {

  /** Pools the time axis away. */
  @Override
  public boolean keepsTimeAxis() {
    return false;
  }

  /** This layer has no options; the record is its (empty) config. */
  public record Config() {}

  public static GlobalAvgPool1D of(Config c) {
    return new GlobalAvgPool1D();
  }

  public Config config() {
    return new Config();
  }

  @Override
  protected int[] build(int[] in) {
    if (in.length != 2)
      throw new IllegalArgumentException(this + ": expected input [N, T, D], got a per-sample shape of rank " + in.length);
    return new int[] {in[1]};
  }

  @Override
  protected int fixedTrailingAxes() {
    return 1;
  }

  @Override
  protected Tensor compute(Tensor x) {
    return x.mean(false, 1);
  }

  @Override
  public Tensor forward(Tensor x, Tensor mask) {
    if (mask == null) return forward(x);
    ensureBuilt(x);
    if (x.rank() != 3 || x.shape(2) != inputShape()[1])
      throw new IllegalArgumentException(this + ": expected input [N, T, " + inputShape()[1] + "], got " + Shape.str(x.shape()));
    if (mask.rank() != 2 || mask.shape(0) != x.shape(0) || mask.shape(1) != x.shape(1))
      throw new IllegalArgumentException(this + ": mask must be [N, T] = [" + x.shape(0) + ", " + x.shape(1) + "], got "
          + Shape.str(mask.shape()));
    // sum_t x * m / max(1, sum_t m): the mask carries no gradient.
    Tensor m = mask.detach();
    Tensor count = m.sum(true, 1).maximum(Tensor.scalar(1f));
    return x.mul(m.unsqueeze(2)).sum(false, 1).div(count);
  }

  @Override
  public String toString() {
    return "GlobalAvgPool1D()";
  }
}
