package org.neurite.train;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.neurite.autograd.GradMode;
import org.neurite.nn.Module;
import org.neurite.nn.Sequential;
import org.neurite.tensor.Tensor;

/**
 * Non-finite losses and gradients, and exploding gradients (Keras' TerminateOnNaN, with a diagnosis).
 * Every {@code fit} runs one, configured by {@link Fit#skipNonFinite} and {@link Fit#explodingFactor}.
 *
 * <p>A NaN or Inf loss or gradient stops training with the epoch, the step and the first layer whose
 * output went non-finite, or skips the batch when asked. The global gradient norm of each step is
 * compared with the running median of the norms before it (a window of the last 64 steps); a step more
 * than {@code explodingFactor} times above it is reported, at most once per epoch with the count.
 *
 * <p>Not thread-safe: {@code fit} calls it on the training thread only.
 */
final class TerminateOnNaN implements Callback {
  private final boolean skip;
  private final double explodingFactor;
  private final double[] window = new double[64];
  private int filled, next, exploding, skipped;
  private String worst;
  private double worstNorm, worstMedian;

  TerminateOnNaN(boolean skip, double explodingFactor) {
    this.skip = skip;
    this.explodingFactor = explodingFactor;
  }

  @Override
  public void onBatchEnd(Trainer trainer, Step step) {
    if (!Float.isFinite(step.loss())) {
      nonFinite(trainer, step, "loss became " + step.loss(), diagnose(trainer.model(), step.data().x()));
      return;
    }
    String bad = checkGradients(trainer.model(), step);
    if (bad != null) nonFinite(trainer, step, "the gradient of " + bad + " became non-finite (loss " + step.loss() + ")", null);
  }

  private void nonFinite(Trainer trainer, Step step, String what, String diagnosis) {
    int b = step.batch() + 1;
    String where = "fit: " + what + " at epoch " + (step.epoch() + 1) + ", batch " + b + " of " + step.batches() + " (step "
        + ((long) step.epoch() * step.batches() + b) + ")";
    if (skip) {
      skipped++;
      trainer.skipBatch();
      if (skipped <= 3) trainer.out().println(where + "; batch skipped" + (diagnosis == null ? "" : " (" + diagnosis + ")"));
      return;
    }
    throw new ArithmeticException(where + (diagnosis == null ? "" : "; " + diagnosis) + "; lower the learning rate (now "
        + trainer.optimizer().learningRate() + "), clip gradients (optimizer.clipNorm(1.0)) or check the data for NaN/Inf;"
        + " Fit.skipNonFinite(true) skips such batches instead");
  }

  /** Returns the name of the first parameter whose gradient is not finite, or null; tracks the global norm. */
  private String checkGradients(Module model, Step step) {
    double sq = 0, largest = -1;
    String largestName = null;
    for (var e : model.namedParameters().entrySet()) {
      Tensor g = e.getValue().grad();
      if (g == null) continue;
      double s = 0;
      for (float v : g.data()) s += (double) v * v;
      if (!Double.isFinite(s)) return e.getKey();
      if (s > largest) {
        largest = s;
        largestName = e.getKey();
      }
      sq += s;
    }
    double norm = Math.sqrt(sq);
    if (filled >= 8) {
      double median = median();
      if (norm > explodingFactor * Math.max(median, 1e-12)) {
        exploding++;
        if (norm / median > worstNorm / Math.max(worstMedian, 1e-300) || worst == null) {
          worst = "epoch " + (step.epoch() + 1) + ", batch " + (step.batch() + 1) + " of " + step.batches() + ": global norm "
              + String.format(Locale.ROOT, "%.3g", norm) + ", " + String.format(Locale.ROOT, "%.0f", norm / median)
              + "x the median " + String.format(Locale.ROOT, "%.3g", median) + ", largest in " + largestName;
          worstNorm = norm;
          worstMedian = median;
        }
      }
    }
    window[next] = norm;
    next = (next + 1) % window.length;
    filled = Math.min(window.length, filled + 1);
    return null;
  }

  private double median() {
    double[] w = Arrays.copyOf(window, filled);
    Arrays.sort(w);
    return w[w.length / 2];
  }

  /** Reports the epoch's exploding steps and skipped batches, also as "exploding_steps" and "skipped_batches". */
  @Override
  public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
    if (exploding > 0) {
      trainer.out().println("fit: exploding gradients: " + exploding + " step(s) with a gradient norm over " + explodingFactor
          + "x the running median; worst at " + worst + "; consider optimizer.clipNorm(...) or a lower learning rate");
      logs.put("exploding_steps", (double) exploding);
    }
    if (skipped > 0) {
      logs.put("skipped_batches", (double) skipped);
      if (skipped > 3) trainer.out().println("fit: " + skipped + " batches skipped this epoch for a non-finite loss or gradient");
    }
    exploding = 0;
    skipped = 0;
    worst = null;
    worstNorm = 0;
    worstMedian = 0;
  }

  /**
   * Runs the batch through the layers again, without a graph, and names the first layer whose output
   * holds NaN or Inf. Buffers (BatchNorm's statistics) are put back afterwards.
   */
  static String diagnose(Module model, Tensor x) {
    if (!allFinite(x)) return "the input batch already holds NaN or Inf; check the data";
    if (!(model instanceof Sequential seq)) return null;
    Map<String, Tensor> state = model.stateDict();
    Map<String, float[]> saved = new LinkedHashMap<>();
    state.forEach((k, v) -> saved.put(k, v.data().clone()));
    var layers = seq.layers();
    String[] found = {null};
    try (var g = GradMode.off()) {
      seq.forward(x, (layer, in, mask) -> {
        Tensor h = Sequential.Step.plain(layer, in, mask);
        if (found[0] == null && !allFinite(h))
          found[0] = "the first non-finite output is that of layers." + layers.indexOf(layer) + " " + layer + " (its input was finite)";
        return h;
      });
      return found[0] != null ? found[0] : "every layer's output is finite: the loss itself overflowed (check the targets and the loss)";
    } catch (RuntimeException e) {
      return found[0];
    } finally {
      state.forEach((k, v) -> System.arraycopy(saved.get(k), 0, v.storage(), 0, v.size()));
    }
  }

  static boolean allFinite(Tensor t) {
    Tensor c = t.contiguous();
    float[] d = c.data();
    for (int i = 0; i < c.size(); i++) if (!Float.isFinite(d[i])) return false;
    return true;
  }
}
