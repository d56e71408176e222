package org.neurite.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.neurite.kernels.Recurrent.Cell;

/**
 * The Vector API half of {@link Recurrent}: the gate arithmetic of each row, forward and backward, and the
 * one-row tile of the step GEMM. Loaded only when {@link Simd#ENABLED}; each function's scalar tail is
 * the whole of its twin in {@link Recurrent}.
 */
final class RecurrentVector {
  private RecurrentVector() {}

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int V = S.length();
  private static final int NR = Gemm.NR;

  // i, f, g, o = sig, sig, tanh, sig of (xw + bx + hh);  c = f c + i g;  h = o tanh(c).
  static void lstmRow(int h, float[] xw, int xo, float[] bx, float[] hh, int ho, float[] hs, float[] cs, int so,
                      float[] tc, float[] y, int yo, float[] act, int ao) {
    addInto(hh, ho, xw, xo, bx, 4 * h);
    squash(hh, ho, 2 * h, true);
    squash(hh, ho + 2 * h, h, false);
    squash(hh, ho + 3 * h, h, true);
    int u = 0;
    for (int bound = S.loopBound(h); u < bound; u += V) {
      FloatVector i = FloatVector.fromArray(S, hh, ho + u), f = FloatVector.fromArray(S, hh, ho + h + u);
      FloatVector g = FloatVector.fromArray(S, hh, ho + 2 * h + u), cp = FloatVector.fromArray(S, cs, so + u);
      FloatVector c = f.fma(cp, i.mul(g));
      c.intoArray(cs, so + u);
      c.intoArray(tc, u);
      if (act != null) cp.intoArray(act, ao + 4 * h + u);
    }
    for (; u < h; u++) {
      float cp = cs[so + u], c = hh[ho + h + u] * cp + hh[ho + u] * hh[ho + 2 * h + u];
      cs[so + u] = c;
      tc[u] = c;
      if (act != null) act[ao + 4 * h + u] = cp;
    }
    squash(tc, 0, h, false);
    u = 0;
    for (int bound = S.loopBound(h); u < bound; u += V) {
      FloatVector hn = FloatVector.fromArray(S, hh, ho + 3 * h + u).mul(FloatVector.fromArray(S, tc, u));
      hn.intoArray(hs, so + u);
      hn.intoArray(y, yo + u);
    }
    for (; u < h; u++) {
      float hn = hh[ho + 3 * h + u] * tc[u];
      hs[so + u] = hn;
      y[yo + u] = hn;
    }
    if (act != null) {   // i, f, g, o, (c_{t-1} above), tanh(c)
      System.arraycopy(hh, ho, act, ao, 4 * h);
      System.arraycopy(tc, 0, act, ao + 5 * h, h);
    }
  }

  // r, z = sig(xw + bx + hh);  hn = hh_n + b_hn;  n = tanh(xw_n + b_in + r hn);  h = n + z (h - n).
  static void gruRow(int h, float[] xw, int xo, float[] bx, float[] bhn, float[] hh, int ho, float[] hs, int so,
                     float[] tc, float[] y, int yo, float[] act, int ao) {
    addInto(hh, ho, xw, xo, bx, 2 * h);
    squash(hh, ho, 2 * h, true);
    int u = 0;
    for (int bound = S.loopBound(h); u < bound; u += V) {   // hn into hh's n block; n's argument into tc
      FloatVector hn = FloatVector.fromArray(S, hh, ho + 2 * h + u).add(FloatVector.fromArray(S, bhn, u));
      FloatVector xn = FloatVector.fromArray(S, xw, xo + 2 * h + u).add(FloatVector.fromArray(S, bx, 2 * h + u));
      hn.intoArray(hh, ho + 2 * h + u);
      FloatVector.fromArray(S, hh, ho + u).fma(hn, xn).intoArray(tc, u);
    }
    for (; u < h; u++) {
      float hn = hh[ho + 2 * h + u] + bhn[u];
      hh[ho + 2 * h + u] = hn;
      tc[u] = xw[xo + 2 * h + u] + bx[2 * h + u] + hh[ho + u] * hn;
    }
    squash(tc, 0, h, false);
    u = 0;
    for (int bound = S.loopBound(h); u < bound; u += V) {
      FloatVector z = FloatVector.fromArray(S, hh, ho + h + u), n = FloatVector.fromArray(S, tc, u);
      FloatVector hnew = z.fma(FloatVector.fromArray(S, hs, so + u).sub(n), n);
      hnew.intoArray(hs, so + u);
      hnew.intoArray(y, yo + u);
    }
    for (; u < h; u++) {
      float n = tc[u], hnew = n + hh[ho + h + u] * (hs[so + u] - n);
      hs[so + u] = hnew;
      y[yo + u] = hnew;
    }
    if (act != null) {   // r, z, n, hn
      System.arraycopy(hh, ho, act, ao, 2 * h);
      System.arraycopy(tc, 0, act, ao + 2 * h, h);
      System.arraycopy(hh, ho + 2 * h, act, ao + 3 * h, h);
    }
  }

  // h = act(xw + bx + hh).
  static void rnnRow(Cell cell, int h, float[] xw, int xo, float[] bx, float[] hh, int ho, float[] hs, int so,
                             float[] y, int yo, float[] act, int ao) {
    addInto(hh, ho, xw, xo, bx, h);
    if (cell == Cell.RNN_RELU) {
      int u = 0;
      for (int bound = S.loopBound(h); u < bound; u += V)
        FloatVector.fromArray(S, hh, ho + u).max(0f).intoArray(hh, ho + u);
      for (; u < h; u++) hh[ho + u] = Math.max(hh[ho + u], 0f);
    } else {
      squash(hh, ho, h, cell == Cell.RNN_SIGMOID);
    }
    System.arraycopy(hh, ho, hs, so, h);
    System.arraycopy(hh, ho, y, yo, h);
    if (act != null) System.arraycopy(hh, ho, act, ao, h);
  }

  // a[ao + j] += xw[xo + j] + bx[j] for j < n.
  static void addInto(float[] a, int ao, float[] xw, int xo, float[] bx, int n) {
    int j = 0;
    for (int bound = S.loopBound(n); j < bound; j += V)
      FloatVector.fromArray(S, a, ao + j).add(FloatVector.fromArray(S, xw, xo + j)).add(FloatVector.fromArray(S, bx, j))
          .intoArray(a, ao + j);
    for (; j < n; j++) a[ao + j] += xw[xo + j] + bx[j];
  }

  // a[ao .. ao + n) = sigmoid(a) or tanh(a), in place.
  static void squash(float[] a, int ao, int n, boolean sigmoid) {
    // sigmoid(x) = (1 + tanh(x / 2)) / 2: one rational function serves both.
    float scale = sigmoid ? 0.5f : 1f, shift = sigmoid ? 0.5f : 0f;
    int j = 0;
    for (int bound = S.loopBound(n); j < bound; j += V)
      tanh(FloatVector.fromArray(S, a, ao + j).mul(scale)).fma(scale, shift).intoArray(a, ao + j);
    for (; j < n; j++) a[ao + j] = sigmoid ? Recurrent.sigmoid(a[ao + j]) : Recurrent.tanh(a[ao + j]);
  }

  // Forward was: c = f cp + i g;  h = o tc, tc = tanh(c).  With dh = dh + dy:
  // dc += dh o (1 - tc^2);  do = dh tc;  di = dc g;  df = dc cp;  dg = dc i;  dcp = dc f;
  // each times its activation's derivative. dh of the previous state comes only through W_hh.
  static void lstmRowBackward(int h, float[] act, int ao, float[] dy, int yo, float[] dh, float[] dc, int so,
                                      float[] dg, int go) {
    int u = 0;
    FloatVector one = FloatVector.broadcast(S, 1f);
    for (int bound = S.loopBound(h); u < bound; u += V) {
      FloatVector i = FloatVector.fromArray(S, act, ao + u), f = FloatVector.fromArray(S, act, ao + h + u);
      FloatVector g = FloatVector.fromArray(S, act, ao + 2 * h + u), o = FloatVector.fromArray(S, act, ao + 3 * h + u);
      FloatVector cp = FloatVector.fromArray(S, act, ao + 4 * h + u), tc = FloatVector.fromArray(S, act, ao + 5 * h + u);
      FloatVector dhv = FloatVector.fromArray(S, dh, so + u);
      if (dy != null) dhv = dhv.add(FloatVector.fromArray(S, dy, yo + u));
      FloatVector dcv = dhv.mul(o).mul(one.sub(tc.mul(tc))).add(FloatVector.fromArray(S, dc, so + u));
      dcv.mul(g).mul(i).mul(one.sub(i)).intoArray(dg, go + u);
      dcv.mul(cp).mul(f).mul(one.sub(f)).intoArray(dg, go + h + u);
      dcv.mul(i).mul(one.sub(g.mul(g))).intoArray(dg, go + 2 * h + u);
      dhv.mul(tc).mul(o).mul(one.sub(o)).intoArray(dg, go + 3 * h + u);
      dcv.mul(f).intoArray(dc, so + u);
      FloatVector.zero(S).intoArray(dh, so + u);
    }
    for (; u < h; u++) {
      float i = act[ao + u], f = act[ao + h + u], g = act[ao + 2 * h + u], o = act[ao + 3 * h + u];
      float cp = act[ao + 4 * h + u], tc = act[ao + 5 * h + u];
      float dhv = dh[so + u] + (dy != null ? dy[yo + u] : 0f);
      float dcv = dhv * o * (1 - tc * tc) + dc[so + u];
      dg[go + u] = dcv * g * i * (1 - i);
      dg[go + h + u] = dcv * cp * f * (1 - f);
      dg[go + 2 * h + u] = dcv * i * (1 - g * g);
      dg[go + 3 * h + u] = dhv * tc * o * (1 - o);
      dc[so + u] = dcv * f;
      dh[so + u] = 0f;
    }
  }

  // Forward was: h = n + z (hp - n), n = tanh(xn + r hn).  dn = dh (1 - z);  dz = dh (hp - n);
  // dhp = dh z (+ the W_hh term);  dn' = dn (1 - n^2);  dr = dn' hn;  d(hn) = dn' r.
  static void gruRowBackward(int h, float[] act, int ao, float[] prev, int po, float[] dy, float[] dh, int so,
                                     float[] dgx, float[] dgh, int go) {
    int u = 0;
    FloatVector one = FloatVector.broadcast(S, 1f);
    for (int bound = S.loopBound(h); u < bound; u += V) {
      FloatVector r = FloatVector.fromArray(S, act, ao + u), z = FloatVector.fromArray(S, act, ao + h + u);
      FloatVector n = FloatVector.fromArray(S, act, ao + 2 * h + u), hn = FloatVector.fromArray(S, act, ao + 3 * h + u);
      FloatVector hp = FloatVector.fromArray(S, prev, po + u);
      FloatVector dhv = FloatVector.fromArray(S, dh, so + u);
      if (dy != null) dhv = dhv.add(FloatVector.fromArray(S, dy, po + u));
      FloatVector dn = dhv.mul(one.sub(z)).mul(one.sub(n.mul(n)));
      FloatVector dr = dn.mul(hn).mul(r).mul(one.sub(r));
      FloatVector dz = dhv.mul(hp.sub(n)).mul(z).mul(one.sub(z));
      dr.intoArray(dgx, go + u);
      dz.intoArray(dgx, go + h + u);
      dn.intoArray(dgx, go + 2 * h + u);
      dr.intoArray(dgh, go + u);
      dz.intoArray(dgh, go + h + u);
      dn.mul(r).intoArray(dgh, go + 2 * h + u);
      dhv.mul(z).intoArray(dh, so + u);
    }
    for (; u < h; u++) {
      float r = act[ao + u], z = act[ao + h + u], n = act[ao + 2 * h + u], hn = act[ao + 3 * h + u];
      float hp = prev[po + u];
      float dhv = dh[so + u] + (dy != null ? dy[po + u] : 0f);
      float dn = dhv * (1 - z) * (1 - n * n);
      float dr = dn * hn * r * (1 - r), dz = dhv * (hp - n) * z * (1 - z);
      dgx[go + u] = dr;
      dgx[go + h + u] = dz;
      dgx[go + 2 * h + u] = dn;
      dgh[go + u] = dr;
      dgh[go + h + u] = dz;
      dgh[go + 2 * h + u] = dn * r;
      dh[so + u] = dhv * z;
    }
  }

  // Forward was: h = act(p).  dp = dh act'(p), from h: tanh 1 - h^2, sigmoid h (1 - h), relu h > 0.
  static void rnnRowBackward(Cell cell, int h, float[] act, int ao, float[] dy, int yo, float[] dh, int so,
                                     float[] dg, int go) {
    int u = 0;
    FloatVector one = FloatVector.broadcast(S, 1f), zero = FloatVector.zero(S);
    for (int bound = S.loopBound(h); u < bound; u += V) {
      FloatVector hv = FloatVector.fromArray(S, act, ao + u);
      FloatVector dhv = FloatVector.fromArray(S, dh, so + u);
      if (dy != null) dhv = dhv.add(FloatVector.fromArray(S, dy, yo + u));
      FloatVector dp = switch (cell) {
        case RNN_RELU -> zero.blend(dhv, hv.compare(VectorOperators.GT, 0f));
        case RNN_SIGMOID -> dhv.mul(hv).mul(one.sub(hv));
        default -> dhv.mul(one.sub(hv.mul(hv)));
      };
      dp.intoArray(dg, go + u);
      zero.intoArray(dh, so + u);
    }
    for (; u < h; u++) {
      float hv = act[ao + u], dhv = dh[so + u] + (dy != null ? dy[yo + u] : 0f);
      dg[go + u] = switch (cell) {
        case RNN_RELU -> hv > 0f ? dhv : 0f;
        case RNN_SIGMOID -> dhv * hv * (1 - hv);
        default -> dhv * (1 - hv * hv);
      };
      dh[so + u] = 0f;
    }
  }

  // One row: C[1, NR] = A[1, k] Bstrip[k, NR], two accumulators per vector to hide the FMA latency.
  static void tile1(int k, float[] a, int ai, float[] bp, int bi, float[] c, int ci) {
    FloatVector c0 = FloatVector.zero(S), c1 = c0, d0 = c0, d1 = c0;
    int p = 0;
    for (; p + 1 < k; p += 2) {
      int b = bi + p * NR;
      FloatVector x = FloatVector.broadcast(S, a[ai + p]), w = FloatVector.broadcast(S, a[ai + p + 1]);
      c0 = x.fma(FloatVector.fromArray(S, bp, b), c0);
      c1 = x.fma(FloatVector.fromArray(S, bp, b + V), c1);
      d0 = w.fma(FloatVector.fromArray(S, bp, b + NR), d0);
      d1 = w.fma(FloatVector.fromArray(S, bp, b + NR + V), d1);
    }
    if (p < k) {
      int b = bi + p * NR;
      FloatVector x = FloatVector.broadcast(S, a[ai + p]);
      c0 = x.fma(FloatVector.fromArray(S, bp, b), c0);
      c1 = x.fma(FloatVector.fromArray(S, bp, b + V), c1);
    }
    c0.add(d0).intoArray(c, ci);
    c1.add(d1).intoArray(c, ci + V);
  }

  // A [13/6] rational approximation on [-7.905, 7.905], where tanh(7.905) rounds to 1 - 3e-7 (Eigen's
  // generic_fast_tanh_float): seven FMAs and a division, faster here than the library's tanh or one
  // built on its exp; absolute error below 3e-7.
  private static FloatVector tanh(FloatVector x) {
    x = x.max(-7.90531110763549805f).min(7.90531110763549805f);
    FloatVector x2 = x.mul(x);
    FloatVector p = x2.fma(-2.76076847742355e-16f, 2.00018790482477e-13f);
    p = x2.fma(p, FloatVector.broadcast(S, -8.60467152213735e-11f));
    p = x2.fma(p, FloatVector.broadcast(S, 5.12229709037114e-08f));
    p = x2.fma(p, FloatVector.broadcast(S, 1.48572235717979e-05f));
    p = x2.fma(p, FloatVector.broadcast(S, 6.37261928875436e-04f));
    p = x2.fma(p, FloatVector.broadcast(S, 4.89352455891786e-03f));
    FloatVector q = x2.fma(1.19825839466702e-06f, 1.18534705686654e-04f);
    q = x2.fma(q, FloatVector.broadcast(S, 2.26843463243900e-03f));
    q = x2.fma(q, FloatVector.broadcast(S, 4.89352518554385e-03f));
    return x.mul(p).div(q);
  }
}
