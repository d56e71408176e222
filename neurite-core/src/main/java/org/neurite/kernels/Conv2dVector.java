package org.neurite.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.neurite.kernels.Conv2d.Dims;
import org.neurite.kernels.Conv2d.Scratch;

/**
 * The Vector API half of {@link Conv2d}: the direct forwards of thin first layers and depthwise layers, and
 * the dot products of the small-Kg weight gradient. Loaded only when {@link Simd#ENABLED}; without it
 * {@link Conv2d} sends those layers through im2col + GEMM and runs scalar twins of the rest.
 */
final class Conv2dVector {
  private Conv2dVector() {}

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int V = S.length();

  /**
   * One image of a thin first layer (a few input channels, stride 1, no dilation, one group), directly:
   * with Kg = Ci*kH*kW as small as 9, im2col + GEMM spends its time unfolding and packing, not
   * multiplying. The input is staged as zero-padded planes of row length Wp = W + 2p, so every tap
   * (c, kh, kw) is one constant shift of the flat plane, and an output vector at (row r, column j) is a
   * run of FMAs over loads at {@code shift + r * Wp + j}. Each row is covered by vectors starting at 0,
   * V, 2V, ... and, when V does not divide Wo, at Wo - V (overlapping its neighbour: the overlap is
   * computed twice, cheaper than a masked tail), written straight into y, rectified first when {@code relu}
   * (a second pass over the output had been 11% of the layer's forward and backward). Two positions times
   * four output channels make eight independent FMA chains, enough to hide the FMA latency.
   */
  static void forwardThin(Dims d, float[] x, float[] w, float[] bias, float[] y, int b, boolean relu,
                                  Scratch s) {
    int wp = d.w() + 2 * d.pW(), hp = d.h() + 2 * d.pH(), plane = hp * wp;
    int maxShift = (d.inC() - 1) * plane + (d.kH() - 1) * wp + d.kW() - 1;
    int staged = Math.max(d.inC() * plane, maxShift + (d.oh() - 1) * wp + d.ow());
    float[] pin = s.img(staged);
    if (d.pH() != 0 || d.pW() != 0) Arrays.fill(pin, 0, staged, 0f);
    for (int c = 0; c < d.inC(); c++)
      for (int i = 0; i < d.h(); i++)
        System.arraycopy(x, ((b * d.inC() + c) * d.h() + i) * d.w(), pin, c * plane + (i + d.pH()) * wp + d.pW(), d.w());
    int taps = d.kg();
    int perRow = (d.ow() + V - 1) / V, positions = d.oh() * perRow;
    int[] shift = s.shifts(taps + 2 * positions);   // taps' shifts, then each position's input and output offset
    for (int c = 0, t = 0; c < d.inC(); c++)
      for (int kh = 0; kh < d.kH(); kh++)
        for (int kw = 0; kw < d.kW(); kw++) shift[t++] = c * plane + kh * wp + kw;
    for (int r = 0, p = taps; r < d.oh(); r++)
      for (int k = 0; k < perRow; k++, p += 2) {
        int j = Math.min(k * V, d.ow() - V);
        shift[p] = r * wp + j;
        shift[p + 1] = r * d.ow() + j;
      }
    for (int o0 = 0; o0 < d.outC(); o0 += 4) {
      int nO = Math.min(4, d.outC() - o0);
      // Missing channels of the last block of four reuse the last real one and are not stored.
      int w0 = o0 * taps, w1 = Math.min(o0 + 1, d.outC() - 1) * taps, w2 = Math.min(o0 + 2, d.outC() - 1) * taps,
          w3 = Math.min(o0 + 3, d.outC() - 1) * taps;
      float b0 = bias == null ? 0f : bias[o0], b1 = bias == null ? 0f : bias[Math.min(o0 + 1, d.outC() - 1)],
          b2 = bias == null ? 0f : bias[Math.min(o0 + 2, d.outC() - 1)], b3 = bias == null ? 0f : bias[Math.min(o0 + 3, d.outC() - 1)];
      int y0 = (b * d.outC() + o0) * d.ohw();
      for (int p = 0; p < positions; p += 2) {
        int q0 = taps + 2 * p, q1 = taps + 2 * Math.min(p + 1, positions - 1);   // an odd last position goes twice
        int i0 = shift[q0], i1 = shift[q1];
        FloatVector a0 = FloatVector.broadcast(S, b0), a1 = FloatVector.broadcast(S, b1), a2 = FloatVector.broadcast(S, b2),
            a3 = FloatVector.broadcast(S, b3), c0 = a0, c1 = a1, c2 = a2, c3 = a3;
        for (int t = 0; t < taps; t++) {
          FloatVector u = FloatVector.fromArray(S, pin, shift[t] + i0), v = FloatVector.fromArray(S, pin, shift[t] + i1);
          FloatVector k0 = FloatVector.broadcast(S, w[w0 + t]), k1 = FloatVector.broadcast(S, w[w1 + t]);
          a0 = u.fma(k0, a0);
          c0 = v.fma(k0, c0);
          a1 = u.fma(k1, a1);
          c1 = v.fma(k1, c1);
          FloatVector k2 = FloatVector.broadcast(S, w[w2 + t]), k3 = FloatVector.broadcast(S, w[w3 + t]);
          a2 = u.fma(k2, a2);
          c2 = v.fma(k2, c2);
          a3 = u.fma(k3, a3);
          c3 = v.fma(k3, c3);
        }
        if (relu) {  // NaN stays NaN, as in Pointwise.clamp
          a0 = a0.max(0f);
          c0 = c0.max(0f);
          a1 = a1.max(0f);
          c1 = c1.max(0f);
          a2 = a2.max(0f);
          c2 = c2.max(0f);
          a3 = a3.max(0f);
          c3 = c3.max(0f);
        }
        int o = y0 + shift[q0 + 1], oo = y0 + shift[q1 + 1];
        a0.intoArray(y, o);
        c0.intoArray(y, oo);
        if (nO > 1) {
          a1.intoArray(y, o + d.ohw());
          c1.intoArray(y, oo + d.ohw());
        }
        if (nO > 2) {
          a2.intoArray(y, o + 2 * d.ohw());
          c2.intoArray(y, oo + 2 * d.ohw());
        }
        if (nO > 3) {
          a3.intoArray(y, o + 3 * d.ohw());
          c3.intoArray(y, oo + 3 * d.ohw());
        }
      }
    }
  }

  /**
   * Plane p (image p / C, channel p % C) of a depthwise layer. The zero-padded plane is staged split into
   * its sW column phases (phase q holds padded columns q, q + sW, ...), so that tap (kh, kw) of the
   * output vector at (row r, column j) is one contiguous load from phase kw % sW at row r * sH + kh,
   * column j + kw / sW. Rows are covered by vectors at 0, V, 2V, ... and an overlapping Wo - V, as in
   * {@link #forwardThin}, two at a time.
   */
  static void forwardDepthwise(Dims d, float[] x, float[] w, float[] bias, float[] y, int p, Scratch s) {
    int c = p % d.inC(), sw = d.sW();
    int hp = d.h() + 2 * d.pH(), wp = d.w() + 2 * d.pW(), wq = (wp + sw - 1) / sw, phase = hp * wq;
    float[] pin = s.img(sw * phase);
    java.util.Arrays.fill(pin, 0, sw * phase, 0f);
    int xo = p * d.hw();
    for (int i = 0; i < d.h(); i++) {
      int row = (i + d.pH()) * wq, xr = xo + i * d.w();
      if (sw == 1) System.arraycopy(x, xr, pin, row + d.pW(), d.w());
      else
        for (int k = 0; k < d.w(); k++) {
          int col = k + d.pW();
          pin[(col & 1) * phase + row + (col >> 1)] = x[xr + k];
        }
    }
    int taps = d.kH() * d.kW(), wo = c * taps;
    int[] shift = s.shifts(taps);
    for (int kh = 0, t = 0; kh < d.kH(); kh++)
      for (int kw = 0; kw < d.kW(); kw++) shift[t++] = (kw % sw) * phase + kh * wq + kw / sw;
    float b = bias == null ? 0f : bias[c];
    int yo = p * d.ohw(), perRow = (d.ow() + V - 1) / V;
    for (int r = 0; r < d.oh(); r++) {
      int in = r * d.sH() * wq, out = yo + r * d.ow();
      for (int k = 0; k < perRow; k += 2) {
        int j0 = Math.min(k * V, d.ow() - V), j1 = Math.min((k + 1) * V, d.ow() - V);   // an odd last vector goes twice
        FloatVector a0 = FloatVector.broadcast(S, b), a1 = a0;
        for (int t = 0; t < taps; t++) {
          FloatVector wt = FloatVector.broadcast(S, w[wo + t]);
          a0 = FloatVector.fromArray(S, pin, shift[t] + in + j0).fma(wt, a0);
          a1 = FloatVector.fromArray(S, pin, shift[t] + in + j1).fma(wt, a1);
        }
        a0.intoArray(y, out + j0);
        a1.intoArray(y, out + j1);
      }
    }
  }

  /** dst[t + j] += src[s + j] over the whole vectors of len; returns where it stopped. */
  static int addRun(float[] src, int s, float[] dst, int t, int len) {
    int j = 0;
    for (int e = S.loopBound(len); j < e; j += V)
      FloatVector.fromArray(S, dst, t + j).add(FloatVector.fromArray(S, src, s + j)).intoArray(dst, t + j);
    return j;
  }

  /** Sum of a[off .. off+len). */
  static float sum(float[] a, int off, int len) {
    FloatVector acc = FloatVector.zero(S);
    int j = 0;
    for (int e = S.loopBound(len); j < e; j += V) acc = acc.add(FloatVector.fromArray(S, a, off + j));
    float t = PointwiseVector.addLanes(acc);
    for (; j < len; j++) t += a[off + j];
    return t;
  }

  /**
   * C[m, n] += sum over segments s < segs of A_s[m, k] * B_s[n, k]^T, where row i of A_s starts at
   * aOff + s * aSeg + i * lda (likewise B); rows are contiguous along k. Dot products kept in
   * registers across the segments, so no operand is packed or restaged.
   */
  static void dotNT(int m, int n, int k, int segs, float[] a, int aOff, int lda, int aSeg,
                            float[] b, int bOff, int ldb, int bSeg, float[] c, int cOff, int ldc) {
    int i = 0;
    // Blocks of 4 x 4; the last columns (n = 27 or 9 for a first layer) as a 4 x 4 block that stores only them.
    for (; i + 4 <= m; i += 4)
      for (int j = 0; j < n; j += 4)
        dot4x4(Math.min(4, n - j), k, segs, a, aOff + i * lda, lda, aSeg, b, bOff + j * ldb, ldb, bSeg, c, cOff + i * ldc + j, ldc);
    for (; i < m; i++)
      for (int j = 0; j < n; j++)
        c[cOff + i * ldc + j] += dot(k, segs, a, aOff + i * lda, aSeg, b, bOff + j * ldb, bSeg);
  }

  private static float dot(int k, int segs, float[] a, int aOff, int aSeg, float[] b, int bOff, int bSeg) {
    FloatVector acc = FloatVector.zero(S);
    float tail = 0f;
    int kv = S.loopBound(k);
    for (int sg = 0; sg < segs; sg++) {
      int ai = aOff + sg * aSeg, bi = bOff + sg * bSeg;
      int p = 0;
      for (; p < kv; p += V) acc = FloatVector.fromArray(S, a, ai + p).fma(FloatVector.fromArray(S, b, bi + p), acc);
      for (; p < k; p++) tail += a[ai + p] * b[bi + p];
    }
    return PointwiseVector.addLanes(acc) + tail;
  }

  private static final float[] ZERO_TAIL = new float[16];
  /** TAIL_KEEP[rem]: V weights, 0 for the first V - rem and 1 for the last rem (the new elements of an overlapping last step). */
  private static final float[][] TAIL_KEEP = new float[V][];

  static {
    for (int rem = 1; rem < V; rem++) {
      TAIL_KEEP[rem] = new float[V];
      Arrays.fill(TAIL_KEEP[rem], V - rem, V, 1f);
    }
  }

  /**
   * A 4 x nc block of {@link #dotNT} (nc from 1 to 4; missing columns repeat the last and are not stored): 16
   * accumulators, 8 loads per 16 multiply-adds. (Masked loads for the k % V tail ran 12 times slower: the
   * JIT did not compile them to vector loads.) Inf or NaN among the last V elements of b's rows would turn
   * the 0-weighted duplicates into NaN; they make the whole gradient NaN anyway.
   */
  private static void dot4x4(int nc, int k, int segs, float[] a, int aOff, int lda, int aSeg, float[] b, int bOff, int ldb,
                             int bSeg, float[] c, int cOff, int ldc) {
    FloatVector z = FloatVector.zero(S);
    FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z;
    FloatVector c20 = z, c21 = z, c22 = z, c23 = z, c30 = z, c31 = z, c32 = z, c33 = z;
    int kv = S.loopBound(k), rem = k - kv;
    boolean overlap = rem > 0 && k >= V;
    // The k % V tail of each segment: one more step over the last V elements, the already counted ones
    // multiplied by 0 in b (a masked load or a scalar loop made the tail most of the time).
    FloatVector keep = overlap ? FloatVector.fromArray(S, TAIL_KEEP[rem], 0) : null;
    boolean scalarTail = rem > 0 && !overlap;   // k < V: all of it scalar
    float[] tail = scalarTail ? new float[16] : ZERO_TAIL;
    int ldb1 = Math.min(1, nc - 1) * ldb, ldb2 = Math.min(2, nc - 1) * ldb, ldb3 = Math.min(3, nc - 1) * ldb;
    for (int sg = 0; sg < segs; sg++) {
      int a0 = aOff + sg * aSeg, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
      int b0 = bOff + sg * bSeg, b1 = b0 + ldb1, b2 = b0 + ldb2, b3 = b0 + ldb3;
      for (int p = 0, end = overlap ? kv + V : kv; p < end; p += V) {
        boolean last = p >= kv;
        int q = last ? k - V : p;
        FloatVector x0 = FloatVector.fromArray(S, a, a0 + q), x1 = FloatVector.fromArray(S, a, a1 + q);
        FloatVector x2 = FloatVector.fromArray(S, a, a2 + q), x3 = FloatVector.fromArray(S, a, a3 + q);
        FloatVector y = FloatVector.fromArray(S, b, b0 + q);
        if (last) y = y.mul(keep);
        c00 = x0.fma(y, c00);
        c10 = x1.fma(y, c10);
        c20 = x2.fma(y, c20);
        c30 = x3.fma(y, c30);
        y = FloatVector.fromArray(S, b, b1 + q);
        if (last) y = y.mul(keep);
        c01 = x0.fma(y, c01);
        c11 = x1.fma(y, c11);
        c21 = x2.fma(y, c21);
        c31 = x3.fma(y, c31);
        y = FloatVector.fromArray(S, b, b2 + q);
        if (last) y = y.mul(keep);
        c02 = x0.fma(y, c02);
        c12 = x1.fma(y, c12);
        c22 = x2.fma(y, c22);
        c32 = x3.fma(y, c32);
        y = FloatVector.fromArray(S, b, b3 + q);
        if (last) y = y.mul(keep);
        c03 = x0.fma(y, c03);
        c13 = x1.fma(y, c13);
        c23 = x2.fma(y, c23);
        c33 = x3.fma(y, c33);
      }
      if (scalarTail)
        for (int p = kv; p < k; p++)
          for (int r = 0; r < 4; r++) {
            float av = a[a0 + r * lda + p];
            for (int q = 0; q < nc; q++) tail[r * 4 + q] += av * b[b0 + q * ldb + p];
          }
    }
    // Spelled out: a helper taking the accumulators would box them.
    c[cOff] += PointwiseVector.addLanes(c00) + tail[0];
    c[cOff + ldc] += PointwiseVector.addLanes(c10) + tail[4];
    c[cOff + 2 * ldc] += PointwiseVector.addLanes(c20) + tail[8];
    c[cOff + 3 * ldc] += PointwiseVector.addLanes(c30) + tail[12];
    if (nc > 1) {
      c[cOff + 1] += PointwiseVector.addLanes(c01) + tail[1];
      c[cOff + ldc + 1] += PointwiseVector.addLanes(c11) + tail[5];
      c[cOff + 2 * ldc + 1] += PointwiseVector.addLanes(c21) + tail[9];
      c[cOff + 3 * ldc + 1] += PointwiseVector.addLanes(c31) + tail[13];
    }
    if (nc > 2) {
      c[cOff + 2] += PointwiseVector.addLanes(c02) + tail[2];
      c[cOff + ldc + 2] += PointwiseVector.addLanes(c12) + tail[6];
      c[cOff + 2 * ldc + 2] += PointwiseVector.addLanes(c22) + tail[10];
      c[cOff + 3 * ldc + 2] += PointwiseVector.addLanes(c32) + tail[14];
    }
    if (nc > 3) {
      c[cOff + 3] += PointwiseVector.addLanes(c03) + tail[3];
      c[cOff + ldc + 3] += PointwiseVector.addLanes(c13) + tail[7];
      c[cOff + 2 * ldc + 3] += PointwiseVector.addLanes(c23) + tail[11];
      c[cOff + 3 * ldc + 3] += PointwiseVector.addLanes(c33) + tail[15];
    }
  }
}
