package org.neurite.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Gemm#gemm} against the scalar reference {@link Gemm#gemmScalar}: every transpose combination,
 * offsets, padded leading dimensions, accumulate on and off, 1 and 2 threads, and shapes that hit the
 * tiny path, ragged edge tiles, several k blocks and the in-place-A path. Not a speed test (see
 * GemmJmh in neurite-bench).
 */
class GemmTest {
  private static final int[] SIZES = {0, 1, 7, 15, 16, 17, 33};
  private final int before = Parallel.threads();

  @AfterEach
  void restore() {
    Parallel.setThreads(before);
  }

  @Test
  void smallShapesAllLayoutsMatchTheReference() {
    SplittableRandom rnd = new SplittableRandom(1);
    for (int threads : new int[] {1, 2}) {
      Parallel.setThreads(threads);
      for (int m : SIZES) {
        for (int n : SIZES) {
          for (int k : SIZES) {
            for (int layout = 0; layout < 4; layout++) {
              check(layout, m, n, k, (m + n + k + layout) % 2 == 0, rnd);
            }
          }
        }
      }
    }
  }

  @Test
  void largeAndOddShapesMatchTheReference() {
    SplittableRandom rnd = new SplittableRandom(2);
    int[][] shapes = {
      {300, 1100, 517},  // several k blocks, ragged strips in both directions, column split
      {1030, 70, 270},   // row split, two k blocks
      {64, 121, 288},    // conv forward: in-place A
      {32, 676, 9},      // conv forward, first layer
      {288, 121, 64},    // conv backward shapes
      {129, 33, 1025},   // deep k, narrow n
      {2, 2100, 3},      // wider than one packed B block
    };
    for (int threads : new int[] {1, 2}) {
      Parallel.setThreads(threads);
      for (int[] s : shapes) {
        for (int layout = 0; layout < 4; layout++) {
          check(layout, s[0], s[1], s[2], false, rnd);
          check(layout, s[0], s[1], s[2], true, rnd);
        }
      }
    }
  }

  @Test
  void zeroDepthClearsOrKeepsC() {
    float[] c = {1, 2, 3, 4, 5, 6, 7};
    Gemm.gemm(false, false, 2, 2, 0, new float[0], 0, 1, new float[0], 0, 2, true, c, 1, 3);
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7}, c);
    Gemm.gemm(false, false, 2, 2, 0, new float[0], 0, 1, new float[0], 0, 2, false, c, 1, 3);
    assertArrayEquals(new float[] {1, 0, 0, 4, 0, 0, 7}, c);
  }

  @Test
  void emptyOutputTouchesNothing() {
    float[] c = {9, 9};
    Gemm.gemm(true, true, 0, 5, 5, new float[25], 0, 0, new float[25], 0, 5, false, c, 0, 5);
    Gemm.gemm(false, false, 5, 0, 5, new float[25], 0, 5, new float[25], 0, 0, false, c, 0, 0);
    assertArrayEquals(new float[] {9, 9}, c);
  }

  @Test
  void callsFromInsideAParallelRegionRunSeriallyAndCorrectly() {
    Parallel.setThreads(2);
    SplittableRandom rnd = new SplittableRandom(3);
    int m = 64, n = 121, k = 288, images = 4;
    float[] a = random(m * k, rnd), b = random(images * k * n, rnd);
    float[] want = new float[images * m * n], got = new float[images * m * n];
    for (int i = 0; i < images; i++) {
      Gemm.gemmScalar(false, false, m, n, k, a, 0, k, b, i * k * n, n, false, want, i * m * n, n);
    }
    Parallel.forRange(images, 1, (from, to) -> {
      for (int i = from; i < to; i++) {
        Gemm.gemm(false, false, m, n, k, a, 0, k, b, i * k * n, n, false, got, i * m * n, n);
      }
    });
    assertClose(want, got, k, "per-image calls");
  }

  /**
   * One comparison. Layout bits: 1 = transA, 2 = transB. Leading dimensions exceed the widths and
   * operands start at offsets, so reading or writing outside the described matrices shows up.
   */
  private static void check(int layout, int m, int n, int k, boolean accumulate, SplittableRandom rnd) {
    boolean transA = (layout & 1) != 0, transB = (layout & 2) != 0;
    int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 2, ldc = n + 5;
    int aOff = 7, bOff = 5, cOff = 9;
    float[] a = random(aOff + (transA ? k : m) * lda, rnd);
    float[] b = random(bOff + (transB ? n : k) * ldb, rnd);
    float[] want = random(cOff + m * ldc + 4, rnd);
    float[] got = want.clone();
    Gemm.gemmScalar(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, accumulate, want, cOff, ldc);
    Gemm.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, accumulate, got, cOff, ldc);
    String what = String.format("transA=%b transB=%b m=%d n=%d k=%d accumulate=%b threads=%d",
        transA, transB, m, n, k, accumulate, Parallel.threads());
    assertClose(want, got, k, what);
  }

  private static void assertClose(float[] want, float[] got, int k, String what) {
    assertEquals(want.length, got.length);
    // Summation order differs (blocked, fused multiply-add); inputs in [-1, 1) bound the error.
    float tol = 1e-5f * (k + 1);
    for (int i = 0; i < want.length; i++) {
      if (!(Math.abs(want[i] - got[i]) <= tol)) {
        fail(what + ": element " + i + " is " + got[i] + ", reference " + want[i]);
      }
    }
  }

  private static float[] random(int size, SplittableRandom rnd) {
    float[] x = new float[size];
    for (int i = 0; i < size; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
    return x;
  }
}
