package org.neurite.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API half of {@link Pool2d}: 2x2 stride-2 max pooling with lane selects. Loaded only when
 * {@link Simd#ENABLED}; without it {@link Pool2d}'s general window loop, which visits the same cells in the
 * same order, does these planes too.
 */
final class Pool2dVector {
  private Pool2dVector() {}

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
  private static final int V = F.length();
  private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(F, i -> 2 * i);
  private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(F, i -> 2 * i + 1);

  /**
   * Plane p of 2x2 stride-2 unpadded max pooling: every window lies inside the plane. Vectorised over
   * output columns: two input rows are split into even and odd columns, and the running maximum and
   * its index are updated with lane selects. Branches cost a misprediction per window on real
   * activations (about 17 ns per window measured, against under 1 ns here).
   */
  static void maxPlane2x2(PoolGeometry g, float[] x, float[] y, int[] argmax, int p, float[] tv, int[] ti,
                                  float[] tu) {
    int w = g.inW(), oh = g.outH(), ow = g.outW(), L = F.length();
    int xo = p * g.inH() * w, yo = p * oh * ow;
    IntVector twice = IntVector.zero(I).addIndex(2);   // 0, 2, 4, ...: offsets of even columns
    for (int i = 0; i < oh; i++) {
      int r0 = 2 * i * w, r1 = r0 + w, yr = yo + i * ow;
      // A row at least a vector wide ends with a vector that overlaps its neighbour (the overlap is
      // computed twice, cheaper than a tail). A narrower row (MNIST planes have fewer output columns
      // than a 16-lane vector) reads past the row, harmlessly, and stores through the scratch tile
      // tv/ti; only at the very end of the array are its last columns copied into the padded tu first.
      // Masked stores took 11% of a training step.
      for (int j0 = 0; j0 < ow; j0 += L) {
        int j = ow >= L ? Math.min(j0, ow - L) : j0;
        int c = 2 * j, span = 2 * (ow - j);
        FloatVector u0, u1, l0, l1;
        boolean inside = xo + r1 + c + 2 * L <= x.length;
        if (inside) {
          u0 = FloatVector.fromArray(F, x, xo + r0 + c);
          u1 = FloatVector.fromArray(F, x, xo + r0 + c + L);
          l0 = FloatVector.fromArray(F, x, xo + r1 + c);
          l1 = FloatVector.fromArray(F, x, xo + r1 + c + L);
        } else {
          // The array ends within these 2L columns: load from a zero-padded copy (masked loads here fell
          // back to scalar code and took 12% of a config-B benchmark).
          copyTail(x, xo + r0 + c, span, tu, 0);
          copyTail(x, xo + r1 + c, span, tu, 2 * L);
          u0 = FloatVector.fromArray(F, tu, 0);
          u1 = FloatVector.fromArray(F, tu, L);
          l0 = FloatVector.fromArray(F, tu, 2 * L);
          l1 = FloatVector.fromArray(F, tu, 3 * L);
        }
        // Window order (r0, c), (r0, c+1), (r1, c), (r1, c+1): a later cell wins if larger or NaN.
        FloatVector best = u0.rearrange(EVEN, u1);
        IntVector at = twice.add(r0 + c);
        FloatVector v = u0.rearrange(ODD, u1);
        VectorMask<Float> take = v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN));
        best = best.blend(v, take);
        at = at.blend(twice.add(r0 + c + 1), take.cast(I));
        v = l0.rearrange(EVEN, l1);
        take = v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN));
        best = best.blend(v, take);
        at = at.blend(twice.add(r1 + c), take.cast(I));
        v = l0.rearrange(ODD, l1);
        take = v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN));
        best = best.blend(v, take);
        at = at.blend(twice.add(r1 + c + 1), take.cast(I));
        if (j + L <= ow) {
          best.intoArray(y, yr + j);
          at.intoArray(argmax, yr + j);
        } else {
          best.intoArray(tv, 0);
          at.intoArray(ti, 0);
          System.arraycopy(tv, 0, y, yr + j, ow - j);
          System.arraycopy(ti, 0, argmax, yr + j, ow - j);
        }
      }
    }
  }

  /** dst[to, to + 2L) = src[from, from + n), as far as src goes, zeros after. */
  private static void copyTail(float[] src, int from, int n, float[] dst, int to) {
    int have = Math.max(0, Math.min(Math.min(n, 2 * F.length()), src.length - from));
    System.arraycopy(src, from, dst, to, have);
    Arrays.fill(dst, to + have, to + 2 * F.length(), 0f);
  }

  // The two passes of Pool2d.maxNoArgmax.

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
}
