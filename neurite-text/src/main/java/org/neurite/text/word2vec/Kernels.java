package org.neurite.text.word2vec;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The three float loops of word2vec training and querying: a dot product, {@code y += a*x}, and the
 * fused update of one output row. Rows are stored with a stride padded to a whole number of vectors
 * (the padding stays zero: every update adds multiples of zero-padded rows), so the vector loops need
 * no tail. Not a general kernel library: core's {@code org.neurite.kernels} is; these exist because
 * word2vec's rows are 100 floats and a call into a general kernel costs as much as the loop.
 *
 * <p>Each vector loop has its scalar reference beside it ({@code *Scalar}), used by the tests.
 */
final class Kernels {
  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length();

  private Kernels() {}

  /** The row stride for vectors of {@code dim} floats: dim rounded up to a whole number of SIMD vectors. */
  static int stride(int dim) {
    return (dim + L - 1) / L * L;
  }

  /** {@code sum x[xo + i] * y[yo + i]} for i in [0, n); n is a multiple of the vector length. */
  static float dot(float[] x, int xo, float[] y, int yo, int n) {
    // Two accumulators halve the FMA latency chain (a 100-float row is 13 vectors of 8).
    FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
    int i = 0;
    for (; i + 2 * L <= n; i += 2 * L) {
      a0 = FloatVector.fromArray(F, x, xo + i).fma(FloatVector.fromArray(F, y, yo + i), a0);
      a1 = FloatVector.fromArray(F, x, xo + i + L).fma(FloatVector.fromArray(F, y, yo + i + L), a1);
    }
    if (i < n) a0 = FloatVector.fromArray(F, x, xo + i).fma(FloatVector.fromArray(F, y, yo + i), a0);
    return sum(a0.add(a1));
  }

  /**
   * The sum of the lanes, left to right. Not {@code reduceLanes(ADD)}: its order differs between the
   * interpreter and the JIT's intrinsic, and one worker with a seed must give the same vectors bit for
   * bit whenever the JIT happens to compile. Not a shuffle tree either: a shuffle read from an array
   * is not a constant to C2, which then sometimes failed to intrinsify it and ran the whole loop at
   * half speed for the rest of the JVM's life.
   */
  static float sum(FloatVector v) {
    float s = 0;
    for (int i = 0; i < L; i++) s += v.lane(i);
    return s;
  }

  static float dotScalar(float[] x, int xo, float[] y, int yo, int n) {
    float s = 0;
    for (int i = 0; i < n; i++) s += x[xo + i] * y[yo + i];
    return s;
  }

  /** {@code y[yo + i] += a * x[xo + i]} for i in [0, n); n is a multiple of the vector length. */
  static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
    FloatVector va = FloatVector.broadcast(F, a);
    for (int i = 0; i < n; i += L)
      FloatVector.fromArray(F, x, xo + i).fma(va, FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
  }

  /** {@code x[xo + i] *= a} for i in [0, n); n is a multiple of the vector length. */
  static void scale(float a, float[] x, int xo, int n) {
    for (int i = 0; i < n; i += L) FloatVector.fromArray(F, x, xo + i).mul(a).intoArray(x, xo + i);
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
    FloatVector vg = FloatVector.broadcast(F, g);
    for (int i = 0; i < n; i += L) {
      FloatVector sv = FloatVector.fromArray(F, s, so + i);
      sv.fma(vg, FloatVector.fromArray(F, e, eo + i)).intoArray(e, eo + i);
      FloatVector.fromArray(F, h, ho + i).fma(vg, sv).intoArray(s, so + i);
    }
  }

  static void updateScalar(float g, float[] h, int ho, float[] s, int so, float[] e, int eo, int n) {
    for (int i = 0; i < n; i++) {
      float sv = s[so + i];
      e[eo + i] += g * sv;
      s[so + i] = sv + g * h[ho + i];
    }
  }
}
