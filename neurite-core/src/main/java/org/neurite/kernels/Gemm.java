package org.neurite.kernels;

import java.util.Arrays;

/**
 * Single-precision matrix multiply on row-major arrays: {@code C = op(A) * op(B)} or {@code C += ...}.
 * {@code op(A)} is {@code [m, k]} and {@code op(B)} is {@code [k, n]}; with {@code transA} the array
 * holds A as {@code [k, m]} (leading dimension {@code lda}), with {@code transB} B as {@code [n, k]}.
 *
 * <p>Multi-threaded through {@link Parallel} unless called from inside a parallel region, where it
 * runs serially on the caller (conv kernels call it per image from their own parallel loop).
 *
 * <p>How: GotoBLAS/BLIS blocking. A block of B ({@code kc x nc}) is packed into {@code NR}-wide
 * column strips and a block of A ({@code mc x kc}) into {@code MR}-tall row strips, both zero-padded
 * to whole strips; the transposes are absorbed by the packing, so every layout runs the same
 * register-tile micro-kernel ({@code MR x NR} accumulators, B strips as vectors, A broadcast; the
 * micro-kernel and the copy of whole B strips are the only vector code, in {@link GemmVector}).
 * When a thread's share of C is only a few strips wide, packing A would cost as much as using it,
 * so the kernel reads A in place through its strides instead.
 * Threads split C by columns or by rows (whichever makes the redundantly packed operand the smaller
 * one) and each packs its own share. Not here: complex or double types, strided-batch calls.
 *
 * <p>Thread-safe: static methods whose scratch memory is per thread; concurrent calls must write to
 * disjoint output arrays.
 */
public final class Gemm {
  private Gemm() {}

  /** Lanes per vector: 16 with AVX-512, 8 with AVX2 (and 8 on the scalar path). */
  private static final int V = Simd.FLOAT_LANES;
  /** Micro-tile width: two vectors. */
  static final int NR = 2 * V;
  /**
   * Micro-tile height. 8 rows take 16 accumulators, which fit 32 vector registers (AVX-512) with room
   * for B and the broadcast. With 16 registers (AVX2) a few spill, yet it measured faster than 6 rows.
   */
  static final int MR = 8;
  /** Depth of a packed block: a {@code kc x NR} B strip (32 KiB with AVX-512) stays near L1. */
  private static final int KC = 256;
  /** Rows of a packed A block: {@code MC x KC} floats (256 KiB) stay in L2. */
  private static final int MC = 256;
  /** Columns of a packed B block: {@code KC x NC} floats (1 MiB) stay in L2/L3. */
  private static final int NC = 1024;
  /** Up to this many NR-wide column strips per thread, A is read in place rather than packed. */
  private static final int DIRECT_A_STRIPS = 16;
  /** Below this many multiply-adds packing costs more than it saves: the scalar loop runs. */
  private static final long TINY = 4096;
  /** Below this many multiply-adds one thread finishes before a second would start. */
  private static final long SERIAL = 1L << 20;

  /** Per-thread pack buffers, grown on demand and reused so hot calls allocate nothing. */
  private static final class Work {
    float[] a = new float[0]; // packed A block, strips of [kc, MR] (only the ragged one when in place)
    float[] b = new float[0]; // packed B block: strips of [kc, NR]
    final float[] tile = new float[MR * NR]; // [MR, NR] partial tiles at the edges of C
  }

  private static final ThreadLocal<Work> WORK = ThreadLocal.withInitial(Work::new);

  /**
   * C[m, n] (+)= op(A)[m, k] * op(B)[k, n].
   *
   * @param a A as [m, lda] (or [k, lda] with transA), starting at aOff
   * @param b B as [k, ldb] (or [n, ldb] with transB), starting at bOff
   * @param c C as [m, ldc], starting at cOff
   * @param accumulate add into C instead of overwriting it
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                          float[] a, int aOff, int lda,
                          float[] b, int bOff, int ldb,
                          boolean accumulate, float[] c, int cOff, int ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
      if (!accumulate) {
        for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
      }
      return;
    }
    long madds = (long) m * n * k;
    if (madds < TINY) {
      gemmScalar(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, accumulate, c, cOff, ldc);
      return;
    }
    // Each thread packs all of the operand it does not split; split so that one is the smaller.
    boolean splitCols = m <= n && n > NR;
    int units = splitCols ? (n + NR - 1) / NR : (m + MR - 1) / MR;
    int grain = madds < SERIAL ? units : 1;
    Parallel.forRange(units, grain, (from, to) -> {
      if (splitCols) {
        int j0 = from * NR, j1 = Math.min(n, to * NR);
        block(transA, transB, 0, m, j0, j1, k, a, aOff, lda, b, bOff, ldb, accumulate, c, cOff, ldc);
      } else {
        int i0 = from * MR, i1 = Math.min(m, to * MR);
        block(transA, transB, i0, i1, 0, n, k, a, aOff, lda, b, bOff, ldb, accumulate, c, cOff, ldc);
      }
    });
  }

  /** Serial blocked product for rows [i0, i1) and columns [j0, j1) of C. */
  private static void block(boolean transA, boolean transB, int i0, int i1, int j0, int j1, int k,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            boolean accumulate, float[] c, int cOff, int ldc) {
    Work w = WORK.get();
    int kcMax = Math.min(KC, k);
    int ncMax = roundUp(Math.min(NC, j1 - j0), NR);
    int mcMax = roundUp(Math.min(MC, i1 - i0), MR);
    if (w.b.length < kcMax * ncMax) w.b = new float[kcMax * ncMax];
    if (w.a.length < kcMax * mcMax) w.a = new float[kcMax * mcMax];
    float[] ap = w.a, bp = w.b;
    // Packing A costs about as much as one pass of the micro-kernel over it; with few column strips
    // to reuse it the kernel reads A in place instead (only a ragged last strip is packed).
    boolean direct = j1 - j0 <= DIRECT_A_STRIPS * NR;
    for (int jc = j0; jc < j1; jc += NC) {
      int nc = Math.min(NC, j1 - jc);
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        if (transB) packBT(b, bOff, ldb, pc, kc, jc, nc, bp);
        else packB(b, bOff, ldb, pc, kc, jc, nc, bp);
        boolean add = accumulate || pc > 0;
        for (int ic = i0; ic < i1; ic += MC) {
          int mc = Math.min(MC, i1 - ic);
          int cIdx = cOff + ic * ldc + jc;
          if (direct) {
            int whole = mc / MR * MR;
            if (whole < mc) pack(transA, a, aOff, lda, pc, kc, ic + whole, mc - whole, ap);
            int aIdx = transA ? aOff + pc * lda + ic : aOff + ic * lda + pc;
            int rs = transA ? 1 : lda, cs = transA ? lda : 1;
            macro(mc, nc, kc, a, aIdx, rs, cs, whole, ap, bp, c, cIdx, ldc, add, w.tile);
          } else {
            pack(transA, a, aOff, lda, pc, kc, ic, mc, ap);
            macro(mc, nc, kc, a, 0, 0, 0, 0, ap, bp, c, cIdx, ldc, add, w.tile);
          }
        }
      }
    }
  }

  private static int roundUp(int x, int to) {
    return (x + to - 1) / to * to;
  }

  /**
   * All micro-tiles of an {@code mc x nc} block of C. Rows below {@code whole} read A at
   * {@code a[aIdx + i * rs + p * cs]}; the rest read the packed strips of {@code ap}.
   *
   * @param ap packed A: strip s at s * kc * MR holds [kc, MR]
   * @param bp packed B: strip s at s * kc * NR holds [kc, NR]
   * @param c C block at cIdx, rows ldc apart
   */
  private static void macro(int mc, int nc, int kc, float[] a, int aIdx, int rs, int cs, int whole,
                            float[] ap, float[] bp, float[] c, int cIdx, int ldc, boolean add,
                            float[] tile) {
    for (int jr = 0; jr < nc; jr += NR) {
      int nr = Math.min(NR, nc - jr);
      int bIdx = jr * kc;
      for (int ir = 0; ir < mc; ir += MR) {
        int mr = Math.min(MR, mc - ir);
        float[] src = ir < whole ? a : ap;
        int ai = ir < whole ? aIdx + ir * rs : (ir - whole) * kc;
        int ars = ir < whole ? rs : 1, acs = ir < whole ? cs : MR;
        int ci = cIdx + ir * ldc + jr;
        if (mr == MR && nr == NR) {
          kernel(kc, src, ai, ars, acs, bp, bIdx, c, ci, ldc, add);
        } else {
          kernel(kc, src, ai, ars, acs, bp, bIdx, tile, 0, NR, false);
          for (int r = 0; r < mr; r++) {
            int cr = ci + r * ldc, tr = r * NR;
            if (add) {
              for (int j = 0; j < nr; j++) c[cr + j] += tile[tr + j];
            } else {
              System.arraycopy(tile, tr, c, cr, nr);
            }
          }
        }
      }
    }
  }

  /**
   * The micro-kernel: C[MR, NR] (+)= A[MR, kc] * Bp[kc, NR], A read at {@code a[ai + r * rs + p * cs]}
   * (packed strips and both in-place layouts): {@link GemmVector#kernel}, or its scalar twin.
   *
   * @param bp packed B strip as [kc, NR] from bIdx
   * @param c C tile rows at ci + r * ldc, NR wide
   */
  static void kernel(int kc, float[] a, int ai, int rs, int cs, float[] bp, int bIdx,
                     float[] c, int ci, int ldc, boolean add) {
    if (Simd.ENABLED) GemmVector.kernel(kc, a, ai, rs, cs, bp, bIdx, c, ci, ldc, add);
    else kernelScalar(kc, a, ai, rs, cs, bp, bIdx, c, ci, ldc, add);
  }

  // Scalar twin: the tile as 4 x 4 blocks of named accumulators (16 independent multiply-add chains, 8
  // loads per 16 of them): 3.7 GFLOPS at 512^3 on 2 threads, against 2.9 for a loop adding into C's tile.
  static void kernelScalar(int kc, float[] a, int ai, int rs, int cs, float[] bp, int bIdx,
                           float[] c, int ci, int ldc, boolean add) {
    for (int r = 0; r < MR; r += 4)
      for (int j = 0; j < NR; j += 4) {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        int a0 = ai + r * rs, a1 = a0 + rs, a2 = a1 + rs, a3 = a2 + rs;
        for (int p = 0; p < kc; p++) {
          int bi = bIdx + p * NR + j, pa = p * cs;
          float b0 = bp[bi], b1 = bp[bi + 1], b2 = bp[bi + 2], b3 = bp[bi + 3];
          float x = a[a0 + pa];
          c00 += x * b0;
          c01 += x * b1;
          c02 += x * b2;
          c03 += x * b3;
          x = a[a1 + pa];
          c10 += x * b0;
          c11 += x * b1;
          c12 += x * b2;
          c13 += x * b3;
          x = a[a2 + pa];
          c20 += x * b0;
          c21 += x * b1;
          c22 += x * b2;
          c23 += x * b3;
          x = a[a3 + pa];
          c30 += x * b0;
          c31 += x * b1;
          c32 += x * b2;
          c33 += x * b3;
        }
        int o = ci + r * ldc + j;
        store4(c, o, add, c00, c01, c02, c03);
        store4(c, o + ldc, add, c10, c11, c12, c13);
        store4(c, o + 2 * ldc, add, c20, c21, c22, c23);
        store4(c, o + 3 * ldc, add, c30, c31, c32, c33);
      }
  }

  private static void store4(float[] c, int o, boolean add, float v0, float v1, float v2, float v3) {
    if (add) {
      c[o] += v0;
      c[o + 1] += v1;
      c[o + 2] += v2;
      c[o + 3] += v3;
    } else {
      c[o] = v0;
      c[o + 1] = v1;
      c[o + 2] = v2;
      c[o + 3] = v3;
    }
  }

  /** Packs op(A)[ic:ic+mc, pc:pc+kc] into MR-tall strips as {@link #packA} / {@link #packAT}. */
  private static void pack(boolean transA, float[] a, int aOff, int lda, int pc, int kc, int ic, int mc,
                           float[] ap) {
    if (transA) packAT(a, aOff, lda, pc, kc, ic, mc, ap);
    else packA(a, aOff, lda, pc, kc, ic, mc, ap);
  }

  /**
   * Packs A[ic:ic+mc, pc:pc+kc] (A stored [m, lda]) into MR-tall strips, zero-padding the last.
   *
   * @param ap destination: strip s at s * kc * MR holds [kc, MR]
   */
  private static void packA(float[] a, int aOff, int lda, int pc, int kc, int ic, int mc, float[] ap) {
    for (int ir = 0; ir < mc; ir += MR) {
      int mr = Math.min(MR, mc - ir), dst = ir * kc;
      for (int r = 0; r < mr; r++) {
        int src = aOff + (ic + ir + r) * lda + pc;
        for (int p = 0; p < kc; p++) ap[dst + p * MR + r] = a[src + p];
      }
      for (int r = mr; r < MR; r++) {
        for (int p = 0; p < kc; p++) ap[dst + p * MR + r] = 0f;
      }
    }
  }

  /** As {@link #packA} with A stored transposed, [k, lda]: each strip row is a contiguous run. */
  private static void packAT(float[] a, int aOff, int lda, int pc, int kc, int ic, int mc, float[] ap) {
    for (int ir = 0; ir < mc; ir += MR) {
      int mr = Math.min(MR, mc - ir), dst = ir * kc;
      for (int p = 0; p < kc; p++) {
        int src = aOff + (pc + p) * lda + ic + ir, d = dst + p * MR;
        if (mr == MR) {
          System.arraycopy(a, src, ap, d, MR);
        } else {
          System.arraycopy(a, src, ap, d, mr);
          Arrays.fill(ap, d + mr, d + MR, 0f);
        }
      }
    }
  }

  /**
   * Packs B[pc:pc+kc, jc:jc+nc] (B stored [k, ldb]) into NR-wide strips, zero-padding the last.
   *
   * @param bp destination: strip s at s * kc * NR holds [kc, NR]
   */
  private static void packB(float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc, float[] bp) {
    for (int jr = 0; jr < nc; jr += NR) {
      int nr = Math.min(NR, nc - jr), dst = jr * kc;
      int src = bOff + pc * ldb + jc + jr;
      if (nr == NR && Simd.ENABLED) {
        GemmVector.copyStrip(kc, b, src, ldb, bp, dst);
      } else {
        for (int p = 0; p < kc; p++) {
          int s = src + p * ldb, d = dst + p * NR;
          System.arraycopy(b, s, bp, d, nr);
          Arrays.fill(bp, d + nr, d + NR, 0f);
        }
      }
    }
  }

  /** As {@link #packB} with B stored transposed, [n, ldb]: each strip column is a contiguous run. */
  private static void packBT(float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc, float[] bp) {
    for (int jr = 0; jr < nc; jr += NR) {
      int nr = Math.min(NR, nc - jr), dst = jr * kc;
      for (int j = 0; j < nr; j++) {
        int src = bOff + (jc + jr + j) * ldb + pc;
        for (int p = 0; p < kc; p++) bp[dst + p * NR + j] = b[src + p];
      }
      for (int j = nr; j < NR; j++) {
        for (int p = 0; p < kc; p++) bp[dst + p * NR + j] = 0f;
      }
    }
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
