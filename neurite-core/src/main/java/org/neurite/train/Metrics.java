package org.neurite.train;

import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * Classification metrics: accuracy, top-k accuracy and the confusion matrix.
 *
 * <p>Thread-safe: static factories; each call returns a new metric, which is not thread-safe.
 */
public final class Metrics {
  private Metrics() {}

  /**
   * Accuracy: for {@code [N, C]} outputs with class-index targets, argmax equals the label; for
   * {@code [N, 1]} or {@code [N]} outputs (binary), output > 0.5 equals the target.
   *
   * @return a new metric
   */
  public static Metric accuracy() {
    return new Counting("accuracy") {
      @Override
      int correct(float[] out, int n, int c, float[] target) {
        int ok = 0;
        for (int i = 0; i < n; i++) {
          if (c == 1) {
            if ((out[i] > 0.5f ? 1f : 0f) == target[i]) ok++;
          } else if (argmax(out, i * c, c) == target[i]) {
            ok++;
          }
        }
        return ok;
      }
    };
  }

  /**
   * The label is among the k highest outputs.
   *
   * @param k how many of the highest outputs count, {@code >= 1}
   * @return a new metric
   */
  public static Metric topK(int k) {
    if (k < 1) throw new IllegalArgumentException("topK: k (" + k + ") must be >= 1");
    return new Counting("top_" + k + "_accuracy") {
      @Override
      int correct(float[] out, int n, int c, float[] target) {
        int ok = 0;
        for (int i = 0; i < n; i++) {
          float v = out[i * c + (int) target[i]];
          int above = 0;
          for (int j = 0; j < c; j++) if (out[i * c + j] > v) above++;
          if (above < k) ok++;
        }
        return ok;
      }
    };
  }

  /**
   * The metric of that name, as written in config.json and on the command line.
   *
   * @param name {@code "accuracy"} (or {@code "acc"}) or {@code "top_K_accuracy"}
   * @return a new metric
   * @throws IllegalArgumentException if the name is unknown
   */
  public static Metric byName(String name) {
    if (name.equals("accuracy") || name.equals("acc")) return accuracy();
    if (name.matches("top_\\d+_accuracy")) return topK(Integer.parseInt(name.replaceAll("\\D", "")));
    throw new IllegalArgumentException("unknown metric \"" + name + "\"; known: accuracy, top_K_accuracy (e.g. top_5_accuracy)");
  }

  /**
   * {@code m[true][predicted]} counts for argmax predictions of {@code [N, C]} outputs.
   *
   * @param output the model outputs {@code [N, C]}
   * @param target the class indices {@code [N]}
   * @param classes the number of classes
   * @return the counts, {@code [classes][classes]}
   */
  public static long[][] confusionMatrix(Tensor output, Tensor target, int classes) {
    long[][] m = new long[classes][classes];
    float[] out = output.data(), t = target.data();
    int n = output.shape(0), c = output.shape(1);
    for (int i = 0; i < n; i++) m[(int) t[i]][argmax(out, i * c, c)]++;
    return m;
  }

  static int argmax(float[] v, int off, int n) {
    int best = 0;
    for (int j = 1; j < n; j++) if (v[off + j] > v[off + best]) best = j;
    return best;
  }

  private abstract static class Counting implements Metric {
    private final String name;
    private long correct, total;

    Counting(String name) {
      this.name = name;
    }

    abstract int correct(float[] out, int n, int c, float[] target);

    @Override
    public String name() {
      return name;
    }

    @Override
    public void update(Tensor output, Tensor target) {
      int n = output.shape(0);
      int c = output.rank() == 1 ? 1 : output.size() / n;
      if (target.size() != n)
        throw new IllegalArgumentException(name + ": expected " + n + " targets for outputs " + Shape.str(output.shape())
            + ", got " + Shape.str(target.shape()));
      correct += correct(output.data(), n, c, target.data());
      total += n;
    }

    @Override
    public double result() {
      return total == 0 ? 0 : (double) correct / total;
    }

    @Override
    public void reset() {
      correct = total = 0;
    }
  }
}
