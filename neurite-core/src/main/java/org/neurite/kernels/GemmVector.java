package org.neurite.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API half of {@link Gemm}: its register-tile micro-kernel and the copy of whole B strips.
 * Loaded only when {@link Simd#ENABLED}; {@link Gemm} keeps the blocking, packing and threading, and the
 * scalar twins.
 */
final class GemmVector {
  private GemmVector() {}

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int V = S.length();
  private static final int NR = Gemm.NR;

  /**
   * The micro-kernel: C[MR, NR] (+)= A[MR, kc] * Bp[kc, NR], A read at {@code a[ai + r * rs + p * cs]}
   * (packed strips and both in-place layouts). Accumulators are named locals so C2 keeps all 16 in
   * registers.
   *
   * @param bp packed B strip as [kc, NR] from bIdx
   * @param c C tile rows at ci + r * ldc, NR wide
   */
  static void kernel(int kc, float[] a, int ai, int rs, int cs, float[] bp, int bIdx,
                             float[] c, int ci, int ldc, boolean add) {
    FloatVector z = FloatVector.zero(S);
    FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
    FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
    int a0 = ai;
    int a1 = ai + rs;
    int a2 = ai + 2 * rs;
    int a3 = ai + 3 * rs;
    int a4 = ai + 4 * rs;
    int a5 = ai + 5 * rs;
    int a6 = ai + 6 * rs;
    int a7 = ai + 7 * rs;
    for (int p = 0; p < kc; p++) {
      int bi = bIdx + p * NR, pa = p * cs;
      FloatVector b0 = FloatVector.fromArray(S, bp, bi);
      FloatVector b1 = FloatVector.fromArray(S, bp, bi + V);
      FloatVector x = FloatVector.broadcast(S, a[a0 + pa]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(S, a[a1 + pa]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(S, a[a2 + pa]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(S, a[a3 + pa]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
      x = FloatVector.broadcast(S, a[a4 + pa]);
      c40 = x.fma(b0, c40);
      c41 = x.fma(b1, c41);
      x = FloatVector.broadcast(S, a[a5 + pa]);
      c50 = x.fma(b0, c50);
      c51 = x.fma(b1, c51);
      x = FloatVector.broadcast(S, a[a6 + pa]);
      c60 = x.fma(b0, c60);
      c61 = x.fma(b1, c61);
      x = FloatVector.broadcast(S, a[a7 + pa]);
      c70 = x.fma(b0, c70);
      c71 = x.fma(b1, c71);
    }
    // Spelled out rather than a helper taking vectors: a helper C2 declines to inline boxes them.
    if (add) {
      c00 = c00.add(FloatVector.fromArray(S, c, ci));
      c01 = c01.add(FloatVector.fromArray(S, c, ci + V));
      c10 = c10.add(FloatVector.fromArray(S, c, ci + ldc));
      c11 = c11.add(FloatVector.fromArray(S, c, ci + ldc + V));
      c20 = c20.add(FloatVector.fromArray(S, c, ci + 2 * ldc));
      c21 = c21.add(FloatVector.fromArray(S, c, ci + 2 * ldc + V));
      c30 = c30.add(FloatVector.fromArray(S, c, ci + 3 * ldc));
      c31 = c31.add(FloatVector.fromArray(S, c, ci + 3 * ldc + V));
      c40 = c40.add(FloatVector.fromArray(S, c, ci + 4 * ldc));
      c41 = c41.add(FloatVector.fromArray(S, c, ci + 4 * ldc + V));
      c50 = c50.add(FloatVector.fromArray(S, c, ci + 5 * ldc));
      c51 = c51.add(FloatVector.fromArray(S, c, ci + 5 * ldc + V));
      c60 = c60.add(FloatVector.fromArray(S, c, ci + 6 * ldc));
      c61 = c61.add(FloatVector.fromArray(S, c, ci + 6 * ldc + V));
      c70 = c70.add(FloatVector.fromArray(S, c, ci + 7 * ldc));
      c71 = c71.add(FloatVector.fromArray(S, c, ci + 7 * ldc + V));
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + V);
    c10.intoArray(c, ci + ldc);
    c11.intoArray(c, ci + ldc + V);
    c20.intoArray(c, ci + 2 * ldc);
    c21.intoArray(c, ci + 2 * ldc + V);
    c30.intoArray(c, ci + 3 * ldc);
    c31.intoArray(c, ci + 3 * ldc + V);
    c40.intoArray(c, ci + 4 * ldc);
    c41.intoArray(c, ci + 4 * ldc + V);
    c50.intoArray(c, ci + 5 * ldc);
    c51.intoArray(c, ci + 5 * ldc + V);
    c60.intoArray(c, ci + 6 * ldc);
    c61.intoArray(c, ci + 6 * ldc + V);
    c70.intoArray(c, ci + 7 * ldc);
    c71.intoArray(c, ci + 7 * ldc + V);
  }

  /** Rows p < kc of a whole NR-wide B strip, {@code b[src + p * ldb ..]}, into {@code bp[dst + p * NR ..]}. */
  static void copyStrip(int kc, float[] b, int src, int ldb, float[] bp, int dst) {
    for (int p = 0; p < kc; p++) {
      int s = src + p * ldb, d = dst + p * NR;
      FloatVector.fromArray(S, b, s).intoArray(bp, d);
      FloatVector.fromArray(S, b, s + V).intoArray(bp, d + V);
    }
  }
}
