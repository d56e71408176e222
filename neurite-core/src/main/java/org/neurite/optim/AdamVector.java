package org.neurite.optim;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The whole vectors of {@link Adam}'s update, with the scalar loop's operations in its order (no fused
 * multiply-adds), so both give the same bits. Loaded only when {@link org.neurite.kernels.Simd#ENABLED}.
 */
final class AdamVector {
  private AdamVector() {}

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  /** Updates elements from .. of the whole vectors up to; returns where it stopped. */
  static int update(float[] w, float[] g, float[] mi, float[] vi, int from, int to, float decay, float l2,
                    float stepSize, float sqrtC2, float b1, float b2, float c1, float c2, float e) {
    int j = from;
    for (int bound = from + F.loopBound(to - from); j < bound; j += F.length()) {
      var wv = FloatVector.fromArray(F, w, j).mul(decay);
      var gv = FloatVector.fromArray(F, g, j).add(wv.mul(l2));
      var mv = FloatVector.fromArray(F, mi, j).mul(b1).add(gv.mul(c1));
      var vv = FloatVector.fromArray(F, vi, j).mul(b2).add(gv.mul(c2).mul(gv));
      mv.intoArray(mi, j);
      vv.intoArray(vi, j);
      wv.sub(mv.mul(stepSize).div(vv.sqrt().div(sqrtC2).add(e))).intoArray(w, j);
    }
    return j;
  }
}
