package org.neurite.ops;

import java.util.function.DoubleUnaryOperator;
import org.neurite.autograd.Tape;
import org.neurite.kernels.Pointwise;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Strided;
import org.neurite.tensor.Tensor;
import org.neurite.tensor.Workspace;

/**
 * Elementwise arithmetic with NumPy broadcasting, and elementwise math. Each forward is followed by
 * its backward; gradients of broadcast inputs are summed back to the input's shape.
 *
 * <p>Thread-safe: static methods with no shared mutable state (the graph lives in the tensors, grad mode
 * and workspaces are per thread); the tensors themselves are not thread-safe.
 */
public final class Arithmetic {
  private Arithmetic() {}

  // c = a + b.  da = dc, db = dc (each summed to its input's shape).
  public static Tensor add(Tensor a, Tensor b) {
    Tensor c = binary("add", Pointwise.ADD, a, b);
    return Tape.record("add", c, dc -> new Tensor[] {Reductions.sumTo(dc, a.shape()), Reductions.sumTo(dc, b.shape())}, a, b);
  }

  // c = a - b.  da = dc, db = -dc.
  public static Tensor sub(Tensor a, Tensor b) {
    Tensor c = binary("sub", Pointwise.SUB, a, b);
    return Tape.record("sub", c, dc -> new Tensor[] {
        Reductions.sumTo(dc, a.shape()), b.requiresGrad() ? Reductions.sumTo(neg(dc), b.shape()) : null}, a, b);
  }

  // c = a * b.  da = dc * b, db = dc * a.
  public static Tensor mul(Tensor a, Tensor b) {
    Tensor c = binary("mul", Pointwise.MUL, a, b);
    return Tape.record("mul", c, dc -> new Tensor[] {
        a.requiresGrad() ? Reductions.sumTo(mul(dc, b), a.shape()) : null,
        b.requiresGrad() ? Reductions.sumTo(mul(dc, a), b.shape()) : null}, a, b);
  }

  // c = a / b.  da = dc / b, db = -dc * c / b.
  public static Tensor div(Tensor a, Tensor b) {
    Tensor c = binary("div", Pointwise.DIV, a, b);
    return Tape.record("div", c, dc -> new Tensor[] {
        a.requiresGrad() ? Reductions.sumTo(div(dc, b), a.shape()) : null,
        b.requiresGrad() ? Reductions.sumTo(neg(div(mul(dc, c), b)), b.shape()) : null}, a, b);
  }

  // c = a ^ b.  da = dc * b * a^(b-1), db = dc * c * log(a).
  public static Tensor pow(Tensor a, Tensor b) {
    Tensor c = binary("pow", Pointwise.POW, a, b);
    return Tape.record("pow", c, dc -> new Tensor[] {
        a.requiresGrad() ? Reductions.sumTo(mul(dc, mul(b, pow(a, sub(b, Tensor.scalar(1f))))), a.shape()) : null,
        b.requiresGrad() ? Reductions.sumTo(mul(dc, mul(c, log(a))), b.shape()) : null}, a, b);
  }

  // y = x ^ p.  dx = dy * p * x^(p-1).
  public static Tensor pow(Tensor x, float p) {
    Tensor y = map(x, v -> Math.pow(v, p));
    return Tape.record("pow", y, dy -> new Tensor[] {mul(dy, mul(pow(x, p - 1), Tensor.scalar(p)))}, x);
  }

  // c = max(a, b).  Ties split the gradient in half, as PyTorch's maximum does.
  public static Tensor maximum(Tensor a, Tensor b) {
    Tensor c = binary("maximum", Pointwise.MAX, a, b);
    return Tape.record("maximum", c, dc -> minMaxBackward(dc, a, b, Cmp.GT), a, b);
  }

  // c = min(a, b).  Ties split the gradient in half.
  public static Tensor minimum(Tensor a, Tensor b) {
    Tensor c = binary("minimum", Pointwise.MIN, a, b);
    return Tape.record("minimum", c, dc -> minMaxBackward(dc, a, b, Cmp.LT), a, b);
  }

  private static Tensor[] minMaxBackward(Tensor dc, Tensor a, Tensor b, Cmp wins) {
    Tensor half = Tensor.scalar(0.5f);
    Tensor ta = add(compare(wins, a, b), mul(compare(Cmp.EQ, a, b), half));
    Tensor tb = sub(Tensor.scalar(1f), ta);
    return new Tensor[] {Reductions.sumTo(mul(dc, ta), a.shape()), Reductions.sumTo(mul(dc, tb), b.shape())};
  }

  // y = -x.  dx = -dy.
  public static Tensor neg(Tensor x) {
    Tensor y = map(x, v -> -v);
    return Tape.record("neg", y, dy -> new Tensor[] {neg(dy)}, x);
  }

  // y = exp(x).  dx = dy * y.
  public static Tensor exp(Tensor x) {
    Tensor xc = x.contiguous();
    float[] out = Workspace.floats(xc.size());
    Pointwise.exp(xc.data(), out, out.length);
    Tensor y = Tensor.of(out, x.shape());
    return Tape.record("exp", y, dy -> new Tensor[] {mul(dy, y)}, x);
  }

  // y = log(x).  dx = dy / x.
  public static Tensor log(Tensor x) {
    Tensor xc = x.contiguous();
    float[] out = Workspace.floats(xc.size());
    Pointwise.log(xc.data(), out, out.length);
    Tensor y = Tensor.of(out, x.shape());
    return Tape.record("log", y, dy -> new Tensor[] {div(dy, x)}, x);
  }

  // y = sqrt(x).  dx = dy / (2 y).
  public static Tensor sqrt(Tensor x) {
    Tensor y = map(x, Math::sqrt);
    return Tape.record("sqrt", y, dy -> new Tensor[] {div(dy, mul(y, Tensor.scalar(2f)))}, x);
  }

  // y = |x|.  dx = dy * sign(x), with sign(0) = 0 as PyTorch.
  public static Tensor abs(Tensor x) {
    Tensor y = map(x, Math::abs);
    return Tape.record("abs", y, dy -> new Tensor[] {mul(dy, map(x, Math::signum))}, x);
  }

  // y = min(max(x, lo), hi).  dx = dy where lo <= x <= hi (inclusive, as PyTorch), else 0.
  public static Tensor clamp(Tensor x, float lo, float hi) {
    if (lo > hi) throw new IllegalArgumentException("clamp: min (" + lo + ") must be <= max (" + hi + ")");
    Tensor y = map(x, v -> Double.isNaN(v) ? v : Math.min(Math.max(v, lo), hi));
    return Tape.record("clamp", y, dy -> new Tensor[] {mul(dy, map(x, v -> v >= lo && v <= hi ? 1 : 0))}, x);
  }

  /** Comparison results: 1 where it holds, 0 elsewhere (NaN compares false, except NE). */
  public enum Cmp { EQ, NE, GT, GE, LT, LE }

  /** Elementwise comparison with broadcasting; not differentiable (the result carries no graph). */
  public static Tensor compare(Cmp cmp, Tensor a, Tensor b) {
    int[] shape = Shape.broadcast("compare " + cmp.name().toLowerCase(java.util.Locale.ROOT), a.shape(), b.shape());
    float[] c = new float[Shape.size(shape)];
    float[] A = a.storage(), B = b.storage();
    Strided.forEachRow(shape, new int[] {a.offset(), b.offset(), 0},
        new int[][] {Shape.broadcastStrides(a.shape(), a.strides(), shape),
            Shape.broadcastStrides(b.shape(), b.strides(), shape), Shape.strides(shape)},
        (n, off, st) -> {
          for (int i = 0; i < n; i++) {
            float x = A[off[0] + i * st[0]], y = B[off[1] + i * st[1]];
            boolean r = switch (cmp) {
              case EQ -> x == y;
              case NE -> x != y;
              case GT -> x > y;
              case GE -> x >= y;
              case LT -> x < y;
              case LE -> x <= y;
            };
            c[off[2] + i] = r ? 1f : 0f;
          }
        });
    return Tensor.of(c, shape);
  }

  /** Forward of a broadcasting binary op into a new contiguous tensor. */
  static Tensor binary(String name, int op, Tensor a, Tensor b) {
    int[] shape = Shape.broadcast(name, a.shape(), b.shape());
    float[] c = Workspace.floats(Shape.size(shape));
    float[] A = a.storage(), B = b.storage();
    Strided.forEachRow(shape, new int[] {a.offset(), b.offset(), 0},
        new int[][] {Shape.broadcastStrides(a.shape(), a.strides(), shape),
            Shape.broadcastStrides(b.shape(), b.strides(), shape), Shape.strides(shape)},
        (n, off, st) -> {
          if (st[0] <= 1 && st[1] <= 1 && st[0] >= 0 && st[1] >= 0) {
            Pointwise.binary(op, A, off[0], st[0], B, off[1], st[1], c, off[2], n);
          } else {
            for (int i = 0; i < n; i++) c[off[2] + i] = Pointwise.scalar(op, A[off[0] + i * st[0]], B[off[1] + i * st[1]]);
          }
        });
    return Tensor.of(c, shape);
  }

  /** y = f(x) elementwise into a new tensor, computed in double; no graph. */
  static Tensor map(Tensor x, DoubleUnaryOperator f) {
    float[] src = x.data();
    float[] out = Workspace.floats(src.length);
    for (int i = 0; i < out.length; i++) out[i] = (float) f.applyAsDouble(src[i]);
    return Tensor.of(out, x.shape());
  }
}
