package org.neurite.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.neurite.kernels.Recurrent.Cell;

/**
 * The Vector API half of {@link Recurrent}: the gate arithmetic of each row, forward and backward, and the
 * one-row tile of the step GEMM. Loaded only when {@link Simd#ENABLED}; each loop runs the whole vectors and
 * returns where it stopped, and the scalar loop in {@link Recurrent} finishes the row (and, without the
 * Vector API, does all of it).
 */
final class RecurrentVector {
  private RecurrentVector() {}

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int V = S.length();
  private static final int NR = Gemm.NR;

  // Each function runs the whole vectors of its loop in Recurrent and returns where it stopped; the
  // scalar loop there finishes the row.

  // c = f cp + i g into cs and tc; cp saved into act's fifth block.
  static int lstmCell(int h, float[] hh, int ho, float[] cs, int so, float[] tc, float[] act, int ao) {
    int u = 0;
    for (int bound = S.loopBound(h); u < bound; u += V) {
      FloatVector i = FloatVector.fromArray(S, hh, ho + u), f = FloatVector.fromArray(S, hh, ho + h + u);
      FloatVector g = FloatVector.fromArray(S, hh, ho + 2 * h + u), cp = FloatVector.fromArray(S, cs, so + u);
      FloatVector c = f.fma(cp, i.mul(g));
      c.intoArray(cs, so + u);
      c.intoArray(tc, u);
      if (act != null) cp.intoArray(act, ao + 4 * h + u);
    }
    return u;
  }

  // h = o tanh(c) into hs and y.
  static int lstmOut(int h, float[] hh, int ho, float[] tc, float[] hs, int so, float[] y, int yo) {
    int u = 0;
    for (int bound = S.loopBound(h); u < bound; u += V) {
      FloatVector hn = FloatVector.fromArray(S, hh, ho + 3 * h + u).mul(FloatVector.fromArray(S, tc, u));
      hn.intoArray(hs, so + u);
      hn.intoArray(y, yo + u);
    }
    return u;
  }

  // hn = hh_n + b_hn into hh's n block; n's argument xw_n + b_in + r hn into tc.
  static int gruCandidate(int h, float[] xw, int xo, float[] bx, float[] bhn, float[] hh, int ho, float[] tc) {
    int u = 0;
    for (int bound = S.loopBound(h); u < bound; u += V) {
      FloatVector hn = FloatVector.fromArray(S, hh, ho + 2 * h + u).add(FloatVector.fromArray(S, bhn, u));
      FloatVector xn = FloatVector.fromArray(S, xw, xo + 2 * h + u).add(FloatVector.fromArray(S, bx, 2 * h + u));
      hn.intoArray(hh, ho + 2 * h + u);
      FloatVector.fromArray(S, hh, ho + u).fma(hn, xn).intoArray(tc, u);
    }
    return u;
  }

  // h = n + z (h - n) into hs and y.
  static int gruOut(int h, float[] hh, int ho, float[] tc, float[] hs, int so, float[] y, int yo) {
    int u = 0;
    for (int bound = S.loopBound(h); u < bound; u += V) {
      FloatVector z = FloatVector.fromArray(S, hh, ho + h + u), n = FloatVector.fromArray(S, tc, u);
      FloatVector hnew = z.fma(FloatVector.fromArray(S, hs, so + u).sub(n), n);
      hnew.intoArray(hs, so + u);
      hnew.intoArray(y, yo + u);
    }
    return u;
  }

  // a = max(a, 0) in place.
  static int relu(float[] a, int ao, int n) {
    int u = 0;
    for (int bound = S.loopBound(n); u < bound; u += V)
      FloatVector.fromArray(S, a, ao + u).max(0f).intoArray(a, ao + u);
    return u;
  }

  // a[ao + j] += xw[xo + j] + bx[j].
  static int addInto(float[] a, int ao, float[] xw, int xo, float[] bx, int n) {
    int j = 0;
    for (int bound = S.loopBound(n); j < bound; j += V)
      FloatVector.fromArray(S, a, ao + j).add(FloatVector.fromArray(S, xw, xo + j)).add(FloatVector.fromArray(S, bx, j))
          .intoArray(a, ao + j);
    return j;
  }

  // a = sigmoid(a) or tanh(a) in place. sigmoid(x) = (1 + tanh(x / 2)) / 2: one rational function
  // serves both, and this is the one place it is inlined (inlined into every caller, C2 gave up and boxed it).
  static int squash(float[] a, int ao, int n, boolean sigmoid) {
    float scale = sigmoid ? 0.5f : 1f, shift = sigmoid ? 0.5f : 0f;
    int j = 0;
    for (int bound = S.loopBound(n); j < bound; j += V)
      tanh(FloatVector.fromArray(S, a, ao + j).mul(scale)).fma(scale, shift).intoArray(a, ao + j);
    return j;
  }

  static int lstmRowBackward(int h, float[] act, int ao, float[] dy, int yo, float[] dh, float[] dc, int so, float[] dg, int go) {
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
    return u;
  }

  static int gruRowBackward(int h, float[] act, int ao, float[] prev, int po, float[] dy, float[] dh, int so,
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
    return u;
  }

  static int rnnRowBackward(Cell cell, int h, float[] act, int ao, float[] dy, int yo, float[] dh, int so, float[] dg, int go) {
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
    return u;
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
