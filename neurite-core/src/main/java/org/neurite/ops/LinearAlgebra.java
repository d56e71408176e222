package org.neurite.ops;

import org.neurite.autograd.Tape;
import org.neurite.kernels.AttentionKernels;
import org.neurite.kernels.Gemm;
import org.neurite.kernels.Parallel;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;
import org.neurite.tensor.Workspace;

/**
 * Matrix products with torch.matmul's semantics: 1-D operands gain and then lose a dimension, leading
 * (batch) dimensions broadcast. Transposed views go to the GEMM as transpose flags, not copies. And
 * {@link #linear}, PyTorch's {@code F.linear}: the projection of Dense layers, attention blocks and
 * Transformer feed-forwards, fused with its bias, ReLU and dropout.
 *
 * <p>Thread-safe: static methods with no shared mutable state (the graph lives in the tensors, grad mode
 * and workspaces are per thread); the tensors themselves are not thread-safe.
 */
public final class LinearAlgebra {
  private LinearAlgebra() {}

  public static Tensor matmul(Tensor a, Tensor b) {
    if (a.rank() == 0 || b.rank() == 0)
      throw new IllegalArgumentException("matmul: " + Shape.str(a.shape()) + " x " + Shape.str(b.shape())
          + ": both operands need at least one dimension");
    // 1-D a gains a leading 1 and loses it again; with 1-D b too that axis is the last one left.
    if (a.rank() == 1) return matmul(a.unsqueeze(0), b).squeeze(b.rank() == 1 ? -1 : -2);
    if (b.rank() == 1) return matmul(a, b.unsqueeze(1)).squeeze(-1);
    int k = a.shape(-1);
    if (b.shape(-2) != k)
      throw new IllegalArgumentException("matmul: " + Shape.str(a.shape()) + " x " + Shape.str(b.shape())
          + ": inner dimensions " + k + " and " + b.shape(-2) + " differ");
    Shape.broadcast("matmul: " + Shape.str(a.shape()) + " x " + Shape.str(b.shape()) + ": batch",
        java.util.Arrays.copyOf(a.shape(), a.rank() - 2), java.util.Arrays.copyOf(b.shape(), b.rank() - 2));
    // [..., m, k] x [k, n] is one GEMM over the flattened rows (a Dense layer on sequences).
    if (a.rank() > 2 && b.rank() == 2 && a.isContiguous()) {
      int[] out = a.shape();
      out[out.length - 1] = b.shape(1);
      return matmul(a.reshape(-1, k), b).reshape(out);
    }
    Tensor c = product(a, b);
    return Tape.record("matmul", c, dc -> new Tensor[] {
        a.requiresGrad() ? Reductions.sumTo(product(dc, Views.transposeRaw(b, -2 + b.rank(), b.rank() - 1)), a.shape()) : null,
        b.requiresGrad() ? Reductions.sumTo(product(Views.transposeRaw(a, a.rank() - 2, a.rank() - 1), dc), b.shape()) : null},
        a, b);
  }

  /**
   * PyTorch's {@code F.linear}: {@code y = x w^T + b} over the last axis, one GEMM whose weight gradient
   * comes out already in {@code [out, in]} (where {@code x.matmul(w.t())} would leave a transposed view
   * to copy). {@code x.matmul(w.t()).add(b)} is its reference composite.
   *
   * @param x [..., in]; w [out, in] (PyTorch's Linear.weight); b [out] or null
   */
  public static Tensor linear(Tensor x, Tensor w, Tensor b) {
    return linear(x, w, b, false, 0f, null);
  }

  /**
   * {@link #linear(Tensor, Tensor, Tensor)} fused with its activation and dropout into one GEMM and one
   * pass: {@code y = dropout(act(x w^T + b))}, act = ReLU when {@code relu}, else the identity; dropout
   * of rate {@code dropout} when {@code rng} is not null (training). PyTorch's
   * {@code F.dropout(F.relu(F.linear(x, w, b)))}.
   */
  // y = dropout(act(z)), z = x w^T + b.  With ReLU: dz = y > 0 ? dy / (1 - p) : 0 (y > 0 exactly where z > 0
  // and the element was kept); without: dz = dy * mask.  dx = dz w, dw = dz^T x, db = column sums of dz.
  public static Tensor linear(Tensor x, Tensor w, Tensor b, boolean relu, float dropout, Rng rng) {
    String op = "linear";
    if (w.rank() != 2 || x.rank() < 1 || x.shape(-1) != w.shape(1))
      throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape()) + " and weight " + Shape.str(w.shape())
          + " do not fit: need input [..., in] and weight [out, in]");
    int in = w.shape(1), out = w.shape(0), rows = in == 0 ? 0 : x.size() / in;
    if (b != null && (b.rank() != 1 || b.shape(0) != out))
      throw new IllegalArgumentException(op + ": bias must be [" + out + "], got " + Shape.str(b.shape()));
    if (!(dropout >= 0f && dropout < 1f)) throw new IllegalArgumentException(op + ": dropout (" + dropout + ") must be in [0, 1)");
    float p = rng != null ? dropout : 0f;
    long seed = p > 0f ? rng.nextLong() : 0L;
    float[] xs = x.data(), ws = w.data();
    float[] y = Workspace.floats(rows * out);
    AttentionKernels.linear(xs, ws, b == null ? null : b.data(), y, rows, in, out, relu, p, seed);
    int[] shape = x.shape();
    shape[shape.length - 1] = out;
    Tensor result = Tensor.of(y, shape);
    return Tape.record(op, result, dy -> {
      float[] dx = x.requiresGrad() ? Workspace.floats(rows * in) : null, dw = w.requiresGrad() ? Workspace.gradient(w) : null;
      float[] db = b != null && b.requiresGrad() ? Workspace.gradient(b) : null;
      AttentionKernels.linearBackward(xs, ws, y, dy.data(), dx, dw, db, rows, in, out, relu, p, seed);
      return new Tensor[] {dx == null ? null : Tensor.of(dx, x.shape()), dw == null ? null : Tensor.of(dw, out, in),
          db == null ? null : Tensor.of(db, out)};
    }, x, w, b);
  }

  // c[..., m, n] = a[..., m, k] b[..., k, n], batch dims broadcast. No graph.
  static Tensor product(Tensor a, Tensor b) {
    int ra = a.rank(), rb = b.rank();
    int m = a.shape(-2), k = a.shape(-1), n = b.shape(-1);
    int[] batchA = java.util.Arrays.copyOf(a.shape(), ra - 2), batchB = java.util.Arrays.copyOf(b.shape(), rb - 2);
    int[] batch = Shape.broadcast("matmul", batchA, batchB);
    Operand A = Operand.of(a), B = Operand.of(b);
    int[] outShape = java.util.Arrays.copyOf(batch, batch.length + 2);
    outShape[batch.length] = m;
    outShape[batch.length + 1] = n;
    float[] c = Workspace.floats(Shape.size(outShape));
    int count = Shape.size(batch);
    int[] offA = batchOffsets(A.tensor, batch), offB = batchOffsets(B.tensor, batch);
    // Many small products: one per thread share; few large ones: the GEMM splits each.
    long work = (long) m * n * k;
    int grain = work >= 1 << 21 ? count + 1 : 1;
    Parallel.forRange(count, grain, (from, to) -> {
      for (int i = from; i < to; i++)
        Gemm.gemm(A.trans, B.trans, m, n, k, A.tensor.storage(), offA[i], A.ld, B.tensor.storage(), offB[i], B.ld,
            false, c, i * m * n, n);
    });
    return Tensor.of(c, outShape);
  }

  private static int[] batchOffsets(Tensor t, int[] batch) {
    int r = t.rank() - 2;
    int[] shape = java.util.Arrays.copyOf(t.shape(), r), strides = java.util.Arrays.copyOf(t.strides(), r);
    int[] st = Shape.broadcastStrides(shape, strides, batch);
    int count = Shape.size(batch);
    int[] off = new int[count];
    int[] idx = new int[batch.length];
    for (int i = 0; i < count; i++) {
      int o = t.offset();
      for (int d = 0; d < batch.length; d++) o += idx[d] * st[d];
      off[i] = o;
      for (int d = batch.length - 1; d >= 0; d--) {
        if (++idx[d] < batch[d]) break;
        idx[d] = 0;
      }
    }
    return off;
  }

  /** A matrix operand as the GEMM wants it: a tensor whose last two dims are row- or column-major. */
  private record Operand(Tensor tensor, boolean trans, int ld) {
    static Operand of(Tensor t) {
      int r = t.rank();
      int rows = t.shape(r - 2), cols = t.shape(r - 1);
      int[] st = t.strides();
      if ((st[r - 1] == 1 || cols <= 1) && (st[r - 2] >= Math.max(1, cols) || rows <= 1))
        return new Operand(t, false, rows <= 1 ? Math.max(1, cols) : st[r - 2]);
      if ((st[r - 2] == 1 || rows <= 1) && (st[r - 1] >= Math.max(1, rows) || cols <= 1))
        return new Operand(t, true, cols <= 1 ? Math.max(1, rows) : st[r - 1]);
      Tensor c = Tensor.of(t.toArray(), t.shape());
      return new Operand(c, false, Math.max(1, cols));
    }
  }
}
