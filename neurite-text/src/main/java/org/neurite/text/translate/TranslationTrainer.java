package org.neurite.text.translate;

import java.util.List;
import org.neurite.optim.Adam;
import org.neurite.optim.GradClip;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * Teacher-forced training of a {@link Seq2Seq} on id pairs: shuffled, length-bucketed batches, Adam,
 * gradient-norm clipping, optional label smoothing. Not a general trainer (that is
 * {@code org.neurite.train.Trainer}, which knows one input and one target tensor).
 *
 * <p>Sources are ids ending with EOS; targets are {@code BOS ... EOS}. A batch's decoder input is the
 * target without its last token and the labels are the target without BOS, both right-padded with 0.
 */
public final class TranslationTrainer {
  /** {@code clipNorm} <= 0 turns clipping off; {@code smoothing} 0 turns label smoothing off. */
  public record Options(int batchSize, float learningRate, double clipNorm, float smoothing, long seed) {
    public static Options defaults() {
      return new Options(64, 1e-3f, 1.0, 0f, 42);
    }
  }

  private final Seq2Seq model;
  private final Options options;
  private final Adam optimizer;
  private final Rng rng;

  public TranslationTrainer(Seq2Seq model, Options options) {
    if (options.batchSize() < 1) throw new IllegalArgumentException("TranslationTrainer: batchSize (" + options.batchSize() + ") must be >= 1");
    this.model = model;
    this.options = options;
    this.optimizer = new Adam(model.parameters(), options.learningRate());
    this.rng = new Rng(options.seed());
  }

  /** One pass over the pairs; returns the mean training loss per batch. */
  public double epoch(List<int[]> sources, List<int[]> targets) {
    return epoch(sources, targets, Long.MAX_VALUE);
  }

  /**
   * As {@link #epoch(List, List)}, stopping early once {@code System.nanoTime()} passes
   * {@code deadlineNanos}; returns the mean loss of the batches it ran.
   */
  public double epoch(List<int[]> sources, List<int[]> targets, long deadlineNanos) {
    if (sources.size() != targets.size())
      throw new IllegalArgumentException("TranslationTrainer: " + sources.size() + " sources but " + targets.size() + " targets");
    int n = sources.size(), bs = options.batchSize();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) order[i] = i;
    rng.shuffle(order);
    // length buckets: sort chunks of 32 batches by source length, so that batches carry little padding
    int chunk = bs * 32;
    for (int from = 0; from < n; from += chunk) {
      int to = Math.min(n, from + chunk);
      Integer[] part = new Integer[to - from];
      for (int i = from; i < to; i++) part[i - from] = order[i];
      java.util.Arrays.sort(part, (a, b) -> Integer.compare(sources.get(a).length, sources.get(b).length));
      for (int i = from; i < to; i++) order[i] = part[i - from];
    }
    int batches = (n + bs - 1) / bs;
    int[] batchOrder = new int[batches];
    for (int i = 0; i < batches; i++) batchOrder[i] = i;
    rng.shuffle(batchOrder);
    model.train(true);
    double total = 0;
    int ran = 0;
    for (int b : batchOrder) {
      if (System.nanoTime() - deadlineNanos > 0) break;
      int from = b * bs, to = Math.min(n, from + bs);
      total += step(sources, targets, order, from, to);
      ran++;
    }
    return ran == 0 ? 0 : total / ran;
  }

  /** One optimizer step on the pairs {@code order[from..to)}; returns the loss. */
  public double step(List<int[]> sources, List<int[]> targets, int[] order, int from, int to) {
    Tensor[] t = batch(sources, targets, order, from, to);
    optimizer.zeroGrad();
    Tensor loss = model.loss(t[0], t[1], t[2], options.smoothing());
    loss.backward();
    if (options.clipNorm() > 0) GradClip.byNorm(model.parameters(), options.clipNorm());
    optimizer.step();
    return loss.item();
  }

  /** Source {@code [B, S]}, decoder input {@code [B, T]} and labels {@code [B, T]}, right-padded with 0. */
  public static Tensor[] batch(List<int[]> sources, List<int[]> targets, int[] order, int from, int to) {
    int b = to - from, s = 1, t = 1;
    for (int i = from; i < to; i++) {
      s = Math.max(s, sources.get(order[i]).length);
      t = Math.max(t, targets.get(order[i]).length - 1);
    }
    float[] src = new float[b * s], in = new float[b * t], lab = new float[b * t];
    for (int r = 0; r < b; r++) {
      int[] x = sources.get(order[from + r]), y = targets.get(order[from + r]);
      for (int j = 0; j < x.length; j++) src[r * s + j] = x[j];
      for (int j = 0; j + 1 < y.length; j++) {
        in[r * t + j] = y[j];
        lab[r * t + j] = y[j + 1];
      }
    }
    return new Tensor[] {Tensor.of(src, b, s), Tensor.of(in, b, t), Tensor.of(lab, b, t)};
  }
}
