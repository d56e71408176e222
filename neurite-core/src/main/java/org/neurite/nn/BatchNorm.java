package org.neurite.nn;

import org.neurite.autograd.GradMode;
import org.neurite.tensor.Tensor;

/**
 * Batch normalisation over the channel axis 1 (Ioffe and Szegedy, 2015): PyTorch's BatchNorm1d for
 * {@code [N, C]} and {@code [N, C, L]}, BatchNorm2d for {@code [N, C, H, W]}. Training normalises with
 * the batch's mean and biased variance and updates the running statistics (momentum 0.1, unbiased
 * variance, as PyTorch); evaluation, and training while {@link #isFrozen() frozen}, use the running statistics.
 *
 * <p>Parameters: "weight" {@code [C]} (ones), "bias" {@code [C]} (zeros). Buffers: "running_mean",
 * "running_var", "num_batches_tracked", as in PyTorch's state_dict.
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

  public Config config() {
    return new Config(momentum, eps);
  }

  @Override
  protected int[] build(int[] in) {
    if (in.length < 1 || in.length > 3)
      throw new IllegalArgumentException(this + ": expected input [N, C], [N, C, L] or [N, C, H, W], got a per-sample rank of "
          + in.length);
    int c = in[0];
    weight = param("weight", Tensor.ones(c));
    bias = param("bias", Tensor.zeros(c));
    runningMean = buffer("running_mean", Tensor.zeros(c));
    runningVar = buffer("running_var", Tensor.ones(c));
    batches = buffer("num_batches_tracked", Tensor.zeros());
    return in;
  }

  @Override
  protected Tensor compute(Tensor x) {
    int r = x.rank();
    int[] axes = new int[r - 1];
    axes[0] = 0;
    for (int i = 2; i < r; i++) axes[i - 1] = i;
    int[] bshape = new int[r];
    java.util.Arrays.fill(bshape, 1);
    bshape[1] = x.shape(1);
    Tensor mean, var;
    if (isTraining() && !isFrozen()) {
      mean = x.mean(true, axes);
      Tensor d = x.sub(mean);
      var = d.mul(d).mean(true, axes);
      int count = x.size() / x.shape(1);
      try (var g = GradMode.off()) {
        update(runningMean, mean.data(), 1f);
        update(runningVar, var.data(), count > 1 ? (float) count / (count - 1) : 1f);
        batches.storage()[0] += 1;
      }
      return d.div(var.add(eps).sqrt()).mul(weight.reshape(bshape)).add(bias.reshape(bshape));
    }
    mean = runningMean.reshape(bshape);
    var = runningVar.reshape(bshape);
    return x.sub(mean).div(var.add(eps).sqrt()).mul(weight.reshape(bshape)).add(bias.reshape(bshape));
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

  // running = (1 - momentum) running + momentum * batch * correction
  private void update(Tensor running, float[] batch, float correction) {
    float[] r = running.storage();
    for (int i = 0; i < r.length; i++) r[i] = (1 - momentum) * r[i] + momentum * batch[i] * correction;
  }

  @Override
  public String toString() {
    return "BatchNorm(" + (momentum != 0.1f ? "momentum=" + momentum : "") + (eps != 1e-5f ? (momentum != 0.1f ? ", " : "")
        + "eps=" + eps : "") + ")";
  }
}
