package org.neurite.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API loops of {@link Winograd}'s input and output transforms, over whole vectors of tiles;
 * each returns the tile it stopped at, and {@link Winograd}'s scalar loop does the rest. Loaded only when
 * {@link Simd#ENABLED}.
 */
final class WinogradVector {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  private WinogradVector() {}

  static int transformTiles(float[] d, int n, float[] v, int at, int plane) {
    int t = 0;
    for (int bound = S.loopBound(n); t < bound; t += L) {
      for (int i = 0; i < 4; i++) {
        // a_j = d[p][j] + sign * d[q][j]: (0, 2, -), (1, 2, +), (2, 1, -), (1, 3, -)
        int p = i == 2 ? 2 : (i == 0 ? 0 : 1), q = i == 0 || i == 1 ? 2 : (i == 2 ? 1 : 3);
        int rp = 4 * p * n + t, rq = 4 * q * n + t;
        FloatVector a0, a1, a2, a3;
        if (i == 1) {
          a0 = ld(d, rp).add(ld(d, rq));
          a1 = ld(d, rp + n).add(ld(d, rq + n));
          a2 = ld(d, rp + 2 * n).add(ld(d, rq + 2 * n));
          a3 = ld(d, rp + 3 * n).add(ld(d, rq + 3 * n));
        } else {
          a0 = ld(d, rp).sub(ld(d, rq));
          a1 = ld(d, rp + n).sub(ld(d, rq + n));
          a2 = ld(d, rp + 2 * n).sub(ld(d, rq + 2 * n));
          a3 = ld(d, rp + 3 * n).sub(ld(d, rq + 3 * n));
        }
        a0.sub(a2).intoArray(v, (4 * i) * plane + at + t);
        a1.add(a2).intoArray(v, (4 * i + 1) * plane + at + t);
        a2.sub(a1).intoArray(v, (4 * i + 2) * plane + at + t);
        a1.sub(a3).intoArray(v, (4 * i + 3) * plane + at + t);
      }
    }
    return t;
  }

  static int outputTiles(float[] m, int at, int plane, int n, float bias, float lo, float hi, float[] row0, float[] row1) {
    int half = n + L;
    int t = 0;
    for (int bound = S.loopBound(n); t < bound; t += L) {
      int o = at + t;
      FloatVector m00 = ld(m, o), m01 = ld(m, plane + o), m02 = ld(m, 2 * plane + o), m03 = ld(m, 3 * plane + o);
      FloatVector m10 = ld(m, 4 * plane + o), m11 = ld(m, 5 * plane + o), m12 = ld(m, 6 * plane + o), m13 = ld(m, 7 * plane + o);
      FloatVector m20 = ld(m, 8 * plane + o), m21 = ld(m, 9 * plane + o), m22 = ld(m, 10 * plane + o), m23 = ld(m, 11 * plane + o);
      FloatVector s0 = m10.add(m20), s1 = m11.add(m21), s2 = m12.add(m22), s3 = m13.add(m23);
      FloatVector q0 = m00.add(s0), q1 = m01.add(s1), q2 = m02.add(s2), q3 = m03.add(s3);
      q0.add(q1).add(q2).add(bias).max(lo).min(hi).intoArray(row0, t);
      q1.sub(q2).sub(q3).add(bias).max(lo).min(hi).intoArray(row0, half + t);
      FloatVector m30 = ld(m, 12 * plane + o), m31 = ld(m, 13 * plane + o), m32 = ld(m, 14 * plane + o), m33 = ld(m, 15 * plane + o);
      FloatVector r0 = m10.sub(m20).sub(m30), r1 = m11.sub(m21).sub(m31), r2 = m12.sub(m22).sub(m32), r3 = m13.sub(m23).sub(m33);
      r0.add(r1).add(r2).add(bias).max(lo).min(hi).intoArray(row1, t);
      r1.sub(r2).sub(r3).add(bias).max(lo).min(hi).intoArray(row1, half + t);
    }
    return t;
  }

  private static FloatVector ld(float[] a, int at) {
    return FloatVector.fromArray(S, a, at);
  }
}
