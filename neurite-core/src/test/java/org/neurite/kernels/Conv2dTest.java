package org.neurite.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Conv2d}'s fast paths against its scalar references over many geometries (pointwise, 3x3,
 * 5x5, strides, padding, dilation, groups, depthwise, odd sizes, batches that do and do not split
 * evenly into chunks) at 1 and 2 threads; and the scalar backward against finite differences of the
 * scalar forward. Not a speed test.
 */
class Conv2dTest {
  private final int before = Parallel.threads();

  @AfterEach
  void restore() {
    Parallel.setThreads(before);
  }

  /** batch, inC, inH, inW, outC, kH, kW, strideH, strideW, padH, padW, dilH, dilW, groups. */
  private static final int[][] GEOMETRIES = {
    {1, 1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 1, 1, 1},   // first layer, one image
    {3, 1, 12, 10, 8, 3, 3, 1, 1, 0, 0, 1, 1, 1},    // first layer, small-Kg backward over several images
    {3, 2, 5, 5, 6, 3, 3, 1, 1, 0, 0, 1, 1, 1},      // small-Kg backward with 9 pixels per image: shorter than a vector
    {2, 3, 9, 37, 5, 3, 3, 1, 1, 0, 0, 1, 1, 1},     // RGB first layer, direct forward: 35 columns = 2 vectors + a partial one
    {3, 3, 9, 9, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1},      // RGB stem, stride 2, padding 1
    {3, 4, 7, 9, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1},      // odd sizes, same padding
    {3, 4, 9, 8, 6, 5, 5, 2, 2, 2, 2, 1, 1, 2},      // 5x5, stride 2, padding 2, groups 2
    {2, 6, 8, 8, 6, 3, 3, 1, 1, 2, 1, 2, 2, 6},      // depthwise, dilation 2, uneven padding
    {3, 8, 5, 5, 4, 1, 1, 1, 1, 0, 0, 1, 1, 1},      // pointwise: no im2col
    {3, 8, 6, 5, 4, 1, 1, 1, 1, 0, 0, 1, 1, 2},      // pointwise, groups 2
    {5, 3, 6, 6, 4, 1, 1, 2, 2, 0, 0, 1, 1, 1},      // 1x1 stride 2: im2col
    {3, 4, 11, 7, 8, 3, 2, 2, 1, 1, 0, 1, 1, 2},     // rectangular kernel, mixed stride
    {3, 2, 6, 7, 4, 3, 3, 3, 2, 2, 2, 1, 2, 1},      // stride 3, dilation only in W
    {7, 32, 13, 13, 64, 3, 3, 1, 1, 0, 0, 1, 1, 1},  // seed CNN conv2 shape, 7 images (ragged chunks)
    {9, 64, 5, 5, 128, 3, 3, 1, 1, 0, 0, 1, 1, 1},   // seed CNN conv3 shape
    {1, 4, 4, 4, 2, 3, 3, 1, 1, 2, 2, 1, 1, 1},      // more padding than input margin
    {2, 4, 1, 1, 3, 1, 5, 1, 1, 0, 2, 1, 1, 1},      // 1-D, padding 2 around a single column (some taps see no input)
    {1, 2, 2, 1, 3, 5, 5, 1, 1, 2, 2, 1, 1, 1},      // 5x5 over a 2x1 image padded by 2: taps entirely outside
    {1, 4, 1, 1, 3, 1, 5, 1, 1, 0, 2, 1, 1, 1},      // the same 1-D case, one image
    {1, 2, 1, 2, 3, 1, 7, 1, 2, 0, 3, 1, 1, 1},      // stride 2 in W, padding 3 around 2 columns
    {2, 2, 7, 11, 7, 5, 5, 1, 1, 2, 2, 1, 1, 1},     // thin direct forward: 5x5, padding 2, 7 channels (a partial block of 4)
    {2, 1, 6, 9, 3, 2, 4, 1, 1, 1, 0, 1, 1, 1},      // thin direct forward: rectangular kernel, padding only in H
    {2, 3, 10, 10, 6, 3, 3, 1, 1, 0, 0, 1, 1, 1},    // thin direct forward: rows exactly one vector (8) wide
    {2, 2, 7, 8, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1},      // thin, same padding, 8 columns by 7 rows: an odd count of positions
    {2, 1, 6, 6, 5, 3, 3, 1, 1, 0, 0, 1, 1, 1},      // thin but narrower than a vector: the im2col path
    // One image per chunk with a horizontal stride of 2: im2col from split even/odd columns.
    {1, 3, 40, 41, 8, 7, 7, 2, 2, 3, 3, 1, 1, 1},    // ResNet's 7x7/2 stem, odd width
    {2, 3, 64, 64, 4, 7, 7, 2, 2, 3, 3, 1, 1, 1},    // the stem, 2 images of 1,024 outputs
    {1, 4, 33, 34, 6, 3, 3, 2, 2, 1, 1, 1, 1, 2},    // 3x3/2, groups 2
    {1, 8, 20, 21, 4, 1, 1, 2, 2, 0, 0, 1, 1, 1},    // 1x1/2 downsample
    {1, 3, 35, 36, 5, 4, 4, 1, 2, 0, 2, 1, 1, 1},    // even kernel, stride 2 only in W, padding only in W
    // Depthwise, computed directly when the output rows are at least a vector wide.
    {2, 6, 20, 37, 6, 3, 3, 1, 1, 1, 1, 1, 1, 6},    // 3x3/1, same padding, 37 columns
    {2, 5, 21, 40, 5, 3, 3, 2, 2, 1, 1, 1, 1, 5},    // 3x3/2 (MobileNet), 20 columns
    {1, 4, 9, 35, 4, 5, 5, 2, 2, 2, 2, 1, 1, 4},     // 5x5/2, 18 columns
    {1, 3, 12, 34, 3, 3, 3, 2, 1, 1, 1, 1, 1, 3},    // stride 2 only in H
    {1, 3, 11, 33, 3, 2, 3, 1, 2, 0, 1, 1, 1, 3},    // rectangular kernel, stride 2 only in W, odd padded width
    // A vector of images at a time (LaneConv): at least V images per thread (V = 16 with AVX-512, 8 with
    // AVX2; the two smaller batches take this path on one thread only) with 64 to 1,024 output pixels each.
    {35, 32, 13, 13, 64, 3, 3, 1, 1, 0, 0, 1, 1, 1}, // seed CNN conv2: whole vectors of images, then a ragged rest
    {17, 5, 9, 9, 13, 3, 3, 1, 1, 1, 1, 1, 1, 1},    // same padding, 13 channels (a partial tile), 81 pixels (odd)
    {16, 6, 17, 10, 10, 3, 2, 2, 1, 1, 0, 2, 1, 1},  // stride and dilation 2 in H only, rectangular kernel, 8x9 out
  };

  @Test
  void forwardAndBackwardMatchTheScalarReference() {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int threads : new int[] {1, 2}) {
      Parallel.setThreads(threads);
      for (int[] q : GEOMETRIES) {
        ConvGeometry g = geometry(q);
        String at = "threads=" + threads + " " + g;
        float[] x = random(rnd, g.batch() * g.inC() * g.inH() * g.inW());
        float[] w = random(rnd, g.outC() * g.groupInC() * g.kH() * g.kW());
        float[] b = random(rnd, g.outC());
        int ny = g.batch() * g.outC() * g.outH() * g.outW();
        float[] want = new float[ny];
        Conv2d.forwardScalar(g, x, w, b, want);
        float[] got = random(rnd, ny); // garbage: forward must overwrite
        Conv2d.forward(g, x, w, b, got);
        assertClose(want, got, "y " + at);
        float[] rectified = random(rnd, ny);
        Conv2d.forward(g, x, w, b, rectified, true);
        for (int i = 0; i < ny; i++) want[i] = Math.max(want[i], 0f);
        assertClose(want, rectified, "relu(y) " + at);
        Conv2d.forwardScalar(g, x, w, null, want);
        Conv2d.forward(g, x, w, null, got);
        assertClose(want, got, "y without bias " + at);

        float[] dy = random(rnd, ny);
        float[] dx0 = new float[x.length], dw0 = new float[w.length], db0 = new float[g.outC()];
        Conv2d.backwardScalar(g, x, w, dy, dx0, dw0, db0);
        float[] dx = random(rnd, x.length), dw = random(rnd, w.length), db = random(rnd, g.outC());
        Conv2d.backward(g, x, w, dy, dx, dw, db);
        assertClose(dx0, dx, "dx " + at);
        assertClose(dw0, dw, "dw " + at);
        assertClose(db0, db, "dbias " + at);
        // Each result on its own, the others skipped.
        float[] dwOnly = random(rnd, w.length);
        Conv2d.backward(g, x, w, dy, null, dwOnly, null);
        assertClose(dw0, dwOnly, "dw alone " + at);
        float[] dxOnly = random(rnd, x.length);
        Conv2d.backward(g, x, w, dy, dxOnly, null, null);
        assertClose(dx0, dxOnly, "dx alone " + at);
      }
    }
  }

  @Test
  void resultsAreDeterministicForAThreadCount() {
    SplittableRandom rnd = new SplittableRandom(8);
    ConvGeometry g = geometry(new int[] {7, 32, 13, 13, 64, 3, 3, 1, 1, 0, 0, 1, 1, 1});
    float[] x = random(rnd, g.batch() * g.inC() * g.inH() * g.inW());
    float[] w = random(rnd, g.outC() * g.groupInC() * 9);
    float[] dy = random(rnd, g.batch() * g.outC() * g.outH() * g.outW());
    Parallel.setThreads(2);
    float[] dw1 = new float[w.length], dw2 = new float[w.length];
    Conv2d.backward(g, x, w, dy, null, dw1, null);
    Conv2d.backward(g, x, w, dy, null, dw2, null);
    for (int i = 0; i < dw1.length; i++) assertEquals(dw1[i], dw2[i], 0f, "dw[" + i + "]");
  }

  @Test
  void emptyBatchZeroesTheWeightGradients() {
    ConvGeometry g = geometry(new int[] {0, 2, 5, 5, 3, 3, 3, 1, 1, 0, 0, 1, 1, 1});
    float[] w = new float[3 * 2 * 9], dw = new float[w.length];
    java.util.Arrays.fill(dw, 5f);
    float[] db = {1, 2, 3};
    Conv2d.forward(g, new float[0], w, db, new float[0]);
    Conv2d.backward(g, new float[0], w, new float[0], new float[0], dw, db);
    for (float v : dw) assertEquals(0f, v);
    for (float v : db) assertEquals(0f, v);
  }

  @Test
  void shortArraysAreRejected() {
    ConvGeometry g = geometry(new int[] {2, 3, 5, 5, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1});
    float[] w = new float[4 * 3 * 9];
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Conv2d.forward(g, new float[2 * 3 * 25 - 1], w, null, new float[2 * 4 * 9]));
    if (!e.getMessage().contains("x has")) fail("message names the array: " + e.getMessage());
  }

  /** The scalar backward against central differences of the scalar forward (double accumulation). */
  @Test
  void scalarBackwardMatchesFiniteDifferences() {
    SplittableRandom rnd = new SplittableRandom(9);
    int[][] geometries = {
      {2, 4, 6, 5, 4, 3, 3, 2, 1, 1, 2, 1, 2, 2},
      {2, 3, 5, 5, 3, 3, 3, 1, 1, 1, 1, 2, 2, 3},
      {1, 2, 4, 4, 3, 1, 1, 1, 1, 0, 0, 1, 1, 1},
    };
    for (int[] q : geometries) {
      ConvGeometry g = geometry(q);
      float[] x = random(rnd, g.batch() * g.inC() * g.inH() * g.inW());
      float[] w = random(rnd, g.outC() * g.groupInC() * g.kH() * g.kW());
      float[] b = random(rnd, g.outC());
      float[] up = random(rnd, g.batch() * g.outC() * g.outH() * g.outW()); // random upstream gradient
      float[] dx = new float[x.length], dw = new float[w.length], db = new float[b.length];
      Conv2d.backwardScalar(g, x, w, up, dx, dw, db);
      checkGradient(g, x, w, b, up, x, dx, "dx " + g);
      checkGradient(g, x, w, b, up, w, dw, "dw " + g);
      checkGradient(g, x, w, b, up, b, db, "dbias " + g);
    }
  }

  /** d(sum(up * conv(x, w, b))) / d(param[i]) by central differences, against grad[i]. */
  private static void checkGradient(ConvGeometry g, float[] x, float[] w, float[] b, float[] up, float[] param,
                                    float[] grad, String what) {
    float eps = 1e-2f;
    for (int i = 0; i < param.length; i++) {
      float keep = param[i];
      param[i] = keep + eps;
      double plus = loss(g, x, w, b, up);
      param[i] = keep - eps;
      double minus = loss(g, x, w, b, up);
      param[i] = keep;
      // Divide by the step actually taken: keep +- eps rounds to float.
      double fd = (plus - minus) / ((double) (keep + eps) - (double) (keep - eps));
      assertEquals(fd, grad[i], 2e-3 * Math.max(1, Math.abs(fd)), what + " [" + i + "]");
    }
  }

  private static double loss(ConvGeometry g, float[] x, float[] w, float[] b, float[] up) {
    float[] y = new float[up.length];
    Conv2d.forwardScalar(g, x, w, b, y);
    double s = 0;
    for (int i = 0; i < y.length; i++) s += (double) up[i] * y[i];
    return s;
  }

  private static ConvGeometry geometry(int[] q) {
    return new ConvGeometry(q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], q[8], q[9], q[10], q[11], q[12], q[13]);
  }

  private static float[] random(SplittableRandom rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextDouble() * 2 - 1);
    return a;
  }

  /** Elementwise |a - b| <= 1e-5 + 1e-4 * (largest |want|): float sums in another order. */
  private static void assertClose(float[] want, float[] got, String what) {
    float scale = 0;
    for (float v : want) scale = Math.max(scale, Math.abs(v));
    float tol = 1e-5f + 1e-4f * scale;
    for (int i = 0; i < want.length; i++)
      if (!(Math.abs(want[i] - got[i]) <= tol))
        fail(what + ": element " + i + " is " + got[i] + ", want " + want[i] + " (tolerance " + tol + ")");
  }
}
