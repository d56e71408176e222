package org.neurite.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.neurite.tensor.Rng;

/** The Winograd F(2x2, 3x3) kernel against the direct formula: odd and even sizes, vector tails, paddings, clamps. */
class WinogradTest {
  @ParameterizedTest(name = "n={0} c={1} h={2} w={3} o={4} pad={5}")
  @CsvSource({"1, 16, 5, 5, 16, 1", "2, 17, 7, 9, 19, 1", "3, 16, 14, 14, 32, 1", "1, 20, 8, 23, 16, 0", "2, 16, 3, 3, 16, 2",
      "8, 32, 7, 7, 24, 1", "1, 64, 28, 28, 64, 1", "2, 16, 1, 6, 16, 1"})
  void matchesTheDirectFormula(int n, int c, int h, int w, int o, int pad) {
    Rng r = new Rng(n * 131 + c * 7 + h + w * 3 + o + pad);
    float[] x = rand(r, n * c * h * w), wt = rand(r, o * c * 9), bias = rand(r, o);
    int oh = h + 2 * pad - 2, ow = w + 2 * pad - 2;
    float[] want = new float[n * o * oh * ow], got = new float[want.length];
    Conv2d.forwardScalar(new ConvGeometry(n, c, h, w, o, 3, 3, 1, 1, pad, pad, 1, 1, 1), x, wt, bias, want);
    for (int threads : new int[] {1, 2}) {
      int before = Parallel.threads();
      Parallel.setThreads(threads);
      try {
        Winograd.forward(x, n, c, h, w, Winograd.transformWeights(wt, o, c), o, bias, pad, pad, Float.NEGATIVE_INFINITY,
            Float.POSITIVE_INFINITY, got);
      } finally {
        Parallel.setThreads(before);
      }
      double scale = 0, err = 0;
      for (int i = 0; i < want.length; i++) {
        scale = Math.max(scale, Math.abs(want[i]));
        err = Math.max(err, Math.abs(want[i] - got[i]));
      }
      if (!(err <= 2e-6 * scale * Math.sqrt(c)))
        throw new AssertionError(String.format(Locale.ROOT, "threads %d: max error %.3g for outputs up to %.3g", threads, err, scale));
    }
    // ReLU6 in the output transform
    Winograd.forward(x, n, c, h, w, Winograd.transformWeights(wt, o, c), o, bias, pad, pad, 0f, 6f, got);
    for (int i = 0; i < want.length; i++) assertEquals(Math.min(6f, Math.max(0f, want[i])), got[i], 1e-4 * (1 + Math.abs(want[i])));
  }

  private static float[] rand(Rng r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
    return a;
  }
}
