package org.neurite.nn;

import org.neurite.tensor.Tensor;

/**
 * Adds a learned position vector to each step (BERT's and GPT's position embeddings):
 * {@code y[n, t] = x[n, t] + weight[t]}, as PyTorch's {@code x + nn.Embedding(maxLen, D)(arange(T))}.
 *
 * <p>Shape: {@code [N, T, D]} to the same, for any {@code T <= maxLen}. Parameters: "weight"
 * {@code [maxLen, D]} (standard normal, nn.Embedding's init).
 *
 * <pre>{@code
 * var pos = new PositionalEmbedding(100);
 * Tensor y = pos.forward(tokens);   // tokens: [N, 100, 64]
 * }</pre>
 */
public final class PositionalEmbedding extends Layer {
  /** Everything needed to rebuild this layer. */
  public record Config(int maxLen) {}

  private final int maxLen;
  private Tensor weight;

  public PositionalEmbedding(int maxLen) {
    if (maxLen < 1) throw new IllegalArgumentException("PositionalEmbedding: maxLen (" + maxLen + ") must be >= 1");
    this.maxLen = maxLen;
  }

  public Config config() {
    return new Config(maxLen);
  }

  @Override
  protected int[] build(int[] in) {
    if (in.length != 2) throw new IllegalArgumentException(this + ": expected input [N, T, D], got a per-sample shape of rank " + in.length);
    weight = param("weight", Tensor.randn(Seeds.next(), maxLen, in[1]));
    return in;
  }

  @Override
  protected int fixedTrailingAxes() {
    return 1;
  }

  @Override
  protected Tensor compute(Tensor x) {
    int t = x.shape(1);
    if (t > maxLen)
      throw new IllegalArgumentException(this + ": sequence length " + t + " exceeds maxLen=" + maxLen
          + ". Hint: construct it with maxLen >= " + t + ", or truncate the input");
    return x.add(weight.slice(0, 0, t));
  }

  @Override
  public String toString() {
    return "PositionalEmbedding(maxLen=" + maxLen + ")";
  }
}
