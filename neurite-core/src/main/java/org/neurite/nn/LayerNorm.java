package org.neurite.nn;

import org.neurite.ops.Normalization;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * Layer normalisation over the last axis (Ba et al., 2016; PyTorch's {@code nn.LayerNorm(D)}):
 * {@code y = (x - mean) / sqrt(var + eps) * weight + bias}, mean and biased variance over the D
 * features of each position.
 *
 * <p>Shape: {@code [N, ..., D]} to the same; D is taken from the first input (lazy build), the axes
 * before it may vary from batch to batch. Parameters: "weight" {@code [D]} (ones), "bias" {@code [D]}
 * (zeros), as PyTorch's state_dict.
 *
 * <pre>{@code
 * var norm = new LayerNorm();
 * Tensor y = norm.forward(x);   // x: [32, 100, 64]
 * }</pre>
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class LayerNorm extends Layer {
  /** Everything needed to rebuild this layer. */
  public record Config(float eps) {}

  private final float eps;
  private Tensor weight, bias;

  public LayerNorm() {
    this(1e-5f);
  }

  public LayerNorm(float eps) {
    if (!(eps > 0)) throw new IllegalArgumentException("LayerNorm: eps (" + eps + ") must be > 0");
    this.eps = eps;
  }

  public static LayerNorm of(Config c) {
    return new LayerNorm(c.eps());
  }

  public Config config() {
    return new Config(eps);
  }

  /**
   * {@code norm(x + dropout(residual))}, dropout of rate {@code rate} when {@code rng} is not null
   * (training): the post-norm join of a Transformer block, one fused op
   * ({@link Normalization#addLayerNorm}).
   */
  public Tensor forward(Tensor x, Tensor residual, float rate, Rng rng) {
    ensureBuilt(x);
    return Normalization.addLayerNorm(x, residual, weight, bias, eps, rate, rng);
  }

  @Override
  protected int[] build(int[] in) {
    if (in.length == 0) throw new IllegalArgumentException(this + ": needs a feature axis, got a scalar per sample");
    int d = in[in.length - 1];
    weight = param("weight", new int[] {d}, () -> Tensor.ones(d));
    bias = param("bias", new int[] {d}, () -> Tensor.zeros(d));
    return in;
  }

  @Override
  protected int fixedTrailingAxes() {
    return 1;
  }

  @Override
  protected Tensor compute(Tensor x) {
    return Normalization.layerNorm(x, weight, bias, eps);
  }

  @Override
  public String toString() {
    return "LayerNorm(" + (eps != 1e-5f ? "eps=" + eps : "") + ")";
  }
}
