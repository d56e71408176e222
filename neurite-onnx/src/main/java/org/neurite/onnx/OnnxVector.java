package org.neurite.onnx;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API loop of {@link NnOps}' fused add-and-clamp, over whole vectors; it returns the index it
 * stopped at, and the caller's scalar loop does the rest. Loaded only when
 * {@link org.neurite.kernels.Simd#ENABLED}.
 */
final class OnnxVector {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  private OnnxVector() {}

  /** y = min(hi, max(lo, a + b)). */
  static int addClamp(float[] a, float[] b, float[] y, float lo, float hi) {
    int n = y.length, i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      FloatVector.fromArray(F, a, i).add(FloatVector.fromArray(F, b, i)).max(lo).min(hi).intoArray(y, i);
    return i;
  }
}
