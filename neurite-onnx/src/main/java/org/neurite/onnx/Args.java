package org.neurite.onnx;

import java.util.Arrays;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/** Reading integer arguments (shapes, axes, pads) out of tensors, with errors that name the node. */
final class Args {
  private Args() {}

  /** The values of an integer tensor; each must be a whole number. */
  static long[] longs(Node n, Tensor t, String what) {
    float[] v = t.data();
    long[] out = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      float x = v[i];
      if (x != Math.rint(x) && !Float.isInfinite(x))
        throw n.error(what + " must hold whole numbers, got " + x + " at position " + i);
      out[i] = (long) x;   // saturates: +-9.2e18 (INT64_MAX/MIN in float) become Long.MAX_VALUE/MIN_VALUE
    }
    return out;
  }

  /** Values that must fit in [lo, hi]. */
  static int[] ints(Node n, Tensor t, String what, long lo, long hi) {
    long[] v = longs(n, t, what);
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      if (v[i] < lo || v[i] > hi)
        throw n.error(what + " " + Arrays.toString(v) + ": values must be in [" + lo + ", " + hi + "]");
      out[i] = (int) v[i];
    }
    return out;
  }

  /** Clamps a long into int range (slice bounds such as INT64_MAX). */
  static int clampInt(long v) {
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
  }

  /** A possibly negative axis normalised to [0, rank). */
  static int axis(Node n, long a, int rank) {
    long r = a < 0 ? a + rank : a;
    if (r < 0 || r >= rank) throw n.error("axis " + a + " is out of range for a tensor of rank " + rank);
    return (int) r;
  }

  static int[] axes(Node n, long[] a, int rank) {
    int[] out = new int[a.length];
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < a.length; i++) {
      out[i] = axis(n, a[i], rank);
      if (seen[out[i]]) throw n.error("axis " + a[i] + " repeats in " + Arrays.toString(a));
      seen[out[i]] = true;
    }
    return out;
  }

  static int[] range(int from, int to) {
    int[] out = new int[Math.max(0, to - from)];
    for (int i = 0; i < out.length; i++) out[i] = from + i;
    return out;
  }

  /** A 1-D tensor of whole numbers. */
  static Tensor vector(long... v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) f[i] = v[i];
    return Tensor.of(f, v.length);
  }

  static Tensor vector(int... v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) f[i] = v[i];
    return Tensor.of(f, v.length);
  }

  static String shape(Tensor t) {
    return Shape.str(t.shape());
  }
}
