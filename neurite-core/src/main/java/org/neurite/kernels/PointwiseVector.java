package org.neurite.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import static org.neurite.kernels.Pointwise.ADD;
import static org.neurite.kernels.Pointwise.MUL;
import static org.neurite.kernels.Pointwise.SUB;

/**
 * The Vector API half of {@link Pointwise}, loaded only when {@link Simd#ENABLED}. A map runs its whole
 * vectors and returns the index it stopped at, and {@link Pointwise} finishes the tail with the scalar
 * loop that is also its reference; a reduction does all of its run, tail included.
 */
final class PointwiseVector {
  private PointwiseVector() {}

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  static int floatLanes() {
    return F.length();
  }

  // One loop per (op, stride pattern): the Vector API only compiles to SIMD when the operator is a
  // constant at the call site, so the op is dispatched once here, outside the loops.
  static int binary(int op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] c, int co, int n) {
    int bound = F.loopBound(n), i = 0;
    if (as == 1 && bs == 1) {
      switch (op) {
        case ADD -> { for (; i < bound; i += F.length()) FloatVector.fromArray(F, a, ao + i).add(FloatVector.fromArray(F, b, bo + i)).intoArray(c, co + i); }
        case SUB -> { for (; i < bound; i += F.length()) FloatVector.fromArray(F, a, ao + i).sub(FloatVector.fromArray(F, b, bo + i)).intoArray(c, co + i); }
        case MUL -> { for (; i < bound; i += F.length()) FloatVector.fromArray(F, a, ao + i).mul(FloatVector.fromArray(F, b, bo + i)).intoArray(c, co + i); }
        default -> { for (; i < bound; i += F.length()) FloatVector.fromArray(F, a, ao + i).div(FloatVector.fromArray(F, b, bo + i)).intoArray(c, co + i); }
      }
    } else if (as == 1 && bs == 0) {
      FloatVector s = FloatVector.broadcast(F, b[bo]);
      switch (op) {
        case ADD -> { for (; i < bound; i += F.length()) FloatVector.fromArray(F, a, ao + i).add(s).intoArray(c, co + i); }
        case SUB -> { for (; i < bound; i += F.length()) FloatVector.fromArray(F, a, ao + i).sub(s).intoArray(c, co + i); }
        case MUL -> { for (; i < bound; i += F.length()) FloatVector.fromArray(F, a, ao + i).mul(s).intoArray(c, co + i); }
        default -> { for (; i < bound; i += F.length()) FloatVector.fromArray(F, a, ao + i).div(s).intoArray(c, co + i); }
      }
    } else if (as == 0 && bs == 1) {
      FloatVector s = FloatVector.broadcast(F, a[ao]);
      switch (op) {
        case ADD -> { for (; i < bound; i += F.length()) s.add(FloatVector.fromArray(F, b, bo + i)).intoArray(c, co + i); }
        case SUB -> { for (; i < bound; i += F.length()) s.sub(FloatVector.fromArray(F, b, bo + i)).intoArray(c, co + i); }
        case MUL -> { for (; i < bound; i += F.length()) s.mul(FloatVector.fromArray(F, b, bo + i)).intoArray(c, co + i); }
        default -> { for (; i < bound; i += F.length()) s.div(FloatVector.fromArray(F, b, bo + i)).intoArray(c, co + i); }
      }
    }
    return i;
  }

  static int axpy(int n, float alpha, float[] x, int xo, float[] y, int yo) {
    int i = 0;
    FloatVector va = FloatVector.broadcast(F, alpha);
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      FloatVector.fromArray(F, x, xo + i).fma(va, FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
    return i;
  }

  static int relu(float[] x, float[] y, int n) {
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      FloatVector.fromArray(F, x, i).max(0f).intoArray(y, i);
    return i;
  }

  static int clamp(float[] x, int xo, float[] y, int yo, int n, float lo, float hi) {
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      FloatVector.fromArray(F, x, xo + i).max(lo).min(hi).intoArray(y, yo + i);
    return i;
  }

  static int reluBackward(float[] y, float[] dy, float[] dx, int n) {
    int i = 0;
    FloatVector zero = FloatVector.zero(F);
    for (int bound = F.loopBound(n); i < bound; i += F.length()) {
      FloatVector yv = FloatVector.fromArray(F, y, i);
      zero.blend(FloatVector.fromArray(F, dy, i), yv.compare(VectorOperators.GT, 0f)).intoArray(dx, i);
    }
    return i;
  }

  static int exp(float[] x, float[] y, int n) {
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      FloatVector.fromArray(F, x, i).lanewise(VectorOperators.EXP).intoArray(y, i);
    return i;
  }

  static int log(float[] x, float[] y, int n) {
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      FloatVector.fromArray(F, x, i).lanewise(VectorOperators.LOG).intoArray(y, i);
    return i;
  }

  static int tanh(float[] x, float[] y, int n) {
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      FloatVector.fromArray(F, x, i).lanewise(VectorOperators.TANH).intoArray(y, i);
    return i;
  }

  static int sigmoid(float[] x, float[] y, int n) {
    int i = 0;
    FloatVector one = FloatVector.broadcast(F, 1f);
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      one.div(FloatVector.fromArray(F, x, i).neg().lanewise(VectorOperators.EXP).add(one)).intoArray(y, i);
    return i;
  }

  /** {@code y[yo + i] *= a} over the whole vectors of n. */
  static int scale(float[] y, int yo, int n, float a) {
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      FloatVector.fromArray(F, y, yo + i).mul(a).intoArray(y, yo + i);
    return i;
  }

  /** Sums {@code x[xo .. xo+n)} in float lanes per block of 1024, then in double across lanes and blocks. */
  static float sum(float[] x, int xo, int n) {
    // Float lanes flushed into a double every 1024 elements: the rounding error stays that of a
    // 1024 / F.length() term sum instead of growing with n (1e5 x 0.1f was off by 1.4e-4 relative).
    int i = 0, bound = F.loopBound(n);
    double s = 0;
    while (i < bound) {
      FloatVector acc = FloatVector.zero(F);
      for (int end = Math.min(bound, i + 1024); i < end; i += F.length()) acc = acc.add(FloatVector.fromArray(F, x, xo + i));
      s += addLanes(acc);
    }
    for (; i < n; i++) s += x[xo + i];
    return (float) s;
  }

  /**
   * The sum of the lanes, left to right. Not {@code reduceLanes(ADD)}: its order differs between the
   * interpreter and the JIT's intrinsic, so the same run gave results 1 ulp apart depending on what
   * the JIT had compiled yet, and a training resumed in a fresh JVM did not end bit for bit where an
   * uninterrupted one did (docs/RELIABILITY.md). neurite-text's word2vec kernels do the same.
   */
  static float addLanes(FloatVector v) {
    float s = 0;
    for (int i = 0; i < v.length(); i++) s += v.lane(i);
    return s;
  }

  /** Largest of {@code x[xo .. xo+n)}, NaN if any is NaN; n must be >= 1. */
  static float max(float[] x, int xo, int n) {
    int i = 0;
    float m = Float.NEGATIVE_INFINITY;
    if (n >= F.length()) {
      FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
      for (int bound = F.loopBound(n); i < bound; i += F.length()) acc = acc.max(FloatVector.fromArray(F, x, xo + i));
      m = acc.reduceLanes(VectorOperators.MAX);
    }
    for (; i < n; i++) m = Math.max(m, x[xo + i]);
    return m;
  }

  static float dot(float[] a, int ao, float[] b, int bo, int n) {
    int i = 0;
    FloatVector acc = FloatVector.zero(F);
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      acc = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc);
    float s = addLanes(acc);
    for (; i < n; i++) s += a[ao + i] * b[bo + i];
    return s;
  }

  // y = exp(x - m); returns the sum of y.
  static float expShifted(float[] x, int xo, float[] y, int yo, int n, float m) {
    int i = 0;
    FloatVector vm = FloatVector.broadcast(F, m), acc = FloatVector.zero(F);
    for (int bound = F.loopBound(n); i < bound; i += F.length()) {
      FloatVector e = FloatVector.fromArray(F, x, xo + i).sub(vm).lanewise(VectorOperators.EXP);
      e.intoArray(y, yo + i);
      acc = acc.add(e);
    }
    double s = addLanes(acc);
    for (; i < n; i++) {
      float e = (float) Math.exp(x[xo + i] - m);
      y[yo + i] = e;
      s += e;
    }
    return (float) s;
  }
}
