package org.neurite.onnx;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API loops of {@link Prims}' max pooling and {@link NnOps}' fused add-and-clamp, over whole
 * vectors; each returns the index it stopped at, and the caller's scalar loop does the rest. Loaded only
 * when {@link org.neurite.kernels.Simd#ENABLED}.
 */
final class OnnxVector {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int V = F.length();

  private OnnxVector() {}

  /** rows[out + j] = the max over taps b < kw of (b even ? even : odd)[j + b / 2]. */
  static int maxTaps(float[] even, float[] odd, int kw, float[] rows, int out, int ow) {
    int j = 0;
    for (int bound = F.loopBound(ow); j < bound; j += V) {
      FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
      for (int b = 0; b < kw; b++)
        m = m.max(FloatVector.fromArray(F, (b & 1) == 0 ? even : odd, j + (b >> 1)));
      m.intoArray(rows, out + j);
    }
    return j;
  }

  /** y[out + j] = max(y[out + j], rows[src + j]). */
  static int maxInto(float[] y, int out, float[] rows, int src, int ow) {
    int j = 0;
    for (int bound = F.loopBound(ow); j < bound; j += V)
      FloatVector.fromArray(F, y, out + j).max(FloatVector.fromArray(F, rows, src + j)).intoArray(y, out + j);
    return j;
  }

  /** y = min(hi, max(lo, a + b)). */
  static int addClamp(float[] a, float[] b, float[] y, float lo, float hi) {
    int n = y.length, i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      FloatVector.fromArray(F, a, i).add(FloatVector.fromArray(F, b, i)).max(lo).min(hi).intoArray(y, i);
    return i;
  }
}
