package org.neurite.nn;

import org.neurite.ops.Attention;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * Additive attention pooling over time, the seed's PyTorch {@code Attention} module:
 * <pre>
 *   scores  = V(tanh(W2(h)))            [N, T]
 *   probs   = softmax(scores) over T    (padded steps get probability 0)
 *   context = sum_t probs[t] * h[t]     [N, H]
 * </pre>
 * Args: {@code attnUnits}, the width of W2. Shape: {@code [N, T, H]} to {@code [N, H]}; {@link #call}
 * also returns the weights {@code [N, T]}, e.g. to show which tokens a classifier looked at.
 * Parameters (PyTorch Linear names): "W2.weight" {@code [attn, H]}, "W2.bias" {@code [attn]},
 * "V.weight" {@code [1, attn]}, "V.bias" {@code [1]}.
 *
 * <pre>{@code
 * var pool = new AttentionPooling(50);
 * var r = pool.call(lstmOutputs, mask);   // r.context(): [N, 64], r.weights(): [N, T]
 * }</pre>
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class AttentionPooling extends Layer implements MaskAware {

  /** Pools the time axis away. */
  @Override
  public boolean keepsTimeAxis() {
    return false;
  }

  /** Everything needed to rebuild this layer. */
  public record Config(int attnUnits) {}

  /** The pooled context {@code [N, H]} and the attention weights over time {@code [N, T]}. */
  public record Result(Tensor context, Tensor weights) {}

  private final int attnUnits;
  private final Dense w2, v;

  public AttentionPooling(int attnUnits) {
    if (attnUnits < 1) throw new IllegalArgumentException("AttentionPooling: attnUnits (" + attnUnits + ") must be >= 1");
    this.attnUnits = attnUnits;
    this.w2 = child("W2", new Dense(attnUnits).tanh());
    this.v = child("V", new Dense(1));
  }

  public static AttentionPooling of(Config c) {
    return new AttentionPooling(c.attnUnits());
  }

  public Config config() {
    return new Config(attnUnits);
  }

  @Override
  protected int[] build(int[] in) {
    if (in.length != 2) throw new IllegalArgumentException(this + ": expected input [N, T, H], got a per-sample shape of rank " + in.length);
    v.buildFor(w2.buildFor(in));
    return new int[] {in[1]};
  }

  @Override
  protected int fixedTrailingAxes() {
    return 1;
  }

  @Override
  protected Tensor compute(Tensor h) {
    return call(h, null).context();
  }

  @Override
  public Tensor forward(Tensor h, Tensor mask) {
    return call(h, mask).context();
  }

  /** Pools {@code h [N, T, H]}; {@code mask [N, T]} (1 = real step) or null. */
  public Result call(Tensor h, Tensor mask) {
    ensureBuilt(h);
    if (h.rank() != 3 || h.shape(2) != inputShape()[1])
      throw new IllegalArgumentException(this + ": expected input [N, T, " + inputShape()[1] + "], got " + Shape.str(h.shape()));
    int n = h.shape(0), t = h.shape(1);
    Tensor scores = v.forward(w2.forward(h)).reshape(n, t);
    Tensor probs = Attention.maskedSoftmax(scores, mask);
    Tensor context = probs.unsqueeze(1).matmul(h).reshape(n, h.shape(2));
    return new Result(context, probs);
  }

  @Override
  public String toString() {
    return "AttentionPooling(" + attnUnits + ")";
  }
}
