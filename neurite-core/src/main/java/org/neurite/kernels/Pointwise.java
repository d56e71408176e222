package org.neurite.kernels;

/**
 * Elementwise loops on float arrays. Binary kernels take one run of {@code n} elements per operand,
 * each with an offset and a stride of 1 or 0 (0 = a broadcast scalar): the caller walks the outer
 * dimensions. Unary kernels read {@code x[0..n)} and write {@code y[0..n)} (x and y may be the same).
 *
 * <p>The Vector API is used where the JIT does not vectorise on its own (transcendentals, mixed
 * strides), in {@link PointwiseVector}, which runs the whole vectors and returns where it stopped; the
 * scalar loop here finishes the tail, and without the Vector API ({@link Simd}) it does all of it, so
 * it is also the reference. Reductions, whose lanes cannot be handed over half done, have a whole
 * scalar twin ({@code sumScalar}, ...).
 *
 * <p>Thread-safe: static methods with no shared mutable state; concurrent calls must write to disjoint
 * output arrays.
 */
public final class Pointwise {
  public static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3, MAX = 4, MIN = 5, POW = 6;

  private Pointwise() {}

  /** {@code c[co + i] = a[ao + i*as] (op) b[bo + i*bs]} for i in [0, n); strides are 0 or 1. */
  public static void binary(int op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] c, int co, int n) {
    int i = 0;
    if (Simd.ENABLED && op <= DIV && n >= Simd.FLOAT_LANES) i = PointwiseVector.binary(op, a, ao, as, b, bo, bs, c, co, n);
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

  /** {@code y[yo + i] += alpha * x[xo + i]}. */
  public static void axpy(int n, float alpha, float[] x, int xo, float[] y, int yo) {
    int i = Simd.ENABLED ? PointwiseVector.axpy(n, alpha, x, xo, y, yo) : 0;
    for (; i < n; i++) y[yo + i] += alpha * x[xo + i];
  }

  // ------------------------------------------------------------------ unary maps

  public static void relu(float[] x, float[] y, int n) {
    int i = Simd.ENABLED ? PointwiseVector.relu(x, y, n) : 0;
    for (; i < n; i++) y[i] = x[i] > 0f ? x[i] : (Float.isNaN(x[i]) ? x[i] : 0f);
  }

  /** {@code y[yo + i] = min(max(x[xo + i], lo), hi)} for i in [0, n); NaN stays NaN, as PyTorch's clamp. */
  public static void clamp(float[] x, int xo, float[] y, int yo, int n, float lo, float hi) {
    int i = Simd.ENABLED ? PointwiseVector.clamp(x, xo, y, yo, n, lo, hi) : 0;
    for (; i < n; i++) {
      float v = x[xo + i];
      y[yo + i] = v < lo ? lo : (v > hi ? hi : v);
    }
  }

  /** dx = dy where y > 0, else 0 (the gradient at 0 is 0, as in PyTorch). */
  public static void reluBackward(float[] y, float[] dy, float[] dx, int n) {
    int i = Simd.ENABLED ? PointwiseVector.reluBackward(y, dy, dx, n) : 0;
    for (; i < n; i++) dx[i] = y[i] > 0f ? dy[i] : 0f;
  }

  public static void exp(float[] x, float[] y, int n) {
    int i = Simd.ENABLED ? PointwiseVector.exp(x, y, n) : 0;
    for (; i < n; i++) y[i] = (float) Math.exp(x[i]);
  }

  public static void log(float[] x, float[] y, int n) {
    int i = Simd.ENABLED ? PointwiseVector.log(x, y, n) : 0;
    for (; i < n; i++) y[i] = (float) Math.log(x[i]);
  }

  public static void tanh(float[] x, float[] y, int n) {
    int i = Simd.ENABLED ? PointwiseVector.tanh(x, y, n) : 0;
    for (; i < n; i++) y[i] = (float) Math.tanh(x[i]);
  }

  /** 1 / (1 + exp(-x)), written to saturate cleanly at both ends. */
  public static void sigmoid(float[] x, float[] y, int n) {
    int i = Simd.ENABLED ? PointwiseVector.sigmoid(x, y, n) : 0;
    for (; i < n; i++) y[i] = (float) (1.0 / (1.0 + Math.exp(-x[i])));
  }

  /** Sums {@code x[xo .. xo+n)}: in float lanes per block of 1024, then in double (vector path), or in double. */
  public static float sum(float[] x, int xo, int n) {
    return Simd.ENABLED ? PointwiseVector.sum(x, xo, n) : sumScalar(x, xo, n);
  }

  static float sumScalar(float[] x, int xo, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += x[xo + i];
    return (float) s;
  }

  /** Largest of {@code x[xo .. xo+n)}, NaN if any is NaN; n must be >= 1. */
  public static float max(float[] x, int xo, int n) {
    return Simd.ENABLED ? PointwiseVector.max(x, xo, n) : maxScalar(x, xo, n);
  }

  static float maxScalar(float[] x, int xo, int n) {
    float m = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) m = Math.max(m, x[xo + i]);
    return m;
  }

  public static float dot(float[] a, int ao, float[] b, int bo, int n) {
    return Simd.ENABLED ? PointwiseVector.dot(a, ao, b, bo, n) : dotScalar(a, ao, b, bo, n);
  }

  static float dotScalar(float[] a, int ao, float[] b, int bo, int n) {
    float s = 0;
    for (int i = 0; i < n; i++) s += a[ao + i] * b[bo + i];
    return s;
  }

  /** Row-wise softmax over rows of length {@code n}: y = exp(x - max) / sum. */
  public static void softmaxRow(float[] x, int xo, float[] y, int yo, int n) {
    float m = max(x, xo, n);
    float s = expShifted(x, xo, y, yo, n, m);
    float inv = 1f / s;
    int i = Simd.ENABLED ? PointwiseVector.scale(y, yo, n, inv) : 0;
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
    if (Simd.ENABLED) return PointwiseVector.expShifted(x, xo, y, yo, n, m);
    double s = 0;
    for (int i = 0; i < n; i++) {
      float e = (float) Math.exp(x[xo + i] - m);
      y[yo + i] = e;
      s += e;
    }
    return (float) s;
  }
}
