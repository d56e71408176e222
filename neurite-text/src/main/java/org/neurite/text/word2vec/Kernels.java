package org.neurite.text.word2vec;

import org.neurite.kernels.Simd;

/**
 * The three float loops of word2vec training and querying: a dot product, {@code y += a*x}, and the
 * fused update of one output row. Rows are stored with a stride padded to a whole number of vectors
 * (the padding stays zero: every update adds multiples of zero-padded rows), so the vector loops need
 * no tail. Not a general kernel library: core's {@code org.neurite.kernels} is; these exist because
 * word2vec's rows are 100 floats and a call into a general kernel costs as much as the loop.
 *
 * <p>The vector loops are in {@link KernelsVector}, used when {@link Simd#ENABLED}; their scalar
 * references ({@code *Scalar}) are here, the fallback without the Vector API and the tests' oracle.
 */
final class Kernels {
  /** Floats per vector (on the scalar path the nominal {@link Simd#FLOAT_LANES}, which pads rows alike). */
  static final int LANES = Simd.FLOAT_LANES;

  private Kernels() {}

  /** The row stride for vectors of {@code dim} floats: dim rounded up to a whole number of SIMD vectors. */
  static int stride(int dim) {
    return (dim + LANES - 1) / LANES * LANES;
  }

  /** {@code sum x[xo + i] * y[yo + i]} for i in [0, n); n is a multiple of the vector length. */
  static float dot(float[] x, int xo, float[] y, int yo, int n) {
    return Simd.ENABLED ? KernelsVector.dot(x, xo, y, yo, n) : dotScalar(x, xo, y, yo, n);
  }

  static float dotScalar(float[] x, int xo, float[] y, int yo, int n) {
    float s = 0;
    for (int i = 0; i < n; i++) s += x[xo + i] * y[yo + i];
    return s;
  }

  /** {@code y[yo + i] += a * x[xo + i]} for i in [0, n); n is a multiple of the vector length. */
  static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
    if (Simd.ENABLED) KernelsVector.axpy(a, x, xo, y, yo, n);
    else axpyScalar(a, x, xo, y, yo, n);
  }

  /** {@code x[xo + i] *= a} for i in [0, n); n is a multiple of the vector length. */
  static void scale(float a, float[] x, int xo, int n) {
    if (Simd.ENABLED) KernelsVector.scale(a, x, xo, n);
    else for (int i = 0; i < n; i++) x[xo + i] *= a;
  }

  static void axpyScalar(float a, float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i++) y[yo + i] += a * x[xo + i];
  }

  /**
   * One output row's step in both directions, read once: {@code e += g * s; s += g * h}, where h is the
   * hidden vector (an input row in skip-gram, the context mean in CBOW), s the output row and e the
   * error accumulated for h. Same order as the C tool: e takes s before s moves.
   */
  static void update(float g, float[] h, int ho, float[] s, int so, float[] e, int eo, int n) {
    if (Simd.ENABLED) KernelsVector.update(g, h, ho, s, so, e, eo, n);
    else updateScalar(g, h, ho, s, so, e, eo, n);
  }

  static void updateScalar(float g, float[] h, int ho, float[] s, int so, float[] e, int eo, int n) {
    for (int i = 0; i < n; i++) {
      float sv = s[so + i];
      e[eo + i] += g * sv;
      s[so + i] = sv + g * h[ho + i];
    }
  }
}
