package org.neurite.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.tensor.Rng;

/**
 * Pointwise kernels (SIMD, or their scalar twins without the Vector API) against plain double-precision
 * loops, over sizes around the vector length.
 */
class PointwiseTest {
  static int[] sizes() {
    int l = Simd.FLOAT_LANES;
    return new int[] {0, 1, 7, l - 1, l, l + 1, 2 * l + 3, 1001};
  }

  private static float[] random(int n, long seed, float lo, float hi) {
    Rng r = new Rng(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * r.nextFloat();
    return v;
  }

  private static void close(double expected, float actual, double rel, String what) {
    assertEquals(expected, actual, 1e-6 + rel * Math.abs(expected), what);
  }

  @ParameterizedTest
  @MethodSource("sizes")
  void binaryMatchesScalarForEveryOpAndStridePattern(int n) {
    float[] a = random(n + 3, 1, -2, 2), b = random(n + 3, 2, 0.5f, 2);
    for (int op = Pointwise.ADD; op <= Pointwise.POW; op++) {
      for (int as = 0; as <= 1; as++) {
        for (int bs = 0; bs <= 1; bs++) {
          float[] c = new float[n + 2];
          float[] pa = op == Pointwise.POW ? b : a;   // pow needs positive bases
          Pointwise.binary(op, pa, 1, as, b, 2, bs, c, 1, n);
          for (int i = 0; i < n; i++) {
            float x = pa[1 + i * as], y = b[2 + i * bs];
            double e = switch (op) {
              case Pointwise.ADD -> x + y;
              case Pointwise.SUB -> x - y;
              case Pointwise.MUL -> (double) x * y;
              case Pointwise.DIV -> (double) x / y;
              case Pointwise.MAX -> Math.max(x, y);
              case Pointwise.MIN -> Math.min(x, y);
              default -> Math.pow(x, y);
            };
            close(e, c[1 + i], 1e-6, "op " + op + " strides " + as + "," + bs + " at " + i);
          }
          assertEquals(0f, c[0], "wrote before the output offset");
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("sizes")
  void transcendentalsMatchMath(int n) {
    float[] x = random(n, 3, -8, 8), y = new float[n];
    Pointwise.exp(x, y, n);
    for (int i = 0; i < n; i++) close(Math.exp(x[i]), y[i], 2e-6, "exp");
    Pointwise.tanh(x, y, n);
    for (int i = 0; i < n; i++) close(Math.tanh(x[i]), y[i], 2e-6, "tanh");
    Pointwise.sigmoid(x, y, n);
    for (int i = 0; i < n; i++) close(1 / (1 + Math.exp(-x[i])), y[i], 2e-6, "sigmoid");
    float[] pos = random(n, 4, 1e-3f, 50);
    Pointwise.log(pos, y, n);
    for (int i = 0; i < n; i++) close(Math.log(pos[i]), y[i], 2e-6, "log");
    Pointwise.relu(x, y, n);
    for (int i = 0; i < n; i++) assertEquals(Math.max(x[i], 0f), y[i]);
  }

  @ParameterizedTest
  @MethodSource("sizes")
  void reductionsAndSoftmaxRows(int n) {
    float[] x = random(n + 1, 5, -30, 30);
    double s = 0, d = 0, m = Double.NEGATIVE_INFINITY;
    for (int i = 1; i <= n; i++) {
      s += x[i];
      d += (double) x[i] * x[i];
      m = Math.max(m, x[i]);
    }
    close(s, Pointwise.sum(x, 1, n), 1e-5, "sum");
    close(d, Pointwise.dot(x, 1, x, 1, n), 1e-5, "dot");
    if (n == 0) return;
    assertEquals((float) m, Pointwise.max(x, 1, n));
    float[] y = new float[n], ly = new float[n];
    Pointwise.softmaxRow(x, 1, y, 0, n);
    Pointwise.logSoftmaxRow(x, 1, ly, 0, n);
    double z = 0;
    for (int i = 1; i <= n; i++) z += Math.exp(x[i] - m);
    for (int i = 0; i < n; i++) {
      close(Math.exp(x[i + 1] - m) / z, y[i], 1e-5, "softmax");
      assertEquals(x[i + 1] - m - Math.log(z), ly[i], 1e-4, "log_softmax");
    }
  }

  @Test
  void maxPropagatesNaN() {
    float[] x = new float[40];
    x[17] = Float.NaN;
    assertEquals(Float.NaN, Pointwise.max(x, 0, 40));
  }

  @Test
  void axpyAddsScaledRun() {
    float[] x = random(37, 6, -1, 1), y = random(37, 7, -1, 1), y0 = y.clone();
    Pointwise.axpy(37, 0.5f, x, 0, y, 0);
    for (int i = 0; i < 37; i++) assertEquals(y0[i] + 0.5f * x[i], y[i], 1e-6);
  }

  @Test
  void clampBoundsARunAndKeepsNaN() {
    // 53 elements from offset 3: whole vectors and a scalar tail at any vector width up to 16
    float[] x = random(60, 8, -10, 10), y = new float[60];
    x[20] = Float.NaN;
    x[57] = Float.NaN;   // in the tail
    Pointwise.clamp(x, 3, y, 2, 53, 0f, 6f);
    for (int i = 0; i < 53; i++) {
      float v = x[3 + i], want = Float.isNaN(v) ? Float.NaN : Math.min(6f, Math.max(0f, v));
      assertEquals(want, y[2 + i], 0f, "element " + i);
    }
    assertEquals(0f, y[0]);
    assertEquals(0f, y[55]);
  }
}
