package org.neurite.ops;

import org.neurite.autograd.Tape;
import org.neurite.kernels.Pointwise;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * Indexing: embedding lookup, gather, index-select, scatter-add, where, triangle and masked fill. Index tensors hold whole numbers
 * in float32; a fractional or out-of-range index is an error naming the op, the position and the range.
 *
 * <p>Thread-safe: static methods with no shared mutable state (the graph lives in the tensors, grad mode
 * and workspaces are per thread); the tensors themselves are not thread-safe.
 */
public final class Indexing {
  private Indexing() {}

  /**
   * PyTorch's {@code F.embedding(ids, weight, padding_idx)}: row {@code ids[p]} of {@code weight} for
   * every position p. Shape: ids {@code [...]} (whole numbers in float32), weight {@code [vocab, dim]},
   * out {@code [..., dim]}. The row {@code paddingIdx} (-1: none) gets no gradient.
   */
  // y[p, :] = W[ids[p], :].  dW[ids[p], :] += dy[p, :] for every p whose id is not the padding index.
  public static Tensor embedding(Tensor ids, Tensor weight, int paddingIdx) {
    if (weight.rank() != 2)
      throw new IllegalArgumentException("embedding: weight must be [vocab, dim], got " + Shape.str(weight.shape()));
    int vocab = weight.shape(0), dim = weight.shape(1);
    float[] v = ids.data(), w = weight.data();
    int[] rows = new int[v.length];
    for (int p = 0; p < v.length; p++) {
      int i = (int) v[p];
      if (i != v[p] || i < 0 || i >= vocab)
        throw new IllegalArgumentException("embedding: token id " + (i == v[p] ? String.valueOf(i) : String.valueOf(v[p]))
            + " at position " + Shape.str(coordinates(p, ids.shape())) + " is not in [0, " + vocab + ") (vocabulary size "
            + vocab + ")");
      rows[p] = i;
    }
    float[] y = new float[v.length * dim];
    for (int p = 0; p < rows.length; p++) System.arraycopy(w, rows[p] * dim, y, p * dim, dim);
    int[] shape = java.util.Arrays.copyOf(ids.shape(), ids.rank() + 1);
    shape[ids.rank()] = dim;
    return Tape.record("embedding", Tensor.of(y, shape), dy -> {
      float[] g = dy.data(), dw = new float[vocab * dim];
      for (int p = 0; p < rows.length; p++)
        if (rows[p] != paddingIdx) Pointwise.axpy(dim, 1f, g, p * dim, dw, rows[p] * dim);
      return new Tensor[] {Tensor.of(dw, vocab, dim)};
    }, weight);
  }

  /** The coordinates of flat position p in shape (row-major). */
  private static int[] coordinates(int p, int[] shape) {
    int[] c = new int[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      c[d] = shape[d] == 0 ? 0 : p % shape[d];
      p = shape[d] == 0 ? p : p / shape[d];
    }
    return c;
  }

  // y[..i..] = x[..index[..i..]..] along axis.  dx = zeros, scatter-added with dy at index.
  public static Tensor gather(Tensor x, int axis, Tensor index) {
    int a = Shape.axis("gather", axis, x.rank());
    checkIndexShape("gather", x.shape(), index.shape(), a);
    float[] src = x.data(), idx = index.data();
    int[] xs = x.shape(), is = index.shape();
    int[] xStrides = Shape.strides(xs);
    float[] out = new float[idx.length];
    walk(is, a, (p, base, j) -> out[p] = src[base + at("gather", idx[p], p, xs[a]) * xStrides[a]], xStrides);
    Tensor y = Tensor.of(out, is);
    return Tape.record("gather", y, dy -> new Tensor[] {scatterAddRaw(Tensor.zerosLike(x), a, index, dy), null}, x, index);
  }

  // y = self with src added at index along axis.  dself = dy, dsrc = gather(dy, index).
  public static Tensor scatterAdd(Tensor self, int axis, Tensor index, Tensor src) {
    int a = Shape.axis("scatter_add", axis, self.rank());
    if (!Shape.same(index.shape(), src.shape()))
      throw new IllegalArgumentException("scatter_add: index shape " + Shape.str(index.shape()) + " differs from src shape "
          + Shape.str(src.shape()));
    checkIndexShape("scatter_add", self.shape(), index.shape(), a);
    Tensor y = scatterAddRaw(Tensor.of(self.toArray(), self.shape()), a, index, src);
    return Tape.record("scatter_add", y, dy -> new Tensor[] {dy, null, src.requiresGrad() ? gather(dy, a, index) : null},
        self, index, src);
  }

  // Adds src into dest (dense, modified and returned) at index along axis.
  private static Tensor scatterAddRaw(Tensor dest, int a, Tensor index, Tensor src) {
    float[] d = dest.storage(), idx = index.data(), s = src.data();
    int[] ds = dest.shape();
    int[] dStrides = Shape.strides(ds);
    walk(index.shape(), a, (p, base, j) -> d[base + at("scatter_add", idx[p], p, ds[a]) * dStrides[a]] += s[p], dStrides);
    return dest;
  }

  // y = x.index_select(axis, index).  dx = zeros with dy's slices added back at index (repeats add up).
  public static Tensor indexSelect(Tensor x, int axis, int... index) {
    int a = Shape.axis("index_select", axis, x.rank());
    int[] s = x.shape();
    int n = s[a], outer = 1, inner = 1;
    for (int i = 0; i < a; i++) outer *= s[i];
    for (int i = a + 1; i < s.length; i++) inner *= s[i];
    for (int p = 0; p < index.length; p++)
      if (index[p] < 0 || index[p] >= n)
        throw new IndexOutOfBoundsException("index_select: index " + index[p] + " at position " + p
            + " is out of range [0, " + n + ") for axis " + axis + " of shape " + Shape.str(s));
    float[] src = x.data();
    int m = index.length;
    float[] out = new float[outer * m * inner];
    for (int o = 0; o < outer; o++)
      for (int p = 0; p < m; p++)
        System.arraycopy(src, (o * n + index[p]) * inner, out, (o * m + p) * inner, inner);
    int[] os = s.clone();
    os[a] = m;
    Tensor y = Tensor.of(out, os);
    int fo = outer, fi = inner;
    return Tape.record("index_select", y, dy -> {
      float[] g = dy.data(), dx = new float[src.length];
      for (int o = 0; o < fo; o++)
        for (int p = 0; p < m; p++) {
          int from = (o * m + p) * fi, to = (o * n + index[p]) * fi;
          for (int i = 0; i < fi; i++) dx[to + i] += g[from + i];
        }
      return new Tensor[] {Tensor.of(dx, s)};
    }, x);
  }

  // y = x where column - row >= k (upper) or <= k (lower) in the last two axes, else 0 (torch.triu, tril).
  // A where: dx = dy masked alike.
  public static Tensor triangle(Tensor x, long k, boolean upper) {
    if (x.rank() < 2) throw new IllegalArgumentException("triangle: needs rank 2 or more, got " + Shape.str(x.shape()));
    int rows = x.shape(-2), cols = x.shape(-1);
    float[] mask = new float[rows * cols];
    for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) mask[i * cols + j] = (upper ? j - i >= k : j - i <= k) ? 1 : 0;
    return where(Tensor.of(mask, rows, cols), x, Tensor.scalar(0f));
  }

  // y = cond != 0 ? a : b (broadcasting).  da = dy where cond, db = dy elsewhere (each summed to shape).
  public static Tensor where(Tensor cond, Tensor a, Tensor b) {
    int[] shape = Shape.broadcast("where", Shape.broadcast("where", cond.shape(), a.shape()), b.shape());
    Tensor mask = Arithmetic.compare(Arithmetic.Cmp.NE, cond, Tensor.scalar(0f)).expand(shape);
    Tensor ae = a.expand(shape), be = b.expand(shape);
    float[] m = mask.data(), av = ae.data(), bv = be.data(), out = new float[m.length];
    for (int i = 0; i < out.length; i++) out[i] = m[i] != 0f ? av[i] : bv[i];
    Tensor y = Tensor.of(out, shape);
    return Tape.record("where", y, dy -> new Tensor[] {null,
        a.requiresGrad() ? Reductions.sumTo(Arithmetic.mul(dy, mask), a.shape()) : null,
        b.requiresGrad() ? Reductions.sumTo(Arithmetic.sub(dy, Arithmetic.mul(dy, mask)), b.shape()) : null},
        cond, a, b);
  }

  /** {@code value} where mask is non-zero, x elsewhere; mask broadcasts to x's shape. */
  public static Tensor maskedFill(Tensor x, Tensor mask, float value) {
    int[] s = Shape.broadcast("masked_fill", mask.shape(), x.shape());
    if (!Shape.same(s, x.shape()))
      throw new IllegalArgumentException("masked_fill: mask of shape " + Shape.str(mask.shape())
          + " does not broadcast to the input's shape " + Shape.str(x.shape()));
    return where(mask, Tensor.scalar(value), x);
  }

  private static int at(String op, float v, int p, int n) {
    int i = (int) v;
    if (i != v || i < 0 || i >= n)
      throw new IndexOutOfBoundsException(op + ": index " + v + " at position " + p + " is out of range [0, " + n + ")");
    return i;
  }

  private static void checkIndexShape(String op, int[] xs, int[] is, int a) {
    if (xs.length != is.length)
      throw new IllegalArgumentException(op + ": index of shape " + Shape.str(is) + " needs the same rank as "
          + Shape.str(xs));
    for (int d = 0; d < xs.length; d++)
      if (d != a && is[d] > xs[d])
        throw new IllegalArgumentException(op + ": index of shape " + Shape.str(is) + " is larger than the input "
            + Shape.str(xs) + " in dimension " + d);
  }

  private interface Visit {
    void at(int p, int base, int j);
  }

  // Visits every index position p (row-major over shape), giving the offset into the target tensor of
  // the same coordinates with the axis coordinate zeroed, and that axis coordinate j.
  private static void walk(int[] shape, int axis, Visit v, int[] targetStrides) {
    int n = Shape.size(shape), r = shape.length;
    int[] idx = new int[r];
    for (int p = 0; p < n; p++) {
      int base = 0;
      for (int d = 0; d < r; d++) if (d != axis) base += idx[d] * targetStrides[d];
      v.at(p, base, idx[axis]);
      for (int d = r - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) break;
        idx[d] = 0;
      }
    }
  }

  /**
   * Samples {@code x} along {@code axis} at fractional source positions {@code pos} (one per output element):
   * linear (2 taps) or Keys cubic with coefficient {@code a} (4 taps), edge values repeated past the ends, or,
   * with {@code excludeOutside}, taps outside dropped and the rest renormalised. A matrix product with the
   * interpolation weights, so matmul's backward is its backward.
   */
  public static Tensor interpolate(Tensor x, int axis, double[] pos, boolean cubic, double a, boolean excludeOutside) {
    int r = x.rank(), ax = Shape.axis("interpolate", axis, r), n = x.shape(ax), m = pos.length;
    float[] w = new float[m * n];
    double[] k = new double[cubic ? 4 : 2];
    for (int i = 0; i < m; i++) {
      int first = (int) Math.floor(pos[i]) - (cubic ? 1 : 0);
      double sum = 0;
      for (int j = 0; j < k.length; j++) {
        double d = Math.abs(pos[i] - first - j);
        k[j] = !cubic ? 1 - d : d <= 1 ? ((a + 2) * d - (a + 3)) * d * d + 1 : ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
        if (excludeOutside && (first + j < 0 || first + j >= n)) k[j] = 0;
        sum += k[j];
      }
      for (int j = 0; j < k.length; j++) w[i * n + Math.max(0, Math.min(n - 1, first + j))] += (float) (excludeOutside ? k[j] / sum : k[j]);
    }
    return x.transpose(ax, r - 1).matmul(Tensor.of(w, m, n).t()).transpose(ax, r - 1);
  }
}
