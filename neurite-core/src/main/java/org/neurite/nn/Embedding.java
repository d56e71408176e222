package org.neurite.nn;

import java.util.Arrays;
import org.neurite.ops.Indexing;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * A lookup table of token vectors (PyTorch's nn.Embedding, Keras' Embedding): row {@code id} of
 * "weight" for each token id.
 *
 * <p>Shape: ids {@code [N, T]} (whole numbers in float32; T may change from batch to batch) to
 * {@code [N, T, dim]}. Parameters: "weight" {@code [vocab, dim]}, normal(0, 1) as PyTorch.
 *
 * <p>With {@link #paddingIdx(int)} that row starts at zero and never receives a gradient (PyTorch's
 * padding_idx), and the layer supplies the padding mask {@code ids != paddingIdx} to the
 * {@link MaskAware} layers after it in a {@link Sequential}. {@link #frozen(boolean)} keeps the table
 * out of training; {@link #fromPretrained(Tensor)} starts from given vectors.
 *
 * <pre>{@code
 * var model = Sequential.of(new Embedding(10000, 64).paddingIdx(0), new LSTM(64), new Dense(10).softmax())
 *     .input(100);
 * }</pre>
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class Embedding extends Layer implements MaskSource {
  /** Everything needed to rebuild this layer; paddingIdx is null when there is none. */
  public record Config(int vocab, int dim, Integer paddingIdx, boolean frozen) {}

  private final int vocab, dim;
  private Integer paddingIdx;
  private boolean frozen;
  private Tensor weight;

  public Embedding(int vocab, int dim) {
    if (vocab < 1 || dim < 1)
      throw new IllegalArgumentException("Embedding: vocab (" + vocab + ") and dim (" + dim + ") must be >= 1");
    this.vocab = vocab;
    this.dim = dim;
  }

  /** A table holding a copy of {@code weights} {@code [vocab, dim]} (PyTorch's from_pretrained, frozen there by default; here only with frozen(true)). */
  public static Embedding fromPretrained(Tensor weights) {
    if (weights.rank() != 2)
      throw new IllegalArgumentException("Embedding.fromPretrained: weights must be [vocab, dim], got " + Shape.str(weights.shape()));
    Embedding e = new Embedding(weights.shape(0), weights.shape(1));
    e.weight = e.param("weight", Tensor.of(weights.toArray(), weights.shape()));
    return e;
  }

  public static Embedding of(Config c) {
    Embedding e = new Embedding(c.vocab(), c.dim()).frozen(c.frozen());
    return c.paddingIdx() == null ? e : e.paddingIdx(c.paddingIdx());
  }

  public Config config() {
    return new Config(vocab, dim, paddingIdx, frozen);
  }

  /**
   * Marks {@code idx} (negative counts from the end, as PyTorch) as padding: its row is zeroed at
   * initialisation, gets no gradient, and ids equal to it are masked for the layers downstream.
   */
  public Embedding paddingIdx(int idx) {
    if (idx < -vocab || idx >= vocab)
      throw new IllegalArgumentException(this + ": paddingIdx (" + idx + ") must be in [-" + vocab + ", " + vocab + ")");
    paddingIdx = idx < 0 ? idx + vocab : idx;
    return this;
  }

  /** A frozen table gets no gradient and so is not trained. */
  public Embedding frozen(boolean on) {
    frozen = on;
    if (weight != null) weight.requiresGrad(!on);
    return this;
  }

  public int vocab() {
    return vocab;
  }

  /** The vector size. */
  public int dim() {
    return dim;
  }

  /** The table {@code [vocab, dim]}, or null before it is built. */
  public Tensor weight() {
    return weight;
  }

  @Override
  protected int[] build(int[] in) {
    if (weight == null)
      weight = param("weight", new int[] {vocab, dim}, () -> {
        Tensor w = Tensor.randn(Seeds.next(), vocab, dim);
        if (paddingIdx != null) Arrays.fill(w.storage(), paddingIdx * dim, (paddingIdx + 1) * dim, 0f);
        return w;
      });
    if (weight != null) weight.requiresGrad(!frozen);   // null in a shape-only build
    int[] out = Arrays.copyOf(in, in.length + 1);
    out[in.length] = dim;
    return out;
  }

  @Override
  protected int fixedTrailingAxes() {
    return 0;   // any number of steps
  }

  @Override
  protected Tensor compute(Tensor ids) {
    return lookup(ids);
  }

  /** 1 where the id is a real token, 0 where it is the padding index; null without a padding index. */
  @Override
  public Tensor computeMask(Tensor ids) {
    if (paddingIdx == null) return null;
    float[] v = ids.data(), m = new float[v.length];
    float pad = paddingIdx;
    for (int i = 0; i < v.length; i++) m[i] = v[i] == pad ? 0f : 1f;
    return Tensor.of(m, ids.shape());
  }

  // The op names the bad id; the message names this layer, as every layer's does.
  private Tensor lookup(Tensor ids) {
    try {
      return Indexing.embedding(ids, weight, paddingIdx == null ? -1 : paddingIdx);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(this + e.getMessage().substring("embedding".length()), e);
    }
  }

  @Override
  public String toString() {
    return "Embedding(" + vocab + ", " + dim + (paddingIdx == null ? "" : ", paddingIdx=" + paddingIdx)
        + (frozen ? ", frozen=true" : "") + ")";
  }
}
