package org.neurite.nn;

import org.neurite.tensor.Tensor;

/**
 * What the two position layers share: a {@code [maxLen, D]} table whose first T rows are added to a
 * sequence {@code [N, T, D]}, for any {@code T <= maxLen}. Subclasses say where the table comes from:
 * learned ({@link PositionalEmbedding}) or fixed sinusoids ({@link PositionalEncoding}).
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public abstract sealed class PositionTable extends Layer permits PositionalEmbedding, PositionalEncoding {
  /** Everything needed to rebuild either layer. */
  public record Config(int maxLen) {}

  protected final int maxLen;
  private Tensor table;

  PositionTable(int maxLen) {
    if (maxLen < 1) throw new IllegalArgumentException(getClass().getSimpleName() + ": maxLen (" + maxLen + ") must be >= 1");
    this.maxLen = maxLen;
  }

  public Config config() {
    return new Config(maxLen);
  }

  /** The {@code [maxLen, d]} table, built once the width d is known. */
  protected abstract Tensor makeTable(int d);

  @Override
  protected final int[] build(int[] in) {
    if (in.length != 2) throw new IllegalArgumentException(this + ": expected input [N, T, D], got a per-sample shape of rank " + in.length);
    table = allocate(new int[] {maxLen, in[1]}, () -> makeTable(in[1]));
    return in;
  }

  @Override
  protected final int fixedTrailingAxes() {
    return 1;
  }

  @Override
  protected final Tensor compute(Tensor x) {
    int t = x.shape(1);
    if (t > maxLen)
      throw new IllegalArgumentException(this + ": sequence length " + t + " exceeds maxLen=" + maxLen
          + ". Hint: construct it with maxLen >= " + t + ", or truncate the input");
    return x.add(table.slice(0, 0, t));
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "(maxLen=" + maxLen + ")";
  }
}
