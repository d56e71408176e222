package org.neurite.kernels;

/**
 * Batch normalisation over axis 1 of {@code [N, C, S]} (S the product of the trailing axes, 1 for
 * {@code [N, C]}), channel by channel across threads: each channel's {@code N * S} values are read
 * in N runs of S. Statistics accumulate in double, so a channel of a million values keeps its
 * variance exact to float precision.
 *
 * <p>Thread-safe: static methods with no shared mutable state; concurrent calls must write to disjoint
 * output arrays.
 */
public final class BatchNormKernels {
  private BatchNormKernels() {}

  /**
   * Training: per channel, mean and biased variance of the batch into {@code mean} and {@code var},
   * {@code rstd = 1 / sqrt(var + eps)}, and {@code y = (x - mean) * rstd * w + b} (w, b may be null).
   */
  public static void forwardTrain(float[] x, float[] w, float[] b, float[] y, int n, int c, int s, float eps, double[] mean,
                                  float[] var, float[] rstd) {
    Parallel.forRange(c, 1, (from, to) -> {
      for (int ch = from; ch < to; ch++) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
          int at = (i * c + ch) * s;
          for (int k = 0; k < s; k++) sum += x[at + k];
        }
        long count = (long) n * s;
        double mu = sum / count, sq = 0;
        for (int i = 0; i < n; i++) {
          int at = (i * c + ch) * s;
          for (int k = 0; k < s; k++) {
            double d = x[at + k] - mu;
            sq += d * d;
          }
        }
        double v = sq / count;
        mean[ch] = mu;
        var[ch] = (float) v;
        double is = 1 / Math.sqrt(v + eps);
        rstd[ch] = (float) is;
        // In double, from the double mean: with a mean far from zero, x * scale + (b - mean * scale) in
        // float loses the digits of the normalised output (PyTorch's CPU kernel works in double too).
        double scale = is * (w == null ? 1f : w[ch]), shift = (b == null ? 0f : b[ch]) - mu * scale;
        for (int i = 0; i < n; i++) {
          int at = (i * c + ch) * s;
          for (int k = 0; k < s; k++) y[at + k] = (float) (x[at + k] * scale + shift);
        }
      }
    });
  }

  /** Evaluation: {@code y = (x - mean) / sqrt(var + eps) * w + b} from the given (running) statistics. */
  public static void forwardEval(float[] x, float[] w, float[] b, float[] y, int n, int c, int s, float eps, double[] mean,
                                 float[] var) {
    Parallel.forRange(c, Math.max(1, 4096 / Math.max(1, n * s)), (from, to) -> {
      for (int ch = from; ch < to; ch++) {
        float r = (float) (1 / Math.sqrt((double) var[ch] + eps)), scale = r * (w == null ? 1f : w[ch]);
        affine(x, y, n, c, s, ch, scale, (b == null ? 0f : b[ch]) - (float) mean[ch] * scale);
      }
    });
  }

  private static void affine(float[] x, float[] y, int n, int c, int s, int ch, float scale, float shift) {
    for (int i = 0; i < n; i++) {
      int at = (i * c + ch) * s;
      for (int k = 0; k < s; k++) y[at + k] = x[at + k] * scale + shift;
    }
  }

  /**
   * The backward of {@link #forwardTrain}: with {@code xhat = (x - mean) * rstd} and
   * {@code g = dy * w}, {@code dx = rstd * (g - mean(g) - xhat * mean(g * xhat))},
   * {@code dw = sum(dy * xhat)}, {@code db = sum(dy)}, sums and means over the channel's N * S
   * values. Any of dx, dw, db may be null. With {@code batchStats} false it is the backward of
   * {@link #forwardEval} (the statistics are constants): {@code dx = dy * w * rstd}.
   */
  public static void backward(float[] x, float[] w, double[] mean, float[] rstd, float[] dy, float[] dx, float[] dw, float[] db,
                              int n, int c, int s, boolean batchStats) {
    Parallel.forRange(c, 1, (from, to) -> {
      for (int ch = from; ch < to; ch++) {
        double sumDy = 0, sumDyXhat = 0;
        double mu = mean[ch];
        float r = rstd[ch];
        for (int i = 0; i < n; i++) {
          int at = (i * c + ch) * s;
          for (int k = 0; k < s; k++) {
            float g = dy[at + k];
            sumDy += g;
            sumDyXhat += g * ((double) x[at + k] - mu);
          }
        }
        sumDyXhat *= r;
        if (dw != null) dw[ch] = (float) sumDyXhat;
        if (db != null) db[ch] = (float) sumDy;
        if (dx == null) continue;
        float wc = w == null ? 1f : w[ch];
        long count = (long) n * s;
        // In double: dy - mean(dy) - xhat * mean(dy xhat) cancels heavily when a channel's gradient is
        // nearly explained by its mean and its correlation with xhat, which deep stacks of BatchNorm hit.
        double k1 = (double) wc * r, meanDy = batchStats ? sumDy / count : 0, meanDyXhat = batchStats ? sumDyXhat / count : 0;
        for (int i = 0; i < n; i++) {
          int at = (i * c + ch) * s;
          for (int k = 0; k < s; k++) {
            double xhat = ((double) x[at + k] - mu) * r;
            dx[at + k] = (float) (k1 * (dy[at + k] - meanDy - xhat * meanDyXhat));
          }
        }
      }
    });
  }
}
