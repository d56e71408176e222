package org.neurite.ops;

import java.util.Arrays;
import org.neurite.autograd.Tape;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Strided;
import org.neurite.tensor.Tensor;

/**
 * Views: new shapes and strides over the same storage (reshape copies only when the layout forbids a
 * view). The backward of a view maps the gradient back onto the input's shape. The {@code *Raw}
 * variants record nothing: they are for ops that rearrange data internally.
 *
 * <p>Thread-safe: static methods with no shared mutable state (the graph lives in the tensors, grad mode
 * and workspaces are per thread); the tensors themselves are not thread-safe.
 */
public final class Views {
  private Views() {}

  // y = x with shape newShape (one -1 inferred).  dx = dy reshaped to x's shape.
  public static Tensor reshape(Tensor x, int... newShape) {
    int[] shape = inferShape(x, newShape);
    Tensor src = x.isContiguous() ? x : Tensor.of(x.toArray(), x.shape());
    Tensor y = Tensor.wrap(src, src.offset(), shape, Shape.strides(shape));
    return Tape.record("reshape", y, dy -> new Tensor[] {reshape(dy, x.shape())}, x);
  }

  // y = x flattened over dims start..end.  A reshape.
  public static Tensor flatten(Tensor x, int start, int end) {
    int r = Math.max(1, x.rank());
    int s = Shape.axis("flatten", start, r), e = Shape.axis("flatten", end, r);
    if (s > e) throw new IllegalArgumentException("flatten: start (" + start + ") is after end (" + end + ")");
    if (x.rank() == 0) return reshape(x, 1);
    int[] in = x.shape();
    int[] out = new int[in.length - (e - s)];
    int k = 0;
    for (int i = 0; i < s; i++) out[k++] = in[i];
    int m = 1;
    for (int i = s; i <= e; i++) m *= in[i];
    out[k++] = m;
    for (int i = e + 1; i < in.length; i++) out[k++] = in[i];
    return reshape(x, out);
  }

  // y = x with axes reordered.  dx = dy permuted by the inverse.
  public static Tensor permute(Tensor x, int... axes) {
    Tensor y = permuteRaw(x, axes);
    int[] inverse = new int[axes.length];
    for (int i = 0; i < axes.length; i++) inverse[Shape.axis("permute", axes[i], x.rank())] = i;
    return Tape.record("permute", y, dy -> new Tensor[] {permute(dy, inverse)}, x);
  }

  public static Tensor transpose(Tensor x, int a, int b) {
    return permute(x, swap(x.rank(), Shape.axis("transpose", a, x.rank()), Shape.axis("transpose", b, x.rank())));
  }

  /** Permuted view that records nothing. */
  public static Tensor permuteRaw(Tensor x, int... axes) {
    int r = x.rank();
    if (axes.length != r)
      throw new IllegalArgumentException("permute: " + Arrays.toString(axes) + " has " + axes.length
          + " axes, tensor of shape " + Shape.str(x.shape()) + " has " + r);
    int[] s = x.shape(), st = x.strides(), ns = new int[r], nst = new int[r];
    boolean[] used = new boolean[r];
    for (int i = 0; i < r; i++) {
      int a = Shape.axis("permute", axes[i], r);
      if (used[a]) throw new IllegalArgumentException("permute: axis " + axes[i] + " repeats in " + Arrays.toString(axes));
      used[a] = true;
      ns[i] = s[a];
      nst[i] = st[a];
    }
    return Tensor.wrap(x, x.offset(), ns, nst);
  }

  /** Transposed view that records nothing. */
  public static Tensor transposeRaw(Tensor x, int a, int b) {
    return permuteRaw(x, swap(x.rank(), a, b));
  }

  private static int[] swap(int r, int a, int b) {
    int[] p = new int[r];
    for (int i = 0; i < r; i++) p[i] = i;
    p[a] = b;
    p[b] = a;
    return p;
  }

  // y = x[start:end:step] along axis.  dx = zeros with dy written into the same slice.
  public static Tensor slice(Tensor x, int axis, int start, int end, int step) {
    int a = Shape.axis("slice", axis, x.rank());
    int n = x.shape(a);
    if (step < 1) throw new IllegalArgumentException("slice: step (" + step + ") must be >= 1");
    int s = clampIndex(start, n), e = clampIndex(end, n);
    int len = e > s ? (e - s + step - 1) / step : 0;
    int[] shape = x.shape(), st = x.strides();
    shape[a] = len;
    int off = x.offset() + (len > 0 ? s * st[a] : 0);
    st[a] *= step;
    Tensor y = Tensor.wrap(x, off, shape, st);
    return Tape.record("slice", y, dy -> {
      Tensor dx = Tensor.zerosLike(x);
      int[] dst = dx.strides();
      int dOff = len > 0 ? s * dst[a] : 0;
      dst[a] *= step;
      copyInto(dy, Tensor.wrap(dx, dOff, shape, dst));
      return new Tensor[] {dx};
    }, x);
  }

  private static int clampIndex(int i, int n) {
    int j = i < 0 ? i + n : i;
    return Math.max(0, Math.min(n, j));
  }

  /** Copies src's elements into the view dst (same shape). */
  static void copyInto(Tensor src, Tensor dst) {
    float[] from = src.storage(), to = dst.storage();
    Strided.forEachRow(src.shape(), new int[] {src.offset(), dst.offset()},
        new int[][] {src.strides(), dst.strides()}, (n, off, st) -> {
          if (st[0] == 1 && st[1] == 1) System.arraycopy(from, off[0], to, off[1], n);
          else for (int i = 0; i < n; i++) to[off[1] + i * st[1]] = from[off[0] + i * st[0]];
        });
  }

  // Removes size-1 dimensions.  dx = dy reshaped back.
  public static Tensor squeeze(Tensor x) {
    int[] s = x.shape(), st = x.strides();
    int n = 0;
    for (int d : s) if (d != 1) n++;
    int[] ns = new int[n], nst = new int[n];
    for (int i = 0, j = 0; i < s.length; i++) if (s[i] != 1) {
      ns[j] = s[i];
      nst[j++] = st[i];
    }
    return shapeView("squeeze", x, ns, nst);
  }

  public static Tensor squeeze(Tensor x, int axis) {
    int a = Shape.axis("squeeze", axis, x.rank());
    if (x.shape(a) != 1) return x;   // as PyTorch: squeezing a non-1 axis is a no-op
    int[] s = x.shape(), st = x.strides();
    int[] ns = new int[s.length - 1], nst = new int[s.length - 1];
    for (int i = 0, j = 0; i < s.length; i++) if (i != a) {
      ns[j] = s[i];
      nst[j++] = st[i];
    }
    return shapeView("squeeze", x, ns, nst);
  }

  // Inserts a size-1 dimension at axis (0..rank).  dx = dy reshaped back.
  public static Tensor unsqueeze(Tensor x, int axis) {
    int a = Shape.axis("unsqueeze", axis, x.rank() + 1);
    int[] s = x.shape(), st = x.strides();
    int[] ns = new int[s.length + 1], nst = new int[s.length + 1];
    for (int i = 0, j = 0; i < ns.length; i++) {
      if (i == a) {
        ns[i] = 1;
        nst[i] = a < s.length ? st[a] * s[a] : 1;
      } else {
        ns[i] = s[j];
        nst[i] = st[j++];
      }
    }
    return shapeView("unsqueeze", x, ns, nst);
  }

  private static Tensor shapeView(String op, Tensor x, int[] shape, int[] strides) {
    Tensor y = Tensor.wrap(x, x.offset(), shape, strides);
    return Tape.record(op, y, dy -> new Tensor[] {reshape(dy, x.shape())}, x);
  }

  // y = x broadcast to newShape with stride 0 (no copy).  dx = dy summed back to x's shape.
  public static Tensor expand(Tensor x, int... newShape) {
    int r = newShape.length, lead = r - x.rank();
    if (lead < 0)
      throw new IllegalArgumentException("expand: cannot expand shape " + Shape.str(x.shape()) + " to fewer dimensions "
          + Shape.str(newShape));
    int[] s = x.shape(), st = x.strides(), ns = new int[r], nst = new int[r];
    for (int i = 0; i < r; i++) {
      int want = newShape[i];
      if (i < lead) {
        if (want < 0) throw new IllegalArgumentException("expand: -1 is not allowed for the new leading dimension " + i);
        ns[i] = want;
        continue;
      }
      int have = s[i - lead];
      if (want == -1 || want == have) {
        ns[i] = have;
        nst[i] = st[i - lead];
      } else if (have == 1) {
        ns[i] = want;
      } else {
        throw new IllegalArgumentException("expand: shape " + Shape.str(s) + " cannot expand to " + Shape.str(newShape)
            + ": dimension " + i + " is " + have + ", not 1");
      }
    }
    Tensor y = Tensor.wrap(x, x.offset(), ns, nst);
    return Tape.record("expand", y, dy -> new Tensor[] {Reductions.sumTo(dy, x.shape())}, x);
  }

  // y = dense copy of x.  dx = dy.
  public static Tensor contiguous(Tensor x) {
    if (x.isDense()) return x;
    Tensor y = Tensor.of(x.toArray(), x.shape());
    return Tape.record("contiguous", y, dy -> new Tensor[] {dy}, x);
  }

  private static int[] inferShape(Tensor x, int[] newShape) {
    int infer = -1, known = 1;
    for (int i = 0; i < newShape.length; i++) {
      if (newShape[i] == -1) {
        if (infer >= 0) throw new IllegalArgumentException("reshape: only one dimension can be -1 in " + Shape.str(newShape));
        infer = i;
      } else if (newShape[i] < 0) {
        throw new IllegalArgumentException("reshape: negative dimension in " + Shape.str(newShape));
      } else {
        known *= newShape[i];
      }
    }
    int[] shape = newShape.clone();
    int n = x.size();
    if (infer >= 0) {
      if (known == 0 || n % known != 0)
        throw new IllegalArgumentException("reshape: cannot reshape " + Shape.str(x.shape()) + " (" + n + " elements) to "
            + Shape.str(newShape));
      shape[infer] = n / known;
    } else if (known != n) {
      throw new IllegalArgumentException("reshape: cannot reshape " + Shape.str(x.shape()) + " (" + n + " elements) to "
          + Shape.str(newShape) + " (" + known + " elements)");
    }
    return shape;
  }
}
