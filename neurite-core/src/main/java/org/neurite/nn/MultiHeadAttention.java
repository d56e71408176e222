package org.neurite.nn;

import org.neurite.ops.Attention;
import org.neurite.ops.LinearAlgebra;
import org.neurite.tensor.Init;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * Multi-head attention (Vaswani et al., 2017) with PyTorch's {@code nn.MultiheadAttention(E, heads,
 * batch_first=True)} parameters, so its state_dict loads as is:
 * <pre>
 *   [q; k; v] = [query Wq^T; key Wk^T; value Wv^T] + in_proj_bias,   W = [Wq; Wk; Wv] = in_proj_weight
 *   head_i    = softmax(q_i k_i^T / sqrt(E / heads) + mask) v_i
 *   out       = concat(head_1, ..., head_h) out_proj.weight^T + out_proj.bias
 * </pre>
 * Self-attention (query, key and value the same tensor) projects with one GEMM and runs the fused
 * kernel on the packed result ({@link Attention#multiHeadSelf}).
 *
 * <p>Args: {@code dModel} (E), {@code heads} (must divide E); {@link #dropout(float)} on the
 * attention weights while training (default 0). Shape: query {@code [N, Tq, E]}, key and value
 * {@code [N, S, E]}, keyPaddingMask {@code [N, S]} (1 = real, 0 = padding) to output
 * {@code [N, Tq, E]} and weights {@code [N, Tq, S]} averaged over heads (PyTorch's default);
 * {@code forward(x)} is self-attention. Parameters: "in_proj_weight" {@code [3E, E]} (Xavier uniform),
 * "in_proj_bias" {@code [3E]} (zeros), "out_proj.weight" {@code [E, E]}, "out_proj.bias" {@code [E]}
 * (zeros).
 *
 * <pre>{@code
 * var mha = new MultiHeadAttention(64, 4);
 * var r = mha.call(x, x, x, mask, false);   // r.output(): [N, T, 64], r.weights(): [N, T, T]
 * }</pre>
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class MultiHeadAttention extends Layer implements MaskAware {
  /** Everything needed to rebuild this layer. */
  public record Config(int dModel, int heads, float dropout) {}

  /** The output {@code [N, Tq, E]} and the head-averaged weights {@code [N, Tq, S]} (null if not asked for). */
  public record Result(Tensor output, Tensor weights) {}

  private final int dModel, heads;
  private float dropout;
  private final Rng rng = Seeds.next();
  private final Dense outProj;
  private Tensor inProjWeight, inProjBias;

  public MultiHeadAttention(int dModel, int heads) {
    if (dModel < 1 || heads < 1)
      throw new IllegalArgumentException("MultiHeadAttention: dModel (" + dModel + ") and heads (" + heads + ") must be >= 1");
    if (dModel % heads != 0)
      throw new IllegalArgumentException("MultiHeadAttention: dModel (" + dModel + ") must be divisible by heads (" + heads
          + "). Hint: use heads in " + divisors(dModel));
    this.dModel = dModel;
    this.heads = heads;
    this.outProj = child("out_proj", new Dense(dModel));
  }

  public static MultiHeadAttention of(Config c) {
    return new MultiHeadAttention(c.dModel(), c.heads()).dropout(c.dropout());
  }

  /** Dropout rate on the attention weights while training. */
  public MultiHeadAttention dropout(float rate) {
    if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException("MultiHeadAttention: dropout (" + rate + ") must be in [0, 1)");
    this.dropout = rate;
    return this;
  }

  public Config config() {
    return new Config(dModel, heads, dropout);
  }

  @Override
  protected int[] build(int[] in) {
    if (in.length != 2 || in[1] != dModel)
      throw new IllegalArgumentException(this + ": expected input [N, T, " + dModel + "], got a per-sample shape " + Shape.str(in));
    inProjWeight = param("in_proj_weight", new int[] {3 * dModel, dModel},
        () -> Init.xavierUniform(Seeds.next(), dModel, 3 * dModel, 3 * dModel, dModel));
    inProjBias = param("in_proj_bias", new int[] {3 * dModel}, () -> Tensor.zeros(3 * dModel));
    outProj.buildFor(in);
    return in;
  }

  @Override
  protected int fixedTrailingAxes() {
    return 1;
  }

  @Override
  protected Tensor compute(Tensor x) {
    return call(x, x, x, null, false, false).output();
  }

  /** Self-attention that ignores the padded keys. */
  @Override
  public Tensor forward(Tensor x, Tensor mask) {
    return call(x, x, x, mask, false, false).output();
  }

  /** Attention of {@code query} over {@code key}/{@code value}, with the head-averaged weights. */
  public Result call(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, boolean causal) {
    return call(query, key, value, keyPaddingMask, causal, true);
  }

  /** As above; {@code needWeights = false} skips the weights (PyTorch's {@code need_weights}). */
  public Result call(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, boolean causal, boolean needWeights) {
    ensureBuilt(query);
    check("query", query);
    check("key", key);
    check("value", value);
    if (key.shape(0) != query.shape(0) || value.shape(0) != query.shape(0) || value.shape(1) != key.shape(1))
      throw new IllegalArgumentException(this + ": query " + Shape.str(query.shape()) + ", key " + Shape.str(key.shape())
          + " and value " + Shape.str(value.shape()) + " need the same N, and key and value the same length");
    Rng r = isTraining() && dropout > 0 ? rng : null;
    Attention.Result a;
    if (query == key && key == value) {
      Tensor qkv = LinearAlgebra.linear(query, inProjWeight, inProjBias);   // [N, T, 3E]
      a = Attention.multiHeadSelf(qkv, heads, keyPaddingMask, causal, dropout, r, needWeights);
    } else {
      Tensor q = project(query, 0), k = project(key, 1), v = project(value, 2);
      a = Attention.multiHead(q, k, v, heads, keyPaddingMask, causal, dropout, r, needWeights);
    }
    return new Result(outProj.forward(a.output()), a.weights());
  }

  /** x times the part-th block of rows of in_proj_weight (0 = q, 1 = k, 2 = v), plus its bias. */
  private Tensor project(Tensor x, int part) {
    int e = dModel;
    return LinearAlgebra.linear(x, inProjWeight.slice(0, part * e, (part + 1) * e), inProjBias.slice(0, part * e, (part + 1) * e));
  }

  private void check(String what, Tensor t) {
    if (t.rank() != 3 || t.shape(2) != dModel)
      throw new IllegalArgumentException(this + ": expected " + what + " [N, T, " + dModel + "], got " + Shape.str(t.shape()));
  }

  private static String divisors(int n) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 1; i <= n; i++) if (n % i == 0) sb.append(sb.length() > 1 ? ", " : "").append(i);
    return sb.append('}').toString();
  }

  @Override
  public String toString() {
    return "MultiHeadAttention(" + dModel + ", heads=" + heads + (dropout != 0 ? ", dropout=" + dropout : "") + ")";
  }
}
