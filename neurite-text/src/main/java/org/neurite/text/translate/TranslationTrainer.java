package org.neurite.text.translate;

import java.util.List;
import org.neurite.optim.Adam;
import org.neurite.optim.GradClip;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * Teacher-forced training of a {@link TranslationModel} on id pairs: shuffled, length-bucketed batches, Adam,
 * gradient-norm clipping, optional label smoothing, and an optional scheduled teacher-forcing ratio
 * (Bengio et al. 2015) decaying linearly per epoch. Not a general trainer (that is
 * {@code org.neurite.train.Trainer}, which knows one input and one target tensor).
 *
 * <p>Sources are ids ending with EOS; targets are {@code BOS ... EOS}. A batch's decoder input is the
 * target without its last token and the labels are the target without BOS, both right-padded with 0.
 *
 * <p>Not thread-safe: it owns an optimizer, two random generators and the epoch count; train from one
 * thread.
 */
public final class TranslationTrainer {
  /**
   * {@code clipNorm <= 0} turns clipping off; {@code smoothing} 0 turns label smoothing off;
   * {@code teacherForcing} is the schedule of the ratio of reference tokens fed to the decoder, over
   * {@code epochs} epochs.
   */
  public record Options(int batchSize, float learningRate, double clipNorm, float smoothing, long seed,
      TeacherForcing teacherForcing, int epochs) {
    public Options {
      if (epochs < 1) throw new IllegalArgumentException("TranslationTrainer: epochs (" + epochs + ") must be >= 1");
      if (teacherForcing == null) teacherForcing = TeacherForcing.ALWAYS;
    }

    /** Full teacher forcing. */
    public Options(int batchSize, float learningRate, double clipNorm, float smoothing, long seed) {
      this(batchSize, learningRate, clipNorm, smoothing, seed, TeacherForcing.ALWAYS, 1);
    }

    public static Options defaults() {
      return new Options(64, 1e-3f, 1.0, 0f, 42);
    }
  }

  /**
   * A teacher-forcing ratio going linearly from {@code start} (first epoch) to {@code end} (last epoch): the
   * probability that the decoder reads the reference token rather than its own previous argmax. 1 is plain
   * teacher forcing (the decoder runs over the whole target in one op); below 1 the decoder runs step by step.
   */
  public record TeacherForcing(double start, double end) {
    public static final TeacherForcing ALWAYS = new TeacherForcing(1, 1);

    public TeacherForcing {
      if (!(start >= 0 && start <= 1 && end >= 0 && end <= 1))
        throw new IllegalArgumentException("teacher forcing: start (" + start + ") and end (" + end + ") must be in [0, 1]");
    }

    /** Parses {@code START[:END]} (END defaults to START), as {@code --teacher-forcing 1.0:0.5}. */
    public static TeacherForcing parse(String spec) {
      String[] p = spec.split(":", -1);
      try {
        if (p.length > 2) throw new NumberFormatException();
        double a = Double.parseDouble(p[0]);
        return new TeacherForcing(a, p.length == 2 ? Double.parseDouble(p[1]) : a);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--teacher-forcing " + spec + ": expected START[:END] with ratios in [0, 1], e.g. 1.0:0.5");
      }
    }

    /** The ratio of 1-based {@code epoch} of {@code epochs}. */
    public double ratio(int epoch, int epochs) {
      return epochs <= 1 ? start : start + (end - start) * (Math.min(epoch, epochs) - 1) / (epochs - 1);
    }

    @Override
    public String toString() {
      return start == end ? Double.toString(start) : start + ":" + end;
    }
  }

  private final TranslationModel model;
  private final Options options;
  private final Adam optimizer;
  private final Rng rng, sampling;
  private int epochsRun;

  public TranslationTrainer(TranslationModel model, Options options) {
    if (options.batchSize() < 1) throw new IllegalArgumentException("TranslationTrainer: batchSize (" + options.batchSize() + ") must be >= 1");
    this.model = model;
    this.options = options;
    this.optimizer = new Adam(model.module().parameters(), options.learningRate());
    this.rng = new Rng(options.seed());
    this.sampling = new Rng(options.seed() ^ 0x5DEECE66DL);
  }

  /** The teacher-forcing ratio the next epoch trains with. */
  public double teacherForcingRatio() {
    return options.teacherForcing().ratio(epochsRun + 1, options.epochs());
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
    model.module().train(true);
    double ratio = teacherForcingRatio();
    double total = 0;
    int ran = 0;
    for (int b : batchOrder) {
      if (System.nanoTime() - deadlineNanos > 0) break;
      int from = b * bs, to = Math.min(n, from + bs);
      total += step(sources, targets, order, from, to, ratio);
      ran++;
    }
    epochsRun++;
    return ran == 0 ? 0 : total / ran;
  }

  /** One optimizer step on the pairs {@code order[from..to)} with full teacher forcing; returns the loss. */
  public double step(List<int[]> sources, List<int[]> targets, int[] order, int from, int to) {
    return step(sources, targets, order, from, to, 1.0);
  }

  /** One optimizer step with teacher-forcing ratio {@code teacherForcing}; returns the loss. */
  public double step(List<int[]> sources, List<int[]> targets, int[] order, int from, int to, double teacherForcing) {
    Tensor[] t = batch(sources, targets, order, from, to);
    optimizer.zeroGrad();
    Tensor loss = model.loss(t[0], t[1], t[2], options.smoothing(), teacherForcing, sampling);
    loss.backward();
    if (options.clipNorm() > 0) GradClip.byNorm(model.module().parameters(), options.clipNorm());
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
