package org.neurite.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise loops on float arrays. Binary kernels take one run of {@code n} elements per operand,
 * each with an offset and a stride of 1 or 0 (0 = a broadcast scalar): the caller walks the outer
 * dimensions. Unary kernels read {@code x[0..n)} and write {@code y[0..n)} (x and y may be the same).
 *
 * <p>The Vector API is used where the JIT does not vectorise on its own (transcendentals, mixed
 * strides); every vector loop keeps its scalar tail, which is also the reference.
 *
 * <p>Thread-safe: static methods with no shared mutable state; concurrent calls must write to disjoint
 * output arrays.
 */
public final class Pointwise {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  public static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3, MAX = 4, MIN = 5, POW = 6;

  private Pointwise() {}

  /** {@code c[co + i] = a[ao + i*as] (op) b[bo + i*bs]} for i in [0, n); strides are 0 or 1. */
  public static void binary(int op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] c, int co, int n) {
    int i = 0;
    if (op <= DIV && n >= F.length()) i = binaryVector(op, a, ao, as, b, bo, bs, c, co, n);
    for (; i < n; i++) c[co + i] = scalar(op, a[ao + i * as], b[bo + i * bs]);
  }

  public static float scalar(int op, float x, float y) {
    return switch (op) {
      case ADD -> x + y;
      case SUB -> x - y;
      case MUL -> x * y;
      case DIV -> x / y;
      case MAX -> Float.isNaN(x) || Float.isNaN(y) ? Float.NaN : Math.max(x, y);
      case MIN -> Float.isNaN(x) || Float.isNaN(y) ? Float.NaN : Math.min(x, y);
      case POW -> (float) Math.pow(x, y);
      default -> throw new IllegalArgumentException("unknown binary op " + op);
    };
  }

  // One loop per (op, stride pattern): the Vector API only compiles to SIMD when the operator is a
  // constant at the call site, so the op is dispatched once here, outside the loops.
  private static int binaryVector(int op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] c, int co, int n) {
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

  /** {@code y[yo + i] += alpha * x[xo + i]}. */
  public static void axpy(int n, float alpha, float[] x, int xo, float[] y, int yo) {
    int i = 0;
    FloatVector va = FloatVector.broadcast(F, alpha);
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      FloatVector.fromArray(F, x, xo + i).fma(va, FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
    for (; i < n; i++) y[yo + i] += alpha * x[xo + i];
  }

  // ------------------------------------------------------------------ unary maps

  public static void relu(float[] x, float[] y, int n) {
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      FloatVector.fromArray(F, x, i).max(0f).intoArray(y, i);
    for (; i < n; i++) y[i] = x[i] > 0f ? x[i] : (Float.isNaN(x[i]) ? x[i] : 0f);
  }

  /** {@code y[yo + i] = min(max(x[xo + i], lo), hi)} for i in [0, n); NaN stays NaN, as PyTorch's clamp. */
  public static void clamp(float[] x, int xo, float[] y, int yo, int n, float lo, float hi) {
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      FloatVector.fromArray(F, x, xo + i).max(lo).min(hi).intoArray(y, yo + i);
    for (; i < n; i++) {
      float v = x[xo + i];
      y[yo + i] = v < lo ? lo : (v > hi ? hi : v);
    }
  }

  /** dx = dy where y > 0, else 0 (the gradient at 0 is 0, as in PyTorch). */
  public static void reluBackward(float[] y, float[] dy, float[] dx, int n) {
    int i = 0;
    FloatVector zero = FloatVector.zero(F);
    for (int bound = F.loopBound(n); i < bound; i += F.length()) {
      FloatVector yv = FloatVector.fromArray(F, y, i);
      zero.blend(FloatVector.fromArray(F, dy, i), yv.compare(jdk.incubator.vector.VectorOperators.GT, 0f)).intoArray(dx, i);
    }
    for (; i < n; i++) dx[i] = y[i] > 0f ? dy[i] : 0f;
  }

  public static void exp(float[] x, float[] y, int n) {
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      FloatVector.fromArray(F, x, i).lanewise(VectorOperators.EXP).intoArray(y, i);
    for (; i < n; i++) y[i] = (float) Math.exp(x[i]);
  }

  public static void log(float[] x, float[] y, int n) {
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      FloatVector.fromArray(F, x, i).lanewise(VectorOperators.LOG).intoArray(y, i);
    for (; i < n; i++) y[i] = (float) Math.log(x[i]);
  }

  public static void tanh(float[] x, float[] y, int n) {
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      FloatVector.fromArray(F, x, i).lanewise(VectorOperators.TANH).intoArray(y, i);
    for (; i < n; i++) y[i] = (float) Math.tanh(x[i]);
  }

  /** 1 / (1 + exp(-x)), written to saturate cleanly at both ends. */
  public static void sigmoid(float[] x, float[] y, int n) {
    int i = 0;
    FloatVector one = FloatVector.broadcast(F, 1f);
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      one.div(FloatVector.fromArray(F, x, i).neg().lanewise(VectorOperators.EXP).add(one)).intoArray(y, i);
    for (; i < n; i++) y[i] = (float) (1.0 / (1.0 + Math.exp(-x[i])));
  }

  /** Sums {@code x[xo .. xo+n)} in float lanes per block of 1024, then in double across lanes and blocks. */
  public static float sum(float[] x, int xo, int n) {
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
  public static float addLanes(FloatVector v) {
    float s = 0;
    for (int i = 0; i < v.length(); i++) s += v.lane(i);
    return s;
  }

  /** Largest of {@code x[xo .. xo+n)}, NaN if any is NaN; n must be >= 1. */
  public static float max(float[] x, int xo, int n) {
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

  public static float dot(float[] a, int ao, float[] b, int bo, int n) {
    int i = 0;
    FloatVector acc = FloatVector.zero(F);
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      acc = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc);
    float s = addLanes(acc);
    for (; i < n; i++) s += a[ao + i] * b[bo + i];
    return s;
  }

  /** Row-wise softmax over rows of length {@code n}: y = exp(x - max) / sum. */
  public static void softmaxRow(float[] x, int xo, float[] y, int yo, int n) {
    float m = max(x, xo, n);
    float s = expShifted(x, xo, y, yo, n, m);
    float inv = 1f / s;
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      FloatVector.fromArray(F, y, yo + i).mul(inv).intoArray(y, yo + i);
    for (; i < n; i++) y[yo + i] *= inv;
  }

  /** Row-wise log-softmax: y = x - max - log(sum(exp(x - max))). */
  public static void logSoftmaxRow(float[] x, int xo, float[] y, int yo, int n) {
    float m = max(x, xo, n);
    float s = expShifted(x, xo, y, yo, n, m);
    // (x - m) - log s, not x - (m + log s): m + log s rounds at m's magnitude (ulp 6e-5 at m = 1000).
    float logS = (float) Math.log(s);
    for (int i = 0; i < n; i++) y[yo + i] = (x[xo + i] - m) - logS;
  }

  // y = exp(x - m); returns the sum of y.
  private static float expShifted(float[] x, int xo, float[] y, int yo, int n, float m) {
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
