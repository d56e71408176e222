package org.neurite.train;

import org.neurite.tensor.Rng;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * A dataset held in two tensors: inputs {@code [N, ...]} and targets {@code [N, ...]}.
 *
 * <p>Thread-safe for {@code batch}: it only reads its two tensors (which nobody may write meanwhile) and
 * returns new ones.
 */
public final class TensorDataset implements Dataset {
  private final Tensor x, y;
  private final int n, xRow, yRow;

  /**
   * A dataset of the rows of {@code x} and {@code y}.
   *
   * @param x the inputs {@code [N, ...]} (made contiguous)
   * @param y the targets {@code [N, ...]} (made contiguous)
   * @throws IllegalArgumentException if they differ in N or hold no sample
   */
  public TensorDataset(Tensor x, Tensor y) {
    if (x.rank() == 0 || y.rank() == 0 || x.shape(0) != y.shape(0))
      throw new IllegalArgumentException("dataset: inputs " + Shape.str(x.shape()) + " and targets " + Shape.str(y.shape())
          + " need the same number of samples along axis 0");
    if (x.shape(0) == 0) throw new IllegalArgumentException("dataset: no samples (inputs " + Shape.str(x.shape()) + ")");
    this.x = x.contiguous();
    this.y = y.contiguous();
    this.n = x.shape(0);
    this.xRow = x.size() / n;
    this.yRow = y.size() / n;
  }

  @Override
  public int size() {
    return n;
  }

  /** {@return the inputs {@code [N, ...]}} */
  public Tensor inputs() {
    return x;
  }

  /** {@return the targets {@code [N, ...]}} */
  public Tensor targets() {
    return y;
  }

  @Override
  public Batch batch(int[] idx, Rng rng) {
    return new Batch(rows(x, idx, xRow), rows(y, idx, yRow));
  }

  private static Tensor rows(Tensor t, int[] idx, int row) {
    float[] src = t.data(), out = new float[idx.length * row];
    for (int i = 0; i < idx.length; i++) System.arraycopy(src, idx[i] * row, out, i * row, row);
    int[] s = t.shape();
    s[0] = idx.length;
    return Tensor.of(out, s);
  }

  /** The first {@code k} samples and the rest (Keras' validation_split takes the last part). */
  @Override
  public TensorDataset[] split(int k) {
    if (k <= 0 || k >= n) throw new IllegalArgumentException("dataset: cannot split " + n + " samples at " + k);
    return new TensorDataset[] {
        new TensorDataset(x.slice(0, 0, k).contiguous(), y.slice(0, 0, k).contiguous()),
        new TensorDataset(x.slice(0, k, n).contiguous(), y.slice(0, k, n).contiguous())};
  }
}
