package org.neurite.ops;

import java.util.Arrays;
import org.neurite.autograd.Tape;
import org.neurite.kernels.Pointwise;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * Reductions along axes: sum, mean, max, argmax, var, prod; and along one axis the running sum (cumsum) and topk.
 * With no axes a reduction covers every element.
 * {@code keepDim} keeps each reduced axis with size 1, as PyTorch's {@code keepdim}.
 *
 * <p>Thread-safe: static methods with no shared mutable state (the graph lives in the tensors, grad mode
 * and workspaces are per thread); the tensors themselves are not thread-safe.
 */
public final class Reductions {
  private Reductions() {}

  // y = sum of x over axes.  dx = dy broadcast back over the reduced axes.
  public static Tensor sum(Tensor x, boolean keepDim, int... axes) {
    boolean[] reduced = reducedAxes("sum", x.rank(), axes);
    int[] kept = keptShape(x.shape(), reduced);
    Tensor y = Tensor.of(sumForward(x, reduced), keepDim ? kept : dropReduced(x.shape(), reduced));
    return Tape.record("sum", y, dy -> new Tensor[] {dy.reshape(kept).expand(x.shape())}, x);
  }

  // y = product of x over axes, as a chain of multiplications (so exact where x holds zeros); 1 over none.
  public static Tensor prod(Tensor x, boolean keepDim, int... axes) {
    boolean[] reduced = reducedAxes("prod", x.rank(), axes);
    Tensor y = x;
    for (int a = 0; a < reduced.length; a++) {
      if (!reduced[a]) continue;
      int[] one = y.shape();
      one[a] = 1;
      Tensor p = Tensor.ones(one);
      for (int i = 0; i < y.shape(a); i++) p = Arithmetic.mul(p, Views.slice(y, a, i, i + 1, 1));
      y = p;
    }
    return keepDim ? y : Views.reshape(y, dropReduced(x.shape(), reduced));
  }

  // y[i] = sum of x[j] along axis for j <= i (j < i when exclusive; j >= i, j > i when reverse).
  // dx = the same sum of dy taken the other way.
  public static Tensor cumsum(Tensor x, int axis, boolean exclusive, boolean reverse) {
    int a = Shape.axis("cumsum", axis, x.rank()), n = x.shape(a), inner = 1;
    for (int d = a + 1; d < x.rank(); d++) inner *= x.shape(d);
    float[] s = x.data(), out = new float[s.length];
    for (int o = 0; o < s.length; o += n * inner)
      for (int c = 0; c < inner; c++) {
        double acc = 0;
        for (int t = 0; t < n; t++) {
          int i = o + c + (reverse ? n - 1 - t : t) * inner;
          if (exclusive) out[i] = (float) acc;
          acc += s[i];
          if (!exclusive) out[i] = (float) acc;
        }
      }
    return Tape.record("cumsum", Tensor.of(out, x.shape()), dy -> new Tensor[] {cumsum(dy, a, exclusive, !reverse)}, x);
  }

  // {values, indices} of the k largest (or smallest) along axis, in order, ties to the lower index.
  // The values are gathered, so dx scatters dy back to where they came from; the indices have no gradient.
  public static Tensor[] topk(Tensor x, int k, int axis, boolean largest) {
    int a = Shape.axis("topk", axis, x.rank()), last = x.rank() - 1, n = x.shape(a);
    if (k < 0 || k > n) throw new IllegalArgumentException("topk: k = " + k + " is out of range for an axis of " + n);
    Tensor xt = Views.transpose(x.detach(), a, last);
    float[] v = xt.data(), idx = new float[v.length / Math.max(n, 1) * k];
    Integer[] order = new Integer[n];
    for (int r = 0; r * k < idx.length; r++) {
      int base = r * n;
      for (int i = 0; i < n; i++) order[i] = i;
      Arrays.sort(order, (p, q) -> largest ? Float.compare(v[base + q], v[base + p]) : Float.compare(v[base + p], v[base + q]));
      for (int j = 0; j < k; j++) idx[r * k + j] = order[j];
    }
    int[] shape = xt.shape();
    shape[last] = k;
    Tensor index = Views.transpose(Tensor.of(idx, shape), a, last).contiguous();
    return new Tensor[] {Indexing.gather(x, a, index), index};
  }

  // y = sum(x) / count.  Built on sum: dx = dy / count.
  public static Tensor mean(Tensor x, boolean keepDim, int... axes) {
    int count = count(x, reducedAxes("mean", x.rank(), axes));
    return Arithmetic.div(sum(x, keepDim, axes), Tensor.scalar(count));
  }

  // var = sum((x - mean)^2) / (count - correction).  Composite: the gradient follows from its parts.
  public static Tensor var(Tensor x, int correction, boolean keepDim, int... axes) {
    int count = count(x, reducedAxes("var", x.rank(), axes));
    Tensor d = Arithmetic.sub(x, mean(x, true, axes));
    return Arithmetic.div(sum(Arithmetic.mul(d, d), keepDim, axes), Tensor.scalar(Math.max(0, count - correction)));
  }

  // y = max over all elements.  dx = dy shared evenly among the elements equal to y (as torch.max()).
  public static Tensor max(Tensor x) {
    if (x.size() == 0) throw new IllegalArgumentException("max: tensor of shape " + Shape.str(x.shape()) + " is empty");
    float[] d = x.data();
    Tensor y = Tensor.scalar(Pointwise.max(d, 0, d.length));
    return Tape.record("max", y, dy -> {
      Tensor hits = Arithmetic.compare(Arithmetic.Cmp.EQ, x, y);
      return new Tensor[] {Arithmetic.mul(hits, Arithmetic.div(dy, sum(hits, false)))};
    }, x);
  }

  // y = max along axis = gather(x, argmax).  The gradient goes to the first maximum, through gather.
  public static Tensor max(Tensor x, int axis, boolean keepDim) {
    int a = Shape.axis("max", axis, x.rank());
    Tensor y = Indexing.gather(x, a, argmax(x, a, true));
    return keepDim ? y : y.squeeze(a);
  }

  /** Index of the first maximum along {@code axis}, as float values; NaN counts as the maximum. */
  public static Tensor argmax(Tensor x, int axis, boolean keepDim) {
    int a = Shape.axis("argmax", axis, x.rank());
    int[] s = x.shape();
    if (s[a] == 0) throw new IllegalArgumentException("argmax: axis " + axis + " of shape " + Shape.str(s) + " is empty");
    int outer = 1, inner = 1, n = s[a];
    for (int i = 0; i < a; i++) outer *= s[i];
    for (int i = a + 1; i < s.length; i++) inner *= s[i];
    float[] d = x.data();
    float[] out = new float[outer * inner];
    for (int o = 0; o < outer; o++) {
      for (int in = 0; in < inner; in++) {
        int base = o * n * inner + in, best = 0;
        float bv = d[base];
        for (int k = 1; k < n && !Float.isNaN(bv); k++) {
          float v = d[base + k * inner];
          if (v > bv || Float.isNaN(v)) {
            bv = v;
            best = k;
          }
        }
        out[o * inner + in] = best;
      }
    }
    s[a] = 1;
    Tensor y = Tensor.of(out, s);
    return keepDim ? y : y.squeeze(a);
  }

  /** Sums {@code g} down to {@code shape}: the gradient of broadcasting {@code shape} up to g's shape. */
  public static Tensor sumTo(Tensor g, int[] shape) {
    int[] gs = g.shape();
    if (Arrays.equals(gs, shape)) return g;
    int lead = gs.length - shape.length;
    boolean[] reduced = new boolean[gs.length];
    for (int i = 0; i < gs.length; i++) reduced[i] = i < lead || (shape[i - lead] == 1 && gs[i] != 1);
    return Tensor.of(sumForward(g, reduced), shape);
  }

  private static float[] sumForward(Tensor x, boolean[] reduced) {
    int r = x.rank();
    int[] s = x.shape();
    // Reduced axes as a prefix (the batch axis of a bias gradient): add whole rows, no transposition.
    int prefix = 0;
    while (prefix < r && reduced[prefix]) prefix++;
    boolean onlyPrefix = true;
    for (int i = prefix; i < r; i++) if (reduced[i]) onlyPrefix = false;
    // (Not when every axis is reduced: that is one row for Pointwise.sum, not n rows of one float each.)
    if (onlyPrefix && prefix > 0 && prefix < r) {
      float[] d = x.data();
      int outer = 1;
      for (int i = 0; i < prefix; i++) outer *= s[i];
      int n = Shape.size(Arrays.copyOfRange(s, prefix, r));
      float[] out = new float[n];
      for (int o = 0; o < outer; o++) Pointwise.axpy(n, 1f, d, o * n, out, 0);
      return out;
    }
    // General case: move reduced axes last, then sum contiguous rows.
    int[] perm = new int[r];
    int k = 0, rowLen = 1;
    for (int i = 0; i < r; i++) if (!reduced[i]) perm[k++] = i;
    for (int i = 0; i < r; i++) if (reduced[i]) {
      perm[k++] = i;
      rowLen *= s[i];
    }
    Tensor moved = Views.permuteRaw(x, perm);
    float[] d = moved.data();
    int rows = Shape.size(keptShape(s, reduced));
    float[] out = new float[rows];
    if (rowLen > 0) for (int i = 0; i < rows; i++) out[i] = Pointwise.sum(d, i * rowLen, rowLen);
    return out;
  }

  private static boolean[] reducedAxes(String op, int rank, int[] axes) {
    boolean[] red = new boolean[rank];
    if (axes.length == 0) {
      Arrays.fill(red, true);
      return red;
    }
    for (int a : axes) {
      int n = Shape.axis(op, a, rank);
      if (red[n]) throw new IllegalArgumentException(op + ": axis " + a + " appears twice in " + Arrays.toString(axes));
      red[n] = true;
    }
    return red;
  }

  // Elements folded into each output value.
  private static int count(Tensor x, boolean[] reduced) {
    int n = 1;
    for (int i = 0; i < reduced.length; i++) if (reduced[i]) n *= x.shape(i);
    return n;
  }

  private static int[] keptShape(int[] s, boolean[] reduced) {
    int[] k = s.clone();
    for (int i = 0; i < s.length; i++) if (reduced[i]) k[i] = 1;
    return k;
  }

  private static int[] dropReduced(int[] s, boolean[] reduced) {
    int n = 0;
    for (boolean b : reduced) if (!b) n++;
    int[] out = new int[n];
    for (int i = 0, j = 0; i < s.length; i++) if (!reduced[i]) out[j++] = s[i];
    return out;
  }
}
