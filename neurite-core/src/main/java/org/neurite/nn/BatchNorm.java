package org.neurite.nn;

import org.neurite.ops.Normalization;
import org.neurite.tensor.Tensor;

/**
 * Batch normalisation over the channel axis 1 (Ioffe and Szegedy, 2015): PyTorch's BatchNorm1d for
 * {@code [N, C]} and {@code [N, C, L]}, BatchNorm2d for {@code [N, C, H, W]}. Training normalises with
 * the batch's mean and biased variance and updates the running statistics (momentum 0.1, unbiased
 * variance, as PyTorch); evaluation, and training while {@link #isFrozen() frozen}, use the running statistics.
 *
 * <p>Parameters: "weight" {@code [C]} (ones), "bias" {@code [C]} (zeros). Buffers: "running_mean",
 * "running_var", "num_batches_tracked", as in PyTorch's state_dict.
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class BatchNorm extends Layer {
  /** Everything needed to rebuild this layer. */
  public record Config(float momentum, float eps) {}

  private final float momentum, eps;
  private Tensor weight, bias, runningMean, runningVar, batches;

  public BatchNorm() {
    this(0.1f, 1e-5f);
  }

  public BatchNorm(float momentum, float eps) {
    if (!(momentum >= 0 && momentum <= 1)) throw new IllegalArgumentException("BatchNorm: momentum (" + momentum + ") must be in [0, 1]");
    if (!(eps > 0)) throw new IllegalArgumentException("BatchNorm: eps (" + eps + ") must be > 0");
    this.momentum = momentum;
    this.eps = eps;
  }

  public static BatchNorm of(Config c) {
    return new BatchNorm(c.momentum(), c.eps());
  }

  public Config config() {
    return new Config(momentum, eps);
  }

  @Override
  protected int[] build(int[] in) {
    if (in.length < 1 || in.length > 3)
      throw new IllegalArgumentException(this + ": expected input [N, C], [N, C, L] or [N, C, H, W], got a per-sample rank of "
          + in.length);
    int c = in[0];
    int[] per = {c};
    weight = param("weight", per, () -> Tensor.ones(c));
    bias = param("bias", per, () -> Tensor.zeros(c));
    runningMean = buffer("running_mean", per, () -> Tensor.zeros(c));
    runningVar = buffer("running_var", per, () -> Tensor.ones(c));
    batches = buffer("num_batches_tracked", new int[0], Tensor::zeros);
    return in;
  }

  @Override
  protected Tensor compute(Tensor x) {
    boolean batchStats = isTraining() && !isFrozen();
    // The op moves the running statistics in place, outside the graph.
    Tensor y = Normalization.batchNorm(x, runningMean, runningVar, weight, bias, batchStats, momentum, eps);
    if (batchStats) batches.storage()[0] += 1;
    return y;
  }

  /**
   * Frozen (both parameters excluded from training, as {@link Module#freeze} does): the layer then
   * normalises with its running statistics even in training mode and leaves them alone, as Keras does
   * for a BatchNormalization with {@code trainable = False}. Fine-tuning on a few small batches would
   * otherwise overwrite statistics gathered on the large pre-training set.
   */
  public boolean isFrozen() {
    return weight != null && !weight.requiresGrad() && !bias.requiresGrad();
  }

  @Override
  public String toString() {
    return "BatchNorm(" + (momentum != 0.1f ? "momentum=" + momentum : "") + (eps != 1e-5f ? (momentum != 0.1f ? ", " : "")
        + "eps=" + eps : "") + ")";
  }
}
