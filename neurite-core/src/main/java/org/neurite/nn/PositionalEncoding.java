package org.neurite.nn;

import org.neurite.tensor.Tensor;

/**
 * Adds the fixed sinusoidal position signal of "Attention Is All You Need" (Vaswani et al., 2017,
 * section 3.5) to a sequence: {@code PE[t, 2i] = sin(t / 10000^(2i/D))},
 * {@code PE[t, 2i+1] = cos(t / 10000^(2i/D))}.
 *
 * <p>Shape: {@code [N, T, D]} to the same, for any {@code T <= maxLen}. No parameters; the table is
 * not part of the state_dict (it is recomputed, not learned).
 *
 * <pre>{@code
 * var model = Sequential.of(embedding, new PositionalEncoding(512), new TransformerEncoderLayer(64, 4, 256));
 * }</pre>
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class PositionalEncoding extends PositionTable {
  public PositionalEncoding(int maxLen) {
    super(maxLen);
  }

  public static PositionalEncoding of(Config c) {
    return new PositionalEncoding(c.maxLen());
  }

  /** The sinusoid table {@code [maxLen, d]}, computed in double. */
  public static Tensor table(int maxLen, int d) {
    float[] pe = new float[maxLen * d];
    for (int t = 0; t < maxLen; t++)
      for (int i = 0; i < d; i++) {
        double angle = t / Math.pow(10000.0, (i - i % 2) / (double) d);
        pe[t * d + i] = (float) (i % 2 == 0 ? Math.sin(angle) : Math.cos(angle));
      }
    return Tensor.of(pe, maxLen, d);
  }

  @Override
  protected Tensor makeTable(int d) {
    return table(maxLen, d);
  }
}
