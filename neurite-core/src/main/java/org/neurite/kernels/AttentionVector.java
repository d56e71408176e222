package org.neurite.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API half of {@link AttentionKernels}: the register tiles of its small product, the softmax and
 * layer-norm rows, the dropout hash and the epilogues' whole vectors. Loaded only when {@link Simd#ENABLED};
 * {@link AttentionKernels} keeps the orchestration and the scalar twins.
 */
final class AttentionVector {
  private AttentionVector() {}

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int V = F.length();
  private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

  // The last, partial vector of a row runs masked (a scalar Math.exp costs as much as a whole vector of
  // them) unless the access would pass the end of the array, which leaves the Vector API's fast path.
  private static VectorMask<Float> tailMask(float[] x, int xo, int len) {
    int bound = F.loopBound(len);
    return bound < len && xo + bound + V <= x.length ? F.indexInRange(bound, len) : null;
  }

  /** The largest of x[xo .. xo + len), for {@link AttentionKernels#expRow}. */
  static float rowMax(float[] x, int xo, int len) {
    int bound = F.loopBound(len);
    VectorMask<Float> tm = tailMask(x, xo, len);
    FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
    for (int j = 0; j < bound; j += V) acc = acc.max(FloatVector.fromArray(F, x, xo + j));
    if (tm != null) acc = acc.lanewise(VectorOperators.MAX, FloatVector.fromArray(F, x, xo + bound, tm), tm);
    float max = acc.reduceLanes(VectorOperators.MAX);
    for (int j = tm != null ? len : bound; j < len; j++) max = Math.max(max, x[xo + j]);
    return max;
  }

  /** x = exp(x - max) over x[xo .. xo + len); returns the sum, for {@link AttentionKernels#expRow}. */
  static float expSum(float[] x, int xo, int len, float max) {
    int bound = F.loopBound(len);
    VectorMask<Float> tm = tailMask(x, xo, len);
    FloatVector vm = FloatVector.broadcast(F, max), sum = FloatVector.zero(F);
    for (int j = 0; j < bound; j += V) {
      FloatVector e = FloatVector.fromArray(F, x, xo + j).sub(vm).lanewise(VectorOperators.EXP);
      e.intoArray(x, xo + j);
      sum = sum.add(e);
    }
    if (tm != null) {
      FloatVector e = FloatVector.fromArray(F, x, xo + bound, tm).sub(vm).lanewise(VectorOperators.EXP);
      e.intoArray(x, xo + bound, tm);
      sum = sum.add(e, tm);
    }
    float total = sum.reduceLanes(VectorOperators.ADD);
    for (int j = tm != null ? len : bound; j < len; j++) {
      float e = (float) Math.exp(x[xo + j] - max);
      x[xo + j] = e;
      total += e;
    }
    return total;
  }

  /** y[yo + j] = x[xo + j] * a over the whole vectors of n; returns where it stopped. */
  static int scale(float[] x, int xo, int n, float a, float[] y, int yo) {
    FloatVector va = FloatVector.broadcast(F, a);
    int j = 0;
    for (int bound = F.loopBound(n); j < bound; j += V) FloatVector.fromArray(F, x, xo + j).mul(va).intoArray(y, yo + j);
    return j;
  }

  static void softmaxBackwardRow(float[] p, int po, float[] ds, int dso, int s) {
    int j = 0;
    FloatVector acc = FloatVector.zero(F);
    for (int bound = F.loopBound(s); j < bound; j += V)
      acc = FloatVector.fromArray(F, p, po + j).fma(FloatVector.fromArray(F, ds, dso + j), acc);
    float dot = acc.reduceLanes(VectorOperators.ADD);
    for (; j < s; j++) dot += p[po + j] * ds[dso + j];
    FloatVector vd = FloatVector.broadcast(F, dot);
    j = 0;
    for (int bound = F.loopBound(s); j < bound; j += V) {
      FloatVector pv = FloatVector.fromArray(F, p, po + j);
      pv.mul(FloatVector.fromArray(F, ds, dso + j).sub(vd)).intoArray(ds, dso + j);
    }
    for (; j < s; j++) ds[dso + j] = p[po + j] * (ds[dso + j] - dot);
  }

  /** The whole vectors of {@link AttentionKernels#dropoutMask}; returns where it stopped. */
  static int dropoutMask(float scale, int threshold, int k0, int k1, int base, float[] m, int mo, int n) {
    int e = 0;
    IntVector iota = IntVector.zero(I).addIndex(1);
    FloatVector vs = FloatVector.broadcast(F, scale), zero = FloatVector.zero(F);
    for (int bound = I.loopBound(n); e < bound; e += V) {
      IntVector x = iota.add(base + e).lanewise(VectorOperators.XOR, k0);
      x = mix(mix(x).lanewise(VectorOperators.XOR, k1)).lanewise(VectorOperators.LSHR, 8);
      zero.blend(vs, x.compare(VectorOperators.GE, threshold).cast(F)).intoArray(m, mo + e);
    }
    return e;
  }

  private static IntVector mix(IntVector x) {
    x = x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 16)).mul(0x85ebca6b);
    x = x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 13)).mul(0xc2b2ae35);
    return x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 16));
  }

  /** y[o + j] = x[o + j] * m[j] over the whole vectors of len; returns where it stopped. */
  static int mul(float[] x, int o, float[] m, float[] y, int len) {
    int j = 0;
    for (int bound = F.loopBound(len); j < bound; j += V)
      FloatVector.fromArray(F, x, o + j).mul(FloatVector.fromArray(F, m, j)).intoArray(y, o + j);
    return j;
  }

  /** The whole vectors of one row of {@link AttentionKernels#linear}'s epilogue; returns where it stopped. */
  static int linearRow(float[] y, int o, float[] b, boolean relu, float[] m, int out) {
    int j = 0;
    for (int bound = F.loopBound(out); j < bound; j += V) {
      FloatVector v = FloatVector.fromArray(F, y, o + j);
      if (b != null) v = v.add(FloatVector.fromArray(F, b, j));
      if (relu) v = v.max(0f);
      if (m != null) v = v.mul(FloatVector.fromArray(F, m, j));
      v.intoArray(y, o + j);
    }
    return j;
  }

  /** The whole vectors of one row of {@link AttentionKernels#linearBackward}'s dz; returns where it stopped. */
  static int linearBackwardRow(float[] dy, float[] y, int o, boolean relu, float scale, float[] m, float[] dz,
                               float[] acc, int out) {
    FloatVector vs = FloatVector.broadcast(F, scale), zero = FloatVector.zero(F);
    int j = 0;
    for (int bound = F.loopBound(out); j < bound; j += V) {
      FloatVector g = FloatVector.fromArray(F, dy, o + j);
      if (relu) g = zero.blend(g.mul(vs), FloatVector.fromArray(F, y, o + j).compare(VectorOperators.GT, 0f));
      else if (m != null) g = g.mul(FloatVector.fromArray(F, m, j));
      if (dz != dy) g.intoArray(dz, o + j);
      if (acc != null) g.add(FloatVector.fromArray(F, acc, j)).intoArray(acc, j);
    }
    return j;
  }

  /** Two vectors of columns of C for all m rows: each broadcast of A feeds two FMAs. */
  static void rows2(int m, int k, float alpha, float[] a, int ao, int ars, int acs, float[] b, int bo, int ldb,
                            float[] c, int co, int ldc) {
    int i = 0;
    for (; i + 8 <= m; i += 8) tile8x2(k, alpha, a, ao + i * ars, ars, acs, b, bo, ldb, c, co + i * ldc, ldc);
    if (i < m) {
      rows(m - i, k, alpha, a, ao + i * ars, ars, acs, b, bo, ldb, c, co + i * ldc, ldc);
      rows(m - i, k, alpha, a, ao + i * ars, ars, acs, b, bo + V, ldb, c, co + i * ldc + V, ldc);
    }
  }

  /** One vector of columns of C for all m rows. */
  static void rows(int m, int k, float alpha, float[] a, int ao, int ars, int acs, float[] b, int bo, int ldb,
                           float[] c, int co, int ldc) {
    int i = 0;
    for (; i + 8 <= m; i += 8) tile8(k, alpha, a, ao + i * ars, ars, acs, b, bo, ldb, c, co + i * ldc, ldc);
    for (; i + 4 <= m; i += 4) tile4(k, alpha, a, ao + i * ars, ars, acs, b, bo, ldb, c, co + i * ldc, ldc);
    for (; i < m; i++) tile1(k, alpha, a, ao + i * ars, acs, b, bo, ldb, c, co + i * ldc);
  }

  // Accumulators are named locals so that C2 keeps them in registers.
  private static void tile8(int k, float alpha, float[] a, int ai, int rs, int cs, float[] b, int bi, int ldb,
                            float[] c, int ci, int ldc) {
    FloatVector z = FloatVector.zero(F);
    FloatVector c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z, c6 = z, c7 = z;
    for (int p = 0; p < k; p++) {
      FloatVector bv = FloatVector.fromArray(F, b, bi + p * ldb);
      int x = ai + p * cs;
      c0 = FloatVector.broadcast(F, a[x]).fma(bv, c0);
      c1 = FloatVector.broadcast(F, a[x + rs]).fma(bv, c1);
      c2 = FloatVector.broadcast(F, a[x + 2 * rs]).fma(bv, c2);
      c3 = FloatVector.broadcast(F, a[x + 3 * rs]).fma(bv, c3);
      c4 = FloatVector.broadcast(F, a[x + 4 * rs]).fma(bv, c4);
      c5 = FloatVector.broadcast(F, a[x + 5 * rs]).fma(bv, c5);
      c6 = FloatVector.broadcast(F, a[x + 6 * rs]).fma(bv, c6);
      c7 = FloatVector.broadcast(F, a[x + 7 * rs]).fma(bv, c7);
    }
    FloatVector va = FloatVector.broadcast(F, alpha);
    c0.mul(va).intoArray(c, ci);
    c1.mul(va).intoArray(c, ci + ldc);
    c2.mul(va).intoArray(c, ci + 2 * ldc);
    c3.mul(va).intoArray(c, ci + 3 * ldc);
    c4.mul(va).intoArray(c, ci + 4 * ldc);
    c5.mul(va).intoArray(c, ci + 5 * ldc);
    c6.mul(va).intoArray(c, ci + 6 * ldc);
    c7.mul(va).intoArray(c, ci + 7 * ldc);
  }

  private static void tile8x2(int k, float alpha, float[] a, int ai, int rs, int cs, float[] b, int bi, int ldb,
                              float[] c, int ci, int ldc) {
    FloatVector z = FloatVector.zero(F);
    FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
    FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
    for (int p = 0; p < k; p++) {
      int bp = bi + p * ldb, x = ai + p * cs;
      FloatVector b0 = FloatVector.fromArray(F, b, bp), b1 = FloatVector.fromArray(F, b, bp + V);
      FloatVector t = FloatVector.broadcast(F, a[x]);
      c00 = t.fma(b0, c00);
      c01 = t.fma(b1, c01);
      t = FloatVector.broadcast(F, a[x + rs]);
      c10 = t.fma(b0, c10);
      c11 = t.fma(b1, c11);
      t = FloatVector.broadcast(F, a[x + 2 * rs]);
      c20 = t.fma(b0, c20);
      c21 = t.fma(b1, c21);
      t = FloatVector.broadcast(F, a[x + 3 * rs]);
      c30 = t.fma(b0, c30);
      c31 = t.fma(b1, c31);
      t = FloatVector.broadcast(F, a[x + 4 * rs]);
      c40 = t.fma(b0, c40);
      c41 = t.fma(b1, c41);
      t = FloatVector.broadcast(F, a[x + 5 * rs]);
      c50 = t.fma(b0, c50);
      c51 = t.fma(b1, c51);
      t = FloatVector.broadcast(F, a[x + 6 * rs]);
      c60 = t.fma(b0, c60);
      c61 = t.fma(b1, c61);
      t = FloatVector.broadcast(F, a[x + 7 * rs]);
      c70 = t.fma(b0, c70);
      c71 = t.fma(b1, c71);
    }
    FloatVector va = FloatVector.broadcast(F, alpha);
    c00.mul(va).intoArray(c, ci);
    c01.mul(va).intoArray(c, ci + V);
    c10.mul(va).intoArray(c, ci + ldc);
    c11.mul(va).intoArray(c, ci + ldc + V);
    c20.mul(va).intoArray(c, ci + 2 * ldc);
    c21.mul(va).intoArray(c, ci + 2 * ldc + V);
    c30.mul(va).intoArray(c, ci + 3 * ldc);
    c31.mul(va).intoArray(c, ci + 3 * ldc + V);
    c40.mul(va).intoArray(c, ci + 4 * ldc);
    c41.mul(va).intoArray(c, ci + 4 * ldc + V);
    c50.mul(va).intoArray(c, ci + 5 * ldc);
    c51.mul(va).intoArray(c, ci + 5 * ldc + V);
    c60.mul(va).intoArray(c, ci + 6 * ldc);
    c61.mul(va).intoArray(c, ci + 6 * ldc + V);
    c70.mul(va).intoArray(c, ci + 7 * ldc);
    c71.mul(va).intoArray(c, ci + 7 * ldc + V);
  }

  private static void tile4(int k, float alpha, float[] a, int ai, int rs, int cs, float[] b, int bi, int ldb,
                            float[] c, int ci, int ldc) {
    FloatVector z = FloatVector.zero(F);
    FloatVector c0 = z, c1 = z, c2 = z, c3 = z;
    for (int p = 0; p < k; p++) {
      FloatVector bv = FloatVector.fromArray(F, b, bi + p * ldb);
      int x = ai + p * cs;
      c0 = FloatVector.broadcast(F, a[x]).fma(bv, c0);
      c1 = FloatVector.broadcast(F, a[x + rs]).fma(bv, c1);
      c2 = FloatVector.broadcast(F, a[x + 2 * rs]).fma(bv, c2);
      c3 = FloatVector.broadcast(F, a[x + 3 * rs]).fma(bv, c3);
    }
    FloatVector va = FloatVector.broadcast(F, alpha);
    c0.mul(va).intoArray(c, ci);
    c1.mul(va).intoArray(c, ci + ldc);
    c2.mul(va).intoArray(c, ci + 2 * ldc);
    c3.mul(va).intoArray(c, ci + 3 * ldc);
  }

  // One row: two accumulators over even and odd p, so consecutive FMAs do not wait on each other.
  private static void tile1(int k, float alpha, float[] a, int ai, int cs, float[] b, int bi, int ldb, float[] c, int ci) {
    FloatVector c0 = FloatVector.zero(F), c1 = c0;
    int p = 0;
    for (; p + 1 < k; p += 2) {
      c0 = FloatVector.broadcast(F, a[ai + p * cs]).fma(FloatVector.fromArray(F, b, bi + p * ldb), c0);
      c1 = FloatVector.broadcast(F, a[ai + (p + 1) * cs]).fma(FloatVector.fromArray(F, b, bi + (p + 1) * ldb), c1);
    }
    if (p < k) c0 = FloatVector.broadcast(F, a[ai + p * cs]).fma(FloatVector.fromArray(F, b, bi + p * ldb), c0);
    c0.add(c1).mul(alpha).intoArray(c, ci);
  }

  // Statistics of x - x[0] rather than of x: with |mean| >> std (values near 100, spread 0.01) a float
  // mean is off by half an ulp of 100, a large part of the spread. x - x[0] is exact there, and the
  // centred value is (x - x[0]) - mean(x - x[0]). The backward recomputes the shift from x.
  static void layerNormRow(float[] x, int o, float[] w, float[] b, float[] y, int yo, int d, float eps,
                                   float[] mean, float[] rstd, int r) {
    float shift = d == 0 ? 0f : x[o];
    FloatVector vsh = FloatVector.broadcast(F, shift);
    int j = 0;
    FloatVector acc = FloatVector.zero(F);
    for (int bound = F.loopBound(d); j < bound; j += V) acc = acc.add(FloatVector.fromArray(F, x, o + j).sub(vsh));
    float s = acc.reduceLanes(VectorOperators.ADD);
    for (; j < d; j++) s += x[o + j] - shift;
    float mu = s / d;
    // Two passes (mean, then squared deviations): one pass of sum and sum of squares cancels badly.
    FloatVector vmu = FloatVector.broadcast(F, mu);
    acc = FloatVector.zero(F);
    j = 0;
    for (int bound = F.loopBound(d); j < bound; j += V) {
      FloatVector t = FloatVector.fromArray(F, x, o + j).sub(vsh).sub(vmu);
      acc = t.fma(t, acc);
    }
    float ss = acc.reduceLanes(VectorOperators.ADD);
    for (; j < d; j++) ss += (x[o + j] - shift - mu) * (x[o + j] - shift - mu);
    float rs = (float) (1.0 / Math.sqrt(ss / d + eps));
    if (mean != null) mean[r] = mu;
    if (rstd != null) rstd[r] = rs;
    FloatVector vrs = FloatVector.broadcast(F, rs);
    j = 0;
    for (int bound = F.loopBound(d); j < bound; j += V) {
      FloatVector t = FloatVector.fromArray(F, x, o + j).sub(vsh).sub(vmu).mul(vrs);
      if (w != null) t = t.mul(FloatVector.fromArray(F, w, j));
      if (b != null) t = t.add(FloatVector.fromArray(F, b, j));
      t.intoArray(y, yo + j);
    }
    for (; j < d; j++) {
      float t = (x[o + j] - shift - mu) * rs;
      if (w != null) t *= w[j];
      if (b != null) t += b[j];
      y[yo + j] = t;
    }
  }

  /** row[so + j] = x[o + j] + r[o + j] * m[j] over the whole vectors of d; returns where it stopped. */
  static int addMasked(float[] x, float[] r, float[] m, int o, float[] row, int so, int d) {
    int j = 0;
    for (int bound = F.loopBound(d); j < bound; j += V)
      FloatVector.fromArray(F, r, o + j).fma(FloatVector.fromArray(F, m, j), FloatVector.fromArray(F, x, o + j)).intoArray(row, so + j);
    return j;
  }

  /** row[so + j] = x[o + j] + r[o + j] over the whole vectors of d; returns where it stopped. */
  static int add(float[] x, float[] r, int o, float[] row, int so, int d) {
    int j = 0;
    for (int bound = F.loopBound(d); j < bound; j += V)
      FloatVector.fromArray(F, x, o + j).add(FloatVector.fromArray(F, r, o + j)).intoArray(row, so + j);
    return j;
  }

  static void layerNormBackwardRow(float[] x, int o, float[] w, float mean, float rs, float[] dy, float[] dx,
                                           float[] gw, float[] gb, int d) {
    float shift = x[o];   // the forward's statistics are of x - x[0]: mean holds mean(x - x[0])
    FloatVector vsh = FloatVector.broadcast(F, shift), vmu = FloatVector.broadcast(F, mean), vrs = FloatVector.broadcast(F, rs);
    FloatVector sg = FloatVector.zero(F), sgx = sg;
    int j = 0;
    for (int bound = F.loopBound(d); j < bound; j += V) {
      FloatVector xh = FloatVector.fromArray(F, x, o + j).sub(vsh).sub(vmu).mul(vrs);
      FloatVector dyv = FloatVector.fromArray(F, dy, o + j);
      FloatVector g = w == null ? dyv : dyv.mul(FloatVector.fromArray(F, w, j));
      sg = sg.add(g);
      sgx = g.fma(xh, sgx);
      if (gw != null) dyv.fma(xh, FloatVector.fromArray(F, gw, j)).intoArray(gw, j);
      if (gb != null) dyv.add(FloatVector.fromArray(F, gb, j)).intoArray(gb, j);
    }
    float a = sg.reduceLanes(VectorOperators.ADD), c = sgx.reduceLanes(VectorOperators.ADD);
    for (int t = j; t < d; t++) {
      float xh = (x[o + t] - shift - mean) * rs, g = w == null ? dy[o + t] : dy[o + t] * w[t];
      a += g;
      c += g * xh;
      if (gw != null) gw[t] += dy[o + t] * xh;
      if (gb != null) gb[t] += dy[o + t];
    }
    float ma = a / d, mc = c / d;
    FloatVector vma = FloatVector.broadcast(F, ma), vmc = FloatVector.broadcast(F, mc);
    j = 0;
    for (int bound = F.loopBound(d); j < bound; j += V) {
      FloatVector xh = FloatVector.fromArray(F, x, o + j).sub(vsh).sub(vmu).mul(vrs);
      FloatVector dyv = FloatVector.fromArray(F, dy, o + j);
      FloatVector g = w == null ? dyv : dyv.mul(FloatVector.fromArray(F, w, j));
      g.sub(vma).sub(xh.mul(vmc)).mul(vrs).intoArray(dx, o + j);
    }
    for (; j < d; j++) {
      float xh = (x[o + j] - shift - mean) * rs, g = w == null ? dy[o + j] : dy[o + j] * w[j];
      dx[o + j] = rs * (g - ma - xh * mc);
    }
  }
}
