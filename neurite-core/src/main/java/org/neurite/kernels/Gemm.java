package org.neurite.kernels;

/**
 * Single-precision matrix multiply on row-major arrays: {@code C = op(A) * op(B)} or {@code C += ...}.
 * {@code op(A)} is {@code [m, k]} and {@code op(B)} is {@code [k, n]}; with {@code transA} the array
 * holds A as {@code [k, m]} (leading dimension {@code lda}), with {@code transB} B as {@code [n, k]}.
 *
 * <p>Multi-threaded through {@link Parallel} unless called from inside a parallel region, where it
 * runs serially on the caller (conv kernels call it per image from their own parallel loop).
 */
public final class Gemm {
  private Gemm() {}

  /**
   * C[m, n] (+)= op(A)[m, k] * op(B)[k, n].
   *
   * @param accumulate add into C instead of overwriting it
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                          float[] a, int aOff, int lda,
                          float[] b, int bOff, int ldb,
                          boolean accumulate, float[] c, int cOff, int ldc) {
    gemmScalar(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, accumulate, c, cOff, ldc);
  }

  /** The reference: a plain triple loop, the oracle for tests and the fallback for tiny shapes. */
  public static void gemmScalar(boolean transA, boolean transB, int m, int n, int k,
                                float[] a, int aOff, int lda,
                                float[] b, int bOff, int ldb,
                                boolean accumulate, float[] c, int cOff, int ldc) {
    for (int i = 0; i < m; i++) {
      int ci = cOff + i * ldc;
      if (!accumulate) java.util.Arrays.fill(c, ci, ci + n, 0f);
      for (int p = 0; p < k; p++) {
        float aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
        if (aip == 0f) continue;
        if (!transB) {
          int bp = bOff + p * ldb;
          for (int j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
        } else {
          for (int j = 0; j < n; j++) c[ci + j] += aip * b[bOff + j * ldb + p];
        }
      }
    }
  }
}
