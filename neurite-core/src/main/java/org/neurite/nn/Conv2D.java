package org.neurite.nn;

import org.neurite.ops.Convolution;
import org.neurite.tensor.Init;
import org.neurite.tensor.Tensor;

/**
 * 2-D convolution over {@code [N, C, H, W]} (PyTorch's Conv2d, Keras' Conv2D).
 *
 * <p>Shape: {@code [N, C, H, W]} to {@code [N, filters, Ho, Wo]} with
 * {@code Ho = floor((H + 2 pad - dilation (k - 1) - 1) / stride) + 1}; "same" padding (stride 1, odd
 * effective kernel) keeps H and W. Parameters: "weight" {@code [filters, C / groups, k, k]} (Glorot
 * uniform, Keras' default), "bias" {@code [filters]} (zeros).
 *
 * <pre>{@code new Conv2D(32, 3).relu()}</pre>
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class Conv2D extends Layer {
  /** Everything needed to rebuild this layer. */
  public record Config(int filters, int kernelSize, int stride, Padding padding, int dilation, int groups,
                       boolean useBias, Activation activation, int explicitPadding) {
    /**
     * Zeros added on each side of H and W: the one padding rule, for the layer and its exporters.
     *
     * @throws IllegalArgumentException for "same" padding with a stride or an even effective kernel
     */
    public int paddingSize() {
      if (explicitPadding >= 0) return explicitPadding;
      if (padding == Padding.VALID) return 0;
      int span = dilation * (kernelSize - 1);
      if (stride != 1 || span % 2 != 0)
        throw new IllegalArgumentException("Conv2D: padding=same needs stride 1 and an odd effective kernel "
            + "(dilation * (kernel - 1) even), as in PyTorch; use valid padding or pad explicitly");
      return span / 2;
    }
  }

  private final int filters, kernel;
  private int stride = 1, dilation = 1, groups = 1;
  private Padding padding = Padding.VALID;
  private int explicitPadding = -1;
  private boolean useBias = true;
  private int padSize;   // config().paddingSize(), fixed at build
  private Tensor weight, bias;

  public Conv2D(int filters, int kernelSize) {
    if (filters < 1 || kernelSize < 1)
      throw new IllegalArgumentException("Conv2D: filters (" + filters + ") and kernelSize (" + kernelSize + ") must be >= 1");
    this.filters = filters;
    this.kernel = kernelSize;
  }

  public static Conv2D of(Config c) {
    Conv2D conv = new Conv2D(c.filters(), c.kernelSize()).stride(c.stride()).padding(c.padding()).dilation(c.dilation())
        .groups(c.groups()).useBias(c.useBias()).activation(c.activation());
    return c.explicitPadding() >= 0 ? conv.padding(c.explicitPadding()) : conv;
  }

  public Conv2D stride(int s) {
    unbuilt("stride");
    if (s < 1) throw new IllegalArgumentException("Conv2D: stride (" + s + ") must be >= 1");
    stride = s;
    return this;
  }

  public Conv2D padding(Padding p) {
    unbuilt("padding");
    padding = p;
    explicitPadding = -1;
    return this;
  }

  /**
   * {@code p} zeros on each side of H and W, PyTorch's {@code padding=p}: what a strided convolution
   * needs to match PyTorch's and torchvision's networks ({@code padding=same} is stride 1 only there).
   */
  public Conv2D padding(int p) {
    unbuilt("padding");
    if (p < 0) throw new IllegalArgumentException("Conv2D: padding (" + p + ") must be >= 0");
    padding = Padding.VALID;
    explicitPadding = p;
    return this;
  }

  public Conv2D dilation(int d) {
    unbuilt("dilation");
    if (d < 1) throw new IllegalArgumentException("Conv2D: dilation (" + d + ") must be >= 1");
    dilation = d;
    return this;
  }

  public Conv2D groups(int g) {
    unbuilt("groups");
    if (g < 1) throw new IllegalArgumentException("Conv2D: groups (" + g + ") must be >= 1");
    groups = g;
    return this;
  }

  public Conv2D useBias(boolean on) {
    unbuilt("useBias");
    useBias = on;
    return this;
  }

  public Conv2D relu() { return activate(Activation.RELU); }
  public Conv2D activation(Activation a) { return activate(a); }

  public Config config() {
    return new Config(filters, kernel, stride, padding, dilation, groups, useBias, activation, explicitPadding);
  }

  private int pad() {
    try {
      return config().paddingSize();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(this + e.getMessage().substring("Conv2D".length()), e);
    }
  }

  /** The config is fixed once the weights exist: a changed stride or padding would leave outputShape() stale. */
  private void unbuilt(String option) {
    if (isBuilt()) throw new IllegalStateException(this + ": " + option + " cannot change after the layer is built; build a new Conv2D");
  }

  @Override
  protected int[] build(int[] in) {
    if (in.length != 3)
      throw new IllegalArgumentException(this + ": expected input [N, C, H, W], got a per-sample shape of rank "
          + in.length + (in.length == 2 ? ". Hint: add the channel axis: x.reshape(N, 1, H, W)" : ""));
    int c = in[0];
    if (c % groups != 0 || filters % groups != 0)
      throw new IllegalArgumentException(this + ": groups=" + groups + " must divide input channels " + c + " and filters "
          + filters);
    int fanIn = c / groups * kernel * kernel, fanOut = filters / groups * kernel * kernel;
    weight = param("weight", new int[] {filters, c / groups, kernel, kernel},
        () -> Init.xavierUniform(Seeds.next(), fanIn, fanOut, filters, c / groups, kernel, kernel));
    if (useBias) bias = param("bias", new int[] {filters}, () -> Tensor.zeros(filters));
    int p = padSize = pad(), span = dilation * (kernel - 1);
    int ho = (in[1] + 2 * p - span - 1) / stride + 1, wo = (in[2] + 2 * p - span - 1) / stride + 1;
    if (ho < 1 || wo < 1)
      throw new IllegalArgumentException(this + ": input " + in[1] + "x" + in[2] + " is smaller than the kernel");
    return new int[] {filters, ho, wo};
  }

  // The path (Winograd or Conv2d's) is planned once per input shape; a plan is immutable, so concurrent
  // predicts may race to replace it harmlessly.
  private volatile Convolution.Plan plan;

  @Override
  protected Tensor compute(Tensor x) {
    // The options are fixed once built, so only the input's shape can invalidate a plan.
    Convolution.Plan pl = plan;
    if (pl == null || !pl.fits(x, weight))
      plan = pl = Convolution.plan(x.shape(), weight.shape(), bias == null ? null : bias.shape(), new int[] {stride, stride},
          new int[] {padSize, padSize}, new int[] {dilation, dilation}, groups);
    return Convolution.conv2d(x, weight, bias, pl, computesActivation());
  }

  /** ReLU runs inside the convolution (the seed CNN's Conv2D(..., activation='relu')). */
  @Override
  protected boolean computesActivation() {
    return activation == Activation.RELU;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Conv2D(").append(filters).append(", kernel=").append(kernel);
    if (stride != 1) sb.append(", stride=").append(stride);
    if (explicitPadding >= 0) sb.append(", padding=").append(explicitPadding);
    else if (padding != Padding.VALID) sb.append(", padding=").append(padding.name().toLowerCase(java.util.Locale.ROOT));
    if (dilation != 1) sb.append(", dilation=").append(dilation);
    if (groups != 1) sb.append(", groups=").append(groups);
    if (!useBias) sb.append(", useBias=false");
    return sb.append(activationSuffix()).append(')').toString();
  }
}
