package org.neurite.nn;

import org.neurite.ops.Functional;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * One Transformer decoder layer (Vaswani et al., 2017), PyTorch's
 * {@code nn.TransformerDecoderLayer(dModel, heads, ff, batch_first=True)} called with a causal
 * {@code tgt_mask}:
 * <pre>
 *   post-norm (default):  x = norm1(x + dropout(self_attn(x, causal)))
 *                         x = norm2(x + dropout(multihead_attn(x, memory)))
 *                         x = norm3(x + dropout(ffn(x)))
 *   pre-norm:             x = x + dropout(self_attn(norm1(x), causal))
 *                         x = x + dropout(multihead_attn(norm2(x), memory))
 *                         x = x + dropout(ffn(norm3(x)))
 *   ffn(x) = linear2(dropout(relu(linear1(x))))
 * </pre>
 * Not a stack and not a language model: embeddings, positions and the output projection are the
 * caller's ({@code org.neurite.text.translate.TransformerSeq2Seq}).
 *
 * <p>Args: {@code dModel}, {@code heads} (must divide dModel), {@code ff} (the feed-forward width);
 * {@link #dropout(float)} (default 0.1, also on the attention weights), {@link #normFirst(boolean)},
 * {@link #gelu()}. Shape: target {@code [N, T, dModel]}, memory {@code [N, S, dModel]}, target padding mask
 * {@code [N, T]} and memory padding mask {@code [N, S]} (1 = real, either may be null) to
 * {@code [N, T, dModel]}. Parameters, as PyTorch's state_dict: "self_attn.in_proj_weight",
 * "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
 * "multihead_attn.in_proj_weight", "multihead_attn.in_proj_bias", "multihead_attn.out_proj.weight",
 * "multihead_attn.out_proj.bias", "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias",
 * "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias", "norm3.weight", "norm3.bias"; initialised as
 * {@link MultiHeadAttention}, {@link Dense} and {@link LayerNorm}.
 *
 * <p>Incremental decoding: {@link #step} runs one new position per row against a cache of the earlier
 * positions' self-attention inputs, giving what {@link #forward(Tensor, Tensor, Tensor, Tensor)} gives at
 * that position without recomputing the others' attention, feed-forward or norms.
 *
 * <pre>{@code
 * var layer = new TransformerDecoderLayer(64, 4, 256);
 * Tensor y = layer.forward(tgt, memory, tgtMask, memoryMask);   // [N, T, 64]
 * }</pre>
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class TransformerDecoderLayer extends Module {
  /** Everything needed to rebuild this layer. */
  public record Config(int dModel, int heads, int ff, float dropout, boolean normFirst, Activation activation) {}

  /** One incremental step: the output {@code [K, 1, E]}, the cache with this position appended, cross-attention weights {@code [K, S]} or null. */
  public record Step(Tensor output, Tensor cache, Tensor crossWeights) {}

  private final int dModel, heads, ff;
  private float dropout = 0.1f;
  private boolean normFirst;
  private Activation act = Activation.RELU;
  private final Rng rng = Seeds.next();
  private final MultiHeadAttention selfAttn, crossAttn;
  private final Dense linear1, linear2;
  private final LayerNorm norm1, norm2, norm3;

  public TransformerDecoderLayer(int dModel, int heads, int ff) {
    if (ff < 1) throw new IllegalArgumentException("TransformerDecoderLayer: ff (" + ff + ") must be >= 1");
    this.selfAttn = child("self_attn", new MultiHeadAttention(dModel, heads).dropout(dropout));
    this.crossAttn = child("multihead_attn", new MultiHeadAttention(dModel, heads).dropout(dropout));
    this.dModel = dModel;
    this.heads = heads;
    this.ff = ff;
    this.linear1 = child("linear1", new Dense(ff));
    this.linear2 = child("linear2", new Dense(dModel));
    this.norm1 = child("norm1", new LayerNorm());
    this.norm2 = child("norm2", new LayerNorm());
    this.norm3 = child("norm3", new LayerNorm());
    int[] in = {1, dModel};   // weights depend on dModel only: build now, so parameters() is complete at once
    selfAttn.buildFor(in);
    crossAttn.buildFor(in);
    linear2.buildFor(linear1.buildFor(in));
    norm1.buildFor(in);
    norm2.buildFor(in);
    norm3.buildFor(in);
  }

  /** Dropout rate after each block, inside the feed-forward block, and on the attention weights. */
  public TransformerDecoderLayer dropout(float rate) {
    if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException("TransformerDecoderLayer: dropout (" + rate + ") must be in [0, 1)");
    this.dropout = rate;
    selfAttn.dropout(rate);
    crossAttn.dropout(rate);
    return this;
  }

  /** Layer norm before each block (pre-norm, PyTorch's {@code norm_first=True}) instead of after. */
  public TransformerDecoderLayer normFirst(boolean on) {
    this.normFirst = on;
    return this;
  }

  /** GELU instead of ReLU in the feed-forward block. */
  public TransformerDecoderLayer gelu() {
    this.act = Activation.GELU;
    return this;
  }

  /** Sets the activation by config value (RELU or GELU). */
  public TransformerDecoderLayer activation(Activation a) {
    if (a != Activation.RELU && a != Activation.GELU)
      throw new IllegalArgumentException("TransformerDecoderLayer: activation " + a + " is not supported; expected RELU or GELU");
    this.act = a;
    return this;
  }

  public Config config() {
    return new Config(dModel, heads, ff, dropout, normFirst, act);
  }

  /** A decoder layer needs the encoder's memory: use {@link #forward(Tensor, Tensor, Tensor, Tensor)}. */
  @Override
  public Tensor forward(Tensor x) {
    throw new UnsupportedOperationException(this + ": needs the encoder output. Hint: call forward(tgt, memory, tgtMask, memoryMask)");
  }

  /** The layer over a whole (teacher-forced) target, each position attending to itself and the ones before. */
  public Tensor forward(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask) {
    check("tgt", tgt);
    check("memory", memory);
    if (memory.shape(0) != tgt.shape(0))
      throw new IllegalArgumentException(this + ": tgt " + Shape.str(tgt.shape()) + " and memory " + Shape.str(memory.shape())
          + " need the same N");
    Tensor x = tgt;
    if (normFirst) {
      Tensor h = norm1.forward(x);
      x = x.add(drop(selfAttn.call(h, h, h, tgtMask, true, false).output()));        // x + dropout(sa(norm1(x)))
      return crossAndFeedForward(x, memory, memoryMask, false).output();
    }
    // x = norm1(x + dropout(sa(x)))
    x = norm1.forward(x, selfAttn.call(x, x, x, tgtMask, true, false).output(), dropout, trainingRng());
    return crossAndFeedForward(x, memory, memoryMask, false).output();
  }

  /**
   * One new position per row: {@code x} {@code [K, 1, E]} is this layer's input at the new position,
   * {@code cache} {@code [K, t, E]} (null at the first position) the self-attention inputs of the positions
   * before it, as returned by the previous step. Returns the output at the new position and the cache grown
   * by one position. {@code needWeights} also returns the head-averaged cross-attention weights.
   */
  public Step step(Tensor x, Tensor cache, Tensor memory, Tensor memoryMask, boolean needWeights) {
    check("x", x);
    if (x.shape(1) != 1) throw new IllegalArgumentException(this + ": step takes one position, x [K, 1, " + dModel + "], got "
        + Shape.str(x.shape()));
    Tensor h = normFirst ? norm1.forward(x) : x;                                      // what self-attention reads
    Tensor kv = cache == null ? h : Tensor.concat(1, cache, h);                          // [K, t + 1, E]
    Tensor sa = selfAttn.call(h, kv, kv, null, false, false).output();                 // the last query sees every key
    Tensor y = normFirst ? x.add(drop(sa))
        : norm1.forward(x, sa, dropout, trainingRng());
    Step s = crossAndFeedForward(y, memory, memoryMask, needWeights);
    return new Step(s.output(), kv, s.crossWeights());
  }

  // The cross-attention and feed-forward blocks, shared by forward and step.
  private Step crossAndFeedForward(Tensor x, Tensor memory, Tensor memoryMask, boolean needWeights) {
    Rng r = trainingRng();
    MultiHeadAttention.Result c;
    if (normFirst) {
      Tensor h = norm2.forward(x);
      c = crossAttn.call(h, memory, memory, memoryMask, false, needWeights);
      x = x.add(drop(c.output()));                                                     // x + dropout(ca(norm2(x), m))
      x = x.add(drop(feedForward(norm3.forward(x), r)));                               // x + dropout(ffn(norm3(x)))
    } else {
      c = crossAttn.call(x, memory, memory, memoryMask, false, needWeights);
      // x = norm2(x + dropout(ca(x, m)));  x = norm3(x + dropout(ffn(x)))
      x = norm2.forward(x, c.output(), dropout, r);
      x = norm3.forward(x, feedForward(x, r), dropout, r);
    }
    Tensor w = c.weights();
    return new Step(x, null, w == null ? null : w.reshape(w.shape(0), w.shape(2)));
  }

  // linear2(dropout(act(linear1(x))))
  private Tensor feedForward(Tensor x, Rng r) {
    return linear2.forward(linear1.forward(x, act, dropout, r));
  }

  private Rng trainingRng() {
    return isTraining() && dropout > 0 ? rng : null;
  }

  private Tensor drop(Tensor x) {
    return Functional.dropout(x, dropout, isTraining(), rng);
  }

  private void check(String what, Tensor t) {
    if (t.rank() != 3 || t.shape(2) != dModel)
      throw new IllegalArgumentException(this + ": expected " + what + " [N, T, " + dModel + "], got " + Shape.str(t.shape()));
  }

  @Override
  public String toString() {
    return "TransformerDecoderLayer(" + dModel + ", heads=" + heads + ", ff=" + ff + (dropout != 0.1f ? ", dropout=" + dropout : "")
        + (normFirst ? ", normFirst=true" : "") + (act != Activation.RELU ? ", activation=" + act.kerasName() : "") + ")";
  }
}
