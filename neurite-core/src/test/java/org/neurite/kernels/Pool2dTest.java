package org.neurite.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Pool2d}: the parallel kernels (and their 2x2 stride-2 loops) against the serial scalar
 * references over many windows at 1 and 2 threads; hand-checked values for PyTorch's rules (ties,
 * NaN, padding never winning, count_include_pad); backward as the adjoint of forward.
 */
class Pool2dTest {
  private final int before = Parallel.threads();

  @AfterEach
  void restore() {
    Parallel.setThreads(before);
  }

  /** batch, channels, inH, inW, kH, kW, strideH, strideW, padH, padW. */
  private static final int[][] GEOMETRIES = {
    {64, 32, 26, 26, 2, 2, 2, 2, 0, 0},  // seed CNN pool 1 (2x2 stride 2)
    {3, 5, 11, 11, 2, 2, 2, 2, 0, 0},    // 2x2 stride 2, odd size: last row and column dropped
    {2, 3, 6, 70, 2, 2, 2, 2, 0, 0},     // 35 output columns: two full 16-lane groups and a partial one
    {1, 2, 4, 33, 2, 2, 2, 2, 0, 0},     // exactly 16 output columns
    {2, 3, 9, 7, 3, 3, 2, 2, 1, 1},      // 3x3 stride 2 padding 1 (ResNet stem)
    {2, 3, 8, 8, 3, 3, 1, 1, 1, 1},      // overlapping windows
    {1, 4, 7, 10, 2, 3, 3, 1, 1, 1},     // rectangular window, mixed stride
    {3, 2, 5, 5, 5, 5, 1, 1, 2, 2},      // window as large as the padded input
    {1, 1, 1, 1, 1, 1, 1, 1, 0, 0},      // identity
  };

  @Test
  void kernelsMatchTheScalarReferences() {
    SplittableRandom rnd = new SplittableRandom(3);
    for (int threads : new int[] {1, 2}) {
      Parallel.setThreads(threads);
      for (int[] q : GEOMETRIES) {
        PoolGeometry g = geometry(q);
        String at = "threads=" + threads + " " + g;
        int nx = g.batch() * g.channels() * g.inH() * g.inW();
        int ny = g.batch() * g.channels() * g.outH() * g.outW();
        float[] x = random(rnd, nx);
        // Repeated values force ties.
        for (int i = 0; i < nx; i += 3) x[i] = Math.round(x[i] * 2) / 2f;
        float[] y0 = new float[ny], y = random(rnd, ny);
        int[] a0 = new int[ny], a = new int[ny];
        Pool2d.maxForwardScalar(g, x, y0, a0);
        Pool2d.maxForward(g, x, y, a);
        assertArrayEquals(y0, y, "max y " + at);
        assertArrayEquals(a0, a, "argmax " + at);
        float[] dy = random(rnd, ny), dx0 = new float[nx], dx = random(rnd, nx);
        Pool2d.maxBackwardScalar(g, dy, a0, dx0);
        Pool2d.maxBackward(g, dy, a, dx);
        assertArrayEquals(dx0, dx, "max dx " + at);
        for (boolean include : new boolean[] {true, false}) {
          Pool2d.avgForwardScalar(g, include, x, y0);
          Pool2d.avgForward(g, include, x, y);
          assertArrayEquals(y0, y, "avg y include=" + include + " " + at);
          Pool2d.avgBackwardScalar(g, include, dy, dx0);
          Pool2d.avgBackward(g, include, dy, dx);
          assertArrayEquals(dx0, dx, "avg dx include=" + include + " " + at);
          // Adjoint: <avg(x), dy> == <x, avgBackward(dy)>.
          assertEquals(dot(y0, dy), dot(x, dx0), 1e-4 * (1 + Math.abs(dot(y0, dy))), "avg adjoint " + at);
        }
      }
    }
  }

  @Test
  void maxFollowsPyTorchsRules() {
    // 1 x 1 x 2 x 4, 2x2 windows stride 2: a tie (first in window order wins) and a NaN.
    PoolGeometry g = new PoolGeometry(1, 1, 2, 4, 2, 2, 2, 2, 0, 0);
    float[] x = {1, 3, 0, Float.NaN,
                 3, 2, 5, 9};
    float[] y = new float[2];
    int[] a = new int[2];
    Pool2d.maxForward(g, x, y, a);
    assertEquals(3f, y[0]);
    assertEquals(1, a[0]);
    assertEquals(Float.NaN, y[1]);
    assertEquals(3, a[1]);
    // Padding never wins, even over -inf and negative values; all -inf reports the first real cell.
    PoolGeometry p = new PoolGeometry(1, 1, 2, 2, 3, 3, 1, 1, 1, 1);
    float[] neg = {-5, -7, -9, -6};
    float[] yp = new float[4];
    int[] ap = new int[4];
    Pool2d.maxForward(p, neg, yp, ap);
    assertArrayEquals(new float[] {-5, -5, -5, -5}, yp);
    float[] inf = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
    Pool2d.maxForward(p, inf, yp, ap);
    assertArrayEquals(new int[] {0, 0, 0, 0}, ap);
    // Overlapping windows sharing an argmax add their gradients.
    float[] dx = new float[4];
    Pool2d.maxForward(p, neg, yp, ap);
    Pool2d.maxBackward(p, new float[] {1, 2, 3, 4}, ap, dx);
    assertArrayEquals(new float[] {10, 0, 0, 0}, dx);
  }

  @Test
  void averageCountsPaddingAsPyTorch() {
    // 1 x 1 x 2 x 2 of ones, 3x3 windows, padding 1, stride 1: every window holds all 4 ones.
    PoolGeometry g = new PoolGeometry(1, 1, 2, 2, 3, 3, 1, 1, 1, 1);
    float[] x = {1, 1, 1, 1}, y = new float[4];
    Pool2d.avgForward(g, true, x, y);
    assertArrayEquals(new float[] {4 / 9f, 4 / 9f, 4 / 9f, 4 / 9f}, y);
    Pool2d.avgForward(g, false, x, y);
    assertArrayEquals(new float[] {1, 1, 1, 1}, y);
    // 1x3 windows stride 2 on a row of 4 with padding 1: the first window holds one padded cell.
    PoolGeometry e = new PoolGeometry(1, 1, 1, 4, 1, 3, 1, 2, 0, 1);
    float[] ye = new float[2];
    Pool2d.avgForward(e, true, new float[] {3, 3, 3, 3}, ye);
    assertArrayEquals(new float[] {6 / 3f, 9 / 3f}, ye);
    Pool2d.avgForward(e, false, new float[] {3, 3, 3, 3}, ye);
    assertArrayEquals(new float[] {6 / 2f, 9 / 3f}, ye);
  }

  @Test
  void globalAverage() {
    Parallel.setThreads(2);
    float[] x = {1, 2, 3, 4, 10, 20, 30, 40}, y = new float[2];
    Pool2d.globalAvgForward(1, 2, 4, x, y);
    assertArrayEquals(new float[] {2.5f, 25f}, y);
    float[] dx = new float[8];
    Pool2d.globalAvgBackward(1, 2, 4, new float[] {4, 8}, dx);
    assertArrayEquals(new float[] {1, 1, 1, 1, 2, 2, 2, 2}, dx);
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
    return s;
  }

  private static PoolGeometry geometry(int[] q) {
    return new PoolGeometry(q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], q[8], q[9]);
  }

  private static float[] random(SplittableRandom rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextDouble() * 2 - 1);
    return a;
  }
}
