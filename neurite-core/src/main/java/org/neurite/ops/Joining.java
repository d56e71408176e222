package org.neurite.ops;

import org.neurite.autograd.Tape;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * Joining and splitting along an axis: concat, stack, split; and constant padding around each axis.
 *
 * <p>Thread-safe: static methods with no shared mutable state (the graph lives in the tensors, grad mode
 * and workspaces are per thread); the tensors themselves are not thread-safe.
 */
public final class Joining {
  private Joining() {}

  /**
   * PyTorch's {@code F.pad(x, pad, value=value)} (constant mode) with the pads per axis, outermost first:
   * {@code before[d]} and {@code after[d]} cells of {@code value} around axis d (both of length rank, each
   * >= 0). Shape: {@code out[d] = in[d] + before[d] + after[d]}.
   */
  // y = x with before[d] and after[d] cells of value around each axis d.  dx = the interior of dy.
  public static Tensor pad(Tensor x, int[] before, int[] after, float value) {
    int r = x.rank();
    if (before.length != r || after.length != r)
      throw new IllegalArgumentException("pad: needs " + r + " pads before and after for input " + Shape.str(x.shape()) + ", got "
          + before.length + " and " + after.length);
    int[] in = x.shape(), out = new int[r];
    for (int d = 0; d < r; d++) {
      if (before[d] < 0 || after[d] < 0)
        throw new IllegalArgumentException("pad: pads must be >= 0, got " + java.util.Arrays.toString(before) + " and "
            + java.util.Arrays.toString(after));
      out[d] = in[d] + before[d] + after[d];
    }
    float[] y = new float[Shape.size(out)];
    if (value != 0f) java.util.Arrays.fill(y, value);
    int[] ost = Shape.strides(out);
    int off = 0;
    for (int d = 0; d < r; d++) off += before[d] * ost[d];
    Views.copyInto(x, Tensor.wrap(y, off, in, ost));
    int interior = off;
    return Tape.record("pad", Tensor.of(y, out), dy -> {
      Tensor inner = Tensor.wrap(dy.data(), interior, in, ost);   // dy read densely, as y was laid out
      return new Tensor[] {Tensor.of(inner.toArray(), in)};
    }, x);
  }

  // y = parts laid end to end along axis.  d(part i) = the matching slice of dy.
  public static Tensor concat(int axis, Tensor... parts) {
    if (parts.length == 0) throw new IllegalArgumentException("concat: needs at least one tensor");
    int[] first = parts[0].shape();
    int a = Shape.axis("concat", axis, first.length);
    int total = 0;
    for (Tensor p : parts) {
      int[] s = p.shape();
      boolean ok = s.length == first.length;
      for (int d = 0; ok && d < s.length; d++) ok = d == a || s[d] == first[d];
      if (!ok)
        throw new IllegalArgumentException("concat: shapes " + Shape.str(first) + " and " + Shape.str(s)
            + " differ outside axis " + axis);
      total += s[a];
    }
    int[] out = first.clone();
    out[a] = total;
    int outer = 1, inner = 1;
    for (int d = 0; d < a; d++) outer *= out[d];
    for (int d = a + 1; d < out.length; d++) inner *= out[d];
    float[] y = new float[Shape.size(out)];
    int at = 0;
    int[] starts = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      starts[i] = at;
      float[] src = parts[i].data();
      int len = parts[i].shape(a) * inner;
      for (int o = 0; o < outer; o++) System.arraycopy(src, o * len, y, (o * total + at) * inner, len);
      at += parts[i].shape(a);
    }
    return Tape.record("concat", Tensor.of(y, out), dy -> {
      Tensor[] g = new Tensor[parts.length];
      for (int i = 0; i < parts.length; i++)
        if (parts[i].requiresGrad()) g[i] = Views.slice(dy, a, starts[i], starts[i] + parts[i].shape(a), 1);
      return g;
    }, parts);
  }

  /** Stacks equal-shaped tensors along a new axis: unsqueeze each, then concat. */
  public static Tensor stack(int axis, Tensor... parts) {
    if (parts.length == 0) throw new IllegalArgumentException("stack: needs at least one tensor");
    int a = Shape.axis("stack", axis, parts[0].rank() + 1);
    Tensor[] u = new Tensor[parts.length];
    for (int i = 0; i < parts.length; i++) {
      if (!Shape.same(parts[i].shape(), parts[0].shape()))
        throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Shape.str(parts[i].shape())
            + ", tensor 0 has " + Shape.str(parts[0].shape()));
      u[i] = parts[i].unsqueeze(a);
    }
    return concat(a, u);
  }

  /** Slices of the given sizes along axis (views; they share storage with x). */
  public static Tensor[] split(Tensor x, int axis, int... sizes) {
    int a = Shape.axis("split", axis, x.rank());
    int sum = 0;
    for (int s : sizes) {
      if (s < 0) throw new IllegalArgumentException("split: negative size in " + java.util.Arrays.toString(sizes));
      sum += s;
    }
    if (sum != x.shape(a))
      throw new IllegalArgumentException("split: sizes " + java.util.Arrays.toString(sizes) + " add up to " + sum
          + ", axis " + axis + " of shape " + Shape.str(x.shape()) + " has " + x.shape(a));
    Tensor[] out = new Tensor[sizes.length];
    int at = 0;
    for (int i = 0; i < sizes.length; i++) {
      out[i] = Views.slice(x, a, at, at + sizes[i], 1);
      at += sizes[i];
    }
    return out;
  }
}
