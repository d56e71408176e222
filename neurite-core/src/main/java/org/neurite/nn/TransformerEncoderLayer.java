package org.neurite.nn;

import org.neurite.ops.Functional;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * One Transformer encoder layer (Vaswani et al., 2017), PyTorch's
 * {@code nn.TransformerEncoderLayer(dModel, heads, ff, batch_first=True)}:
 * <pre>
 *   post-norm (default):  x = norm1(x + dropout(self_attn(x)));  x = norm2(x + dropout(ffn(x)))
 *   pre-norm:             x = x + dropout(self_attn(norm1(x)));  x = x + dropout(ffn(norm2(x)))
 *   ffn(x) = linear2(dropout(relu(linear1(x))))
 * </pre>
 * Args: {@code dModel}, {@code heads} (must divide dModel), {@code ff} (the feed-forward width);
 * {@link #dropout(float)} (default 0.1, also on the attention weights), {@link #normFirst(boolean)},
 * {@link #gelu()}. Shape: {@code [N, T, dModel]} to the same, T free; a padding mask {@code [N, T]}
 * (1 = real) hides padded keys. Parameters, as PyTorch's state_dict: "self_attn.in_proj_weight",
 * "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias", "linear1.weight",
 * "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight",
 * "norm2.bias".
 *
 * <pre>{@code
 * var model = Sequential.of(new TransformerEncoderLayer(64, 4, 256), new TransformerEncoderLayer(64, 4, 256),
 *     new GlobalAvgPool1D(), new Dense(2));
 * }</pre>
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class TransformerEncoderLayer extends Layer implements MaskAware {
  /** Everything needed to rebuild this layer. */
  public record Config(int dModel, int heads, int ff, float dropout, boolean normFirst, Activation activation) {}

  private final int dModel, heads, ff;
  private float dropout = 0.1f;
  private boolean normFirst;
  private Activation act = Activation.RELU;
  private final Rng rng = Seeds.next();
  private final MultiHeadAttention selfAttn;
  private final Dense linear1, linear2;
  private final LayerNorm norm1, norm2;

  public TransformerEncoderLayer(int dModel, int heads, int ff) {
    if (ff < 1) throw new IllegalArgumentException("TransformerEncoderLayer: ff (" + ff + ") must be >= 1");
    this.selfAttn = child("self_attn", new MultiHeadAttention(dModel, heads).dropout(dropout));
    this.dModel = dModel;
    this.heads = heads;
    this.ff = ff;
    this.linear1 = child("linear1", new Dense(ff));
    this.linear2 = child("linear2", new Dense(dModel));
    this.norm1 = child("norm1", new LayerNorm());
    this.norm2 = child("norm2", new LayerNorm());
  }

  public static TransformerEncoderLayer of(Config c) {
    var t = new TransformerEncoderLayer(c.dModel(), c.heads(), c.ff()).dropout(c.dropout()).normFirst(c.normFirst());
    if (c.activation() == Activation.GELU) return t.gelu();
    if (c.activation() != Activation.RELU)
      throw new IllegalArgumentException("TransformerEncoderLayer: activation " + c.activation() + " is not relu or gelu");
    return t;
  }

  /** Dropout rate after attention, inside and after the feed-forward block, and on the attention weights. */
  public TransformerEncoderLayer dropout(float rate) {
    if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException("TransformerEncoderLayer: dropout (" + rate + ") must be in [0, 1)");
    this.dropout = rate;
    selfAttn.dropout(rate);
    return this;
  }

  /** Layer norm before each block (pre-norm, PyTorch's {@code norm_first=True}) instead of after. */
  public TransformerEncoderLayer normFirst(boolean on) {
    this.normFirst = on;
    return this;
  }

  /** GELU instead of ReLU in the feed-forward block. */
  public TransformerEncoderLayer gelu() {
    this.act = Activation.GELU;
    return this;
  }

  public Config config() {
    return new Config(dModel, heads, ff, dropout, normFirst, act);
  }

  @Override
  protected int[] build(int[] in) {
    if (in.length != 2 || in[1] != dModel)
      throw new IllegalArgumentException(this + ": expected input [N, T, " + dModel + "], got a per-sample shape " + Shape.str(in));
    selfAttn.buildFor(in);
    linear2.buildFor(linear1.buildFor(in));
    norm1.buildFor(in);
    norm2.buildFor(in);
    return in;
  }

  @Override
  protected int fixedTrailingAxes() {
    return 1;
  }

  @Override
  protected Tensor compute(Tensor x) {
    return encode(x, null);
  }

  @Override
  public Tensor forward(Tensor x, Tensor mask) {
    if (mask == null) return forward(x);
    ensureBuilt(x);
    if (x.rank() != 3 || x.shape(2) != dModel)
      throw new IllegalArgumentException(this + ": expected input [N, T, " + dModel + "], got " + Shape.str(x.shape()));
    return encode(x, mask);
  }

  // Each block is its children's forward; the fusions (residual add, dropout and norm in one op; bias,
  // ReLU and dropout inside the projection) are decided by the ops those children call.
  private Tensor encode(Tensor x, Tensor mask) {
    Rng r = isTraining() && dropout > 0 ? rng : null;
    if (normFirst) {
      x = x.add(drop(selfAttention(norm1.forward(x), mask)));                // x + dropout(sa(norm1(x)))
      return x.add(drop(feedForward(norm2.forward(x), r)));                   // x + dropout(ffn(norm2(x)))
    }
    // x = norm1(x + dropout(sa(x)))
    x = norm1.forward(x, selfAttention(x, mask), dropout, r);
    // x = norm2(x + dropout(ffn(x)))
    return norm2.forward(x, feedForward(x, r), dropout, r);
  }

  private Tensor selfAttention(Tensor x, Tensor mask) {
    return selfAttn.call(x, x, x, mask, false, false).output();
  }

  // linear2(dropout(act(linear1(x))))
  private Tensor feedForward(Tensor x, Rng r) {
    return linear2.forward(linear1.forward(x, act, dropout, r));
  }

  private Tensor drop(Tensor x) {
    return Functional.dropout(x, dropout, isTraining(), rng);
  }

  @Override
  public String toString() {
    return "TransformerEncoderLayer(" + dModel + ", heads=" + heads + ", ff=" + ff + (dropout != 0.1f ? ", dropout=" + dropout : "")
        + (normFirst ? ", normFirst=true" : "") + (act != Activation.RELU ? ", activation=" + act.kerasName() : "") + ")";
  }
}
