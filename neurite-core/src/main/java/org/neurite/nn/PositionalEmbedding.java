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
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class PositionalEmbedding extends PositionTable {
  public PositionalEmbedding(int maxLen) {
    super(maxLen);
  }

  public static PositionalEmbedding of(Config c) {
    return new PositionalEmbedding(c.maxLen());
  }

  @Override
  protected Tensor makeTable(int d) {
    return param("weight", Tensor.randn(Seeds.next(), maxLen, d));
  }
}
