package org.neurite.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * Batches of samples of similar length, so that a batch padded to its longest sequence carries little
 * padding (torchtext's {@code BucketIterator}, the "pool" scheme of AllenNLP's bucket sampler). Each
 * epoch: shuffle all samples, cut the shuffled order into pools of {@code poolBatches} batches, sort
 * each pool by length, cut it into batches, and shuffle the batches. Batches hold {@code batchSize}
 * samples except the last of the final pool. Seeded: {@code (seed, epoch)} fixes the batches.
 *
 * <p>Not a loader: it only chooses indices. With a padded {@code [N, T]} dataset, trim each batch
 * with {@link Sequences#trim(org.neurite.train.Dataset.Batch)}:
 * <pre>{@code
 * LengthBuckets buckets = LengthBuckets.of(train.inputs(), 32, seed);
 * for (int[] idx : buckets.batches(epoch)) {
 *   Dataset.Batch b = Sequences.trim(train.batch(idx, rng));   // x: [32, longest in batch]
 *   ...
 * }
 * }</pre>
 * {@link #order(int)} gives the same batches as one index order, for {@code org.neurite.train.Loader}
 * with the same batch size.
 *
 * <p>Immutable (it copies the lengths), so thread-safe: each epoch's order is a function of the seed and
 * the epoch.
 */
public final class LengthBuckets {
  private final int[] lengths;
  private final int batchSize, poolBatches;
  private final long seed;

  /** Buckets for samples of these lengths, pools of 50 batches. */
  public LengthBuckets(int[] lengths, int batchSize, long seed) {
    this(lengths, batchSize, 50, seed);
  }

  /**
   * @param poolBatches batches per sorted pool: 1 shuffles most (batches mix lengths), a large value
   *     pads least (batches come from one sorted list; their order is still shuffled)
   */
  public LengthBuckets(int[] lengths, int batchSize, int poolBatches, long seed) {
    if (batchSize < 1) throw new IllegalArgumentException("LengthBuckets: batchSize (" + batchSize + ") must be >= 1");
    if (poolBatches < 1) throw new IllegalArgumentException("LengthBuckets: poolBatches (" + poolBatches + ") must be >= 1");
    if (lengths.length == 0) throw new IllegalArgumentException("LengthBuckets: no samples");
    this.lengths = lengths.clone();
    this.batchSize = batchSize;
    this.poolBatches = poolBatches;
    this.seed = seed;
  }

  /** Buckets for the rows of padded ids {@code [N, T]}, by their non-PAD lengths. */
  public static LengthBuckets of(Tensor ids, int batchSize, long seed) {
    return new LengthBuckets(Sequences.lengths(ids), batchSize, seed);
  }

  /** Number of batches per epoch. */
  public int batches() {
    return (lengths.length + batchSize - 1) / batchSize;
  }

  /** The batches of epoch {@code epoch}: every sample exactly once. */
  public List<int[]> batches(int epoch) {
    int n = lengths.length;
    int[] order = new int[n];
    for (int i = 0; i < n; i++) order[i] = i;
    Rng rng = new Rng(seed * 1_000_003L + epoch);
    rng.shuffle(order);
    int pool = (int) Math.min(n, (long) batchSize * poolBatches);
    List<int[]> out = new ArrayList<>(batches());
    Integer[] box = new Integer[pool];
    for (int from = 0; from < n; from += pool) {
      int to = Math.min(n, from + pool), m = to - from;
      for (int i = 0; i < m; i++) box[i] = order[from + i];
      Arrays.sort(box, 0, m, (a, b) -> Integer.compare(lengths[a], lengths[b]));   // stable: ties keep the shuffled order
      for (int b = 0; b < m; b += batchSize) {
        int[] batch = new int[Math.min(batchSize, m - b)];
        for (int i = 0; i < batch.length; i++) batch[i] = box[b + i];
        out.add(batch);
      }
    }
    // shuffle the batches, the short last one included (Fisher-Yates on the list)
    for (int i = out.size() - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int[] t = out.get(i);
      out.set(i, out.get(j));
      out.set(j, t);
    }
    return out;
  }

  /**
   * The batches of {@link #batches(int)} concatenated. Cut into {@code batchSize} pieces it gives the
   * same batches only when every batch but the last is full, so the short batch is moved to the end.
   */
  public int[] order(int epoch) {
    List<int[]> bs = batches(epoch);
    int[] out = new int[lengths.length];
    int k = 0;
    int[] shortBatch = null;
    for (int[] b : bs) {
      if (b.length < batchSize) {
        shortBatch = b;
        continue;
      }
      System.arraycopy(b, 0, out, k, b.length);
      k += b.length;
    }
    if (shortBatch != null) System.arraycopy(shortBatch, 0, out, k, shortBatch.length);
    return out;
  }

  /** Padding cells (PAD ids) if each batch is padded to its longest sample: what bucketing saves. */
  public long paddedCells(List<int[]> batches) {
    long pad = 0;
    for (int[] b : batches) {
      int max = 0;
      for (int i : b) max = Math.max(max, lengths[i]);
      for (int i : b) pad += max - lengths[i];
    }
    return pad;
  }
}
