package org.neurite.text;

import java.util.List;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;
import org.neurite.train.Dataset;

/**
 * Token-id sequences to fixed-length batches: padding and truncation with Keras'
 * {@code pad_sequences} semantics, masks, lengths, and trimming the padding a batch does not need.
 * Padding is {@link Vocabulary#PAD}'s id 0 throughout. Not a dataset: see {@link TextClassificationData}
 * and {@link LengthBuckets}.
 *
 * <p>Thread-safe: static methods with no shared mutable state.
 */
public final class Sequences {
  /** Which end is padded or cut: {@code PRE} the start, {@code POST} the end (Keras' 'pre' and 'post'). */
  public enum Side { PRE, POST }

  private Sequences() {}

  /**
   * {@code seq} made exactly {@code maxLen} long: cut at the {@code truncating} side when longer,
   * PAD (0) added at the {@code padding} side when shorter. Keras' defaults are PRE and PRE (keep the
   * end of the text, pad in front); {@link TextClassificationData#toDataset} uses POST and POST.
   */
  public static int[] pad(int[] seq, int maxLen, Side padding, Side truncating) {
    if (maxLen < 0) throw new IllegalArgumentException("Sequences.pad: maxLen (" + maxLen + ") must be >= 0");
    int[] out = new int[maxLen];
    write(seq, out, 0, maxLen, padding, truncating);
    return out;
  }

  /**
   * The sequences as a {@code [N, maxLen]} tensor of float ids, each padded or cut as
   * {@link #pad(int[], int, Side, Side)}; {@code maxLen} 0 means the longest sequence's length
   * (Keras' {@code maxlen=None}).
   */
  public static Tensor pad(List<int[]> seqs, int maxLen, Side padding, Side truncating) {
    if (maxLen < 0) throw new IllegalArgumentException("Sequences.pad: maxLen (" + maxLen + ") must be >= 0 (0: the longest)");
    int t = maxLen;
    if (t == 0) for (int[] s : seqs) t = Math.max(t, s.length);
    float[] x = new float[Math.multiplyExact(seqs.size(), t)];   // x: [N, T]
    int[] row = new int[t];
    for (int i = 0; i < seqs.size(); i++) {
      java.util.Arrays.fill(row, 0);
      write(seqs.get(i), row, 0, t, padding, truncating);
      for (int j = 0; j < t; j++) x[i * t + j] = row[j];
    }
    return Tensor.of(x, seqs.size(), t);
  }

  private static void write(int[] seq, int[] out, int off, int len, Side padding, Side truncating) {
    int n = Math.min(seq.length, len);
    int from = truncating == Side.PRE ? seq.length - n : 0;     // which part of seq survives
    int to = padding == Side.PRE ? off + len - n : off;         // where it goes
    System.arraycopy(seq, from, out, to, n);
  }

  /** 1 where {@code ids} is not PAD, else 0: {@code [N, T]} to {@code [N, T]}. */
  public static Tensor mask(Tensor ids) {
    requireRank2("Sequences.mask", ids);
    float[] x = ids.contiguous().data(), m = new float[x.length];
    for (int i = 0; i < x.length; i++) m[i] = x[i] != 0 ? 1f : 0f;
    return Tensor.of(m, ids.shape());
  }

  /** The number of non-PAD ids in each row of {@code [N, T]} ids. */
  public static int[] lengths(Tensor ids) {
    requireRank2("Sequences.lengths", ids);
    int n = ids.shape(0), t = ids.shape(1);
    float[] x = ids.contiguous().data();
    int[] len = new int[n];
    for (int i = 0; i < n; i++) for (int j = 0; j < t; j++) if (x[i * t + j] != 0) len[i]++;
    return len;
  }

  /**
   * {@code ids} {@code [N, T]} without the columns at either end that are PAD in every row: a batch of
   * short sequences from a padded dataset becomes {@code [N, longest]}. At least one column is kept.
   */
  public static Tensor trim(Tensor ids) {
    requireRank2("Sequences.trim", ids);
    int n = ids.shape(0), t = ids.shape(1);
    float[] x = ids.contiguous().data();
    int first = t, last = -1;
    for (int i = 0; i < n; i++)
      for (int j = 0; j < t; j++)
        if (x[i * t + j] != 0) {
          first = Math.min(first, j);
          last = Math.max(last, j);
        }
    if (last < 0) {   // all PAD
      first = 0;
      last = Math.min(t, 1) - 1;
    }
    int w = last - first + 1;
    if (w == t) return ids;
    float[] y = new float[n * w];
    for (int i = 0; i < n; i++) System.arraycopy(x, i * t + first, y, i * w, w);
    return Tensor.of(y, n, w);
  }

  /** The batch with its inputs {@link #trim trimmed}; targets unchanged. */
  public static Dataset.Batch trim(Dataset.Batch batch) {
    return new Dataset.Batch(trim(batch.x()), batch.y());
  }

  private static void requireRank2(String where, Tensor ids) {
    if (ids.rank() != 2)
      throw new IllegalArgumentException(where + ": expected token ids [N, T], got " + Shape.str(ids.shape()));
  }
}
