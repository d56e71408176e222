package org.neurite.text.word2vec;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API loops of {@link Kernels}, loaded only when {@link org.neurite.kernels.Simd#ENABLED}.
 * n is always a multiple of the vector length (rows are padded), so no loop has a tail.
 */
final class KernelsVector {
  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length();

  private KernelsVector() {}

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
}
