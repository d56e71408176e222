package org.neurite.ops;

import org.neurite.autograd.Autograd;
import org.neurite.autograd.Tape;
import org.neurite.kernels.Pointwise;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;
import org.neurite.tensor.Workspace;

/**
 * Activation functions and softmax. Each forward is followed by its backward.
 *
 * <p>Thread-safe: static methods with no shared mutable state (the graph lives in the tensors, grad mode
 * and workspaces are per thread); the tensors themselves are not thread-safe.
 */
public final class Activations {
  private static final double SQRT1_2 = 0.7071067811865476, INV_SQRT_2PI = 0.3989422804014327,
      TWO_OVER_SQRT_PI = 1.1283791670955126;

  private Activations() {}

  // y = max(x, 0).  dx = dy where y > 0 (0 at x == 0, as PyTorch).
  public static Tensor relu(Tensor x) {
    float[] xs = x.data();
    float[] out = Workspace.floats(xs.length);
    Pointwise.relu(xs, out, out.length);
    Tensor y = Tensor.of(out, x.shape());
    return Tape.record("relu", y, dy -> {
      float[] dx = Autograd.owns(dy) ? dy.data() : Workspace.floats(out.length);
      Pointwise.reluBackward(out, dy.data(), dx, dx.length);
      return new Tensor[] {Tensor.of(dx, x.shape())};
    }, x);
  }

  // y = x > 0 ? x : slope * x.  dx = dy * (x > 0 ? 1 : slope).
  public static Tensor leakyRelu(Tensor x, float slope) {
    Tensor y = Arithmetic.map(x, v -> v > 0 ? v : slope * v);
    return Tape.record("leaky_relu", y, dy -> new Tensor[] {
        Arithmetic.mul(dy, Arithmetic.map(x, v -> v > 0 ? 1 : slope))}, x);
  }

  // y = 1 / (1 + exp(-x)).  dx = dy * y * (1 - y).
  public static Tensor sigmoid(Tensor x) {
    float[] xs = x.data();
    float[] out = new float[xs.length];
    Pointwise.sigmoid(xs, out, out.length);
    Tensor y = Tensor.of(out, x.shape());
    return Tape.record("sigmoid", y, dy -> {
      float[] g = dy.data(), dx = new float[out.length];
      for (int i = 0; i < dx.length; i++) dx[i] = g[i] * out[i] * (1f - out[i]);
      return new Tensor[] {Tensor.of(dx, x.shape())};
    }, x);
  }

  // y = tanh(x).  dx = dy * (1 - y^2).
  public static Tensor tanh(Tensor x) {
    float[] xs = x.data();
    float[] out = new float[xs.length];
    Pointwise.tanh(xs, out, out.length);
    Tensor y = Tensor.of(out, x.shape());
    return Tape.record("tanh", y, dy -> {
      float[] g = dy.data(), dx = new float[out.length];
      for (int i = 0; i < dx.length; i++) dx[i] = g[i] * (1f - out[i] * out[i]);
      return new Tensor[] {Tensor.of(dx, x.shape())};
    }, x);
  }

  // y = x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), the exact GELU (PyTorch's default).
  // dx = dy * (Phi(x) + x * phi(x)).
  public static Tensor gelu(Tensor x) {
    Tensor y = Arithmetic.map(x, v -> 0.5 * v * (1 + erf(v * SQRT1_2)));
    return Tape.record("gelu", y, dy -> new Tensor[] {Arithmetic.mul(dy, Arithmetic.map(x,
        v -> 0.5 * (1 + erf(v * SQRT1_2)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v)))}, x);
  }

  /** Elementary functions y = f(x), dx = dy * f'(x): the trigonometric, hyperbolic and inverse ones (in double). */
  public enum Elementary {
    SIN(Math::sin, Math::cos), COS(Math::cos, v -> -Math.sin(v)), TAN(Math::tan, v -> 1 / (Math.cos(v) * Math.cos(v))),
    ASIN(Math::asin, v -> 1 / Math.sqrt(1 - v * v)), ACOS(Math::acos, v -> -1 / Math.sqrt(1 - v * v)),
    ATAN(Math::atan, v -> 1 / (1 + v * v)), SINH(Math::sinh, Math::cosh), COSH(Math::cosh, Math::sinh),
    ASINH(v -> Math.copySign(Math.log1p(Math.abs(v) + v * v / (1 + Math.hypot(1, v))), v), v -> 1 / Math.hypot(1, v)),
    ACOSH(v -> Math.log(v + Math.sqrt(v * v - 1)), v -> 1 / Math.sqrt(v * v - 1)),
    ATANH(v -> 0.5 * Math.log1p(2 * v / (1 - v)), v -> 1 / (1 - v * v));

    private final java.util.function.DoubleUnaryOperator f, df;

    Elementary(java.util.function.DoubleUnaryOperator f, java.util.function.DoubleUnaryOperator df) {
      this.f = f;
      this.df = df;
    }

    public Tensor apply(Tensor x) {
      return Tape.record(name().toLowerCase(java.util.Locale.ROOT), Arithmetic.map(x, f),
          dy -> new Tensor[] {Arithmetic.mul(dy, Arithmetic.map(x, df))}, x);
    }
  }

  // y = erf(x).  dx = dy * 2 / sqrt(pi) * exp(-x^2).
  public static Tensor erf(Tensor x) {
    Tensor y = Arithmetic.map(x, Activations::erf);
    return Tape.record("erf", y, dy -> new Tensor[] {Arithmetic.mul(dy, Arithmetic.map(x,
        v -> TWO_OVER_SQRT_PI * Math.exp(-v * v)))}, x);
  }

  // y = clamp(alpha x + beta, 0, 1) (ONNX's HardSigmoid; PyTorch's hardsigmoid is alpha = 1/6, beta = 1/2).
  // dx = dy * alpha inside (0, 1), 0 outside.
  public static Tensor hardSigmoid(Tensor x, float alpha, float beta) {
    Tensor y = Arithmetic.map(x, v -> Math.max(0, Math.min(1, alpha * v + beta)));
    return Tape.record("hard_sigmoid", y, dy -> new Tensor[] {Arithmetic.mul(dy, Arithmetic.map(x, v -> {
      double z = alpha * v + beta;
      return z > 0 && z < 1 ? alpha : 0;
    }))}, x);
  }

  // y = x * clamp(x / 6 + 1/2, 0, 1) (MobileNetV3's hard swish).  dx = dy * (0 below -3, 1 above 3, x / 3 + 1/2
  // between), as PyTorch.
  public static Tensor hardSwish(Tensor x) {
    Tensor y = Arithmetic.map(x, v -> v * Math.max(0, Math.min(1, v / 6 + 0.5)));
    return Tape.record("hard_swish", y, dy -> new Tensor[] {Arithmetic.mul(dy, Arithmetic.map(x,
        v -> v < -3 ? 0 : v > 3 ? 1 : v / 3 + 0.5))}, x);
  }

  // y = log(1 + exp(x)), and x itself above 20 (PyTorch's threshold).  dx = dy * sigmoid(x).
  public static Tensor softplus(Tensor x) {
    Tensor y = Arithmetic.map(x, v -> v > 20 ? v : Math.log1p(Math.exp(v)));
    return Tape.record("softplus", y, dy -> new Tensor[] {Arithmetic.mul(dy, Arithmetic.map(x,
        v -> v > 20 ? 1 : 1 / (1 + Math.exp(-v))))}, x);
  }

  // y = exp(x - max) / sum(exp(x - max)) along axis.  dx = y * (dy - sum(dy * y, axis)).
  public static Tensor softmax(Tensor x, int axis) {
    Tensor y = rows(x, axis, false);
    int a = Shape.axis("softmax", axis, x.rank());
    return Tape.record("softmax", y, dy -> new Tensor[] {
        Arithmetic.mul(y, Arithmetic.sub(dy, Reductions.sum(Arithmetic.mul(dy, y), true, a)))}, x);
  }

  // y = x - log(sum(exp(x))) along axis.  dx = dy - exp(y) * sum(dy, axis).
  public static Tensor logSoftmax(Tensor x, int axis) {
    Tensor y = rows(x, axis, true);
    int a = Shape.axis("log_softmax", axis, x.rank());
    return Tape.record("log_softmax", y, dy -> new Tensor[] {
        Arithmetic.sub(dy, Arithmetic.mul(Arithmetic.exp(y), Reductions.sum(dy, true, a)))}, x);
  }

  // Softmax runs on contiguous rows: move the axis last, run the row kernel, move it back.
  private static Tensor rows(Tensor x, int axis, boolean log) {
    String op = log ? "log_softmax" : "softmax";
    if (x.rank() == 0) throw new IllegalArgumentException(op + ": needs at least one dimension, got a scalar");
    int a = Shape.axis(op, axis, x.rank());
    int last = x.rank() - 1;
    Tensor moved = a == last ? x : Views.transposeRaw(x, a, last);
    float[] in = moved.data();
    int n = moved.shape(last);
    float[] out = new float[in.length];
    if (n > 0) {
      for (int r = 0; r < in.length / n; r++) {
        if (log) Pointwise.logSoftmaxRow(in, r * n, out, r * n, n);
        else Pointwise.softmaxRow(in, r * n, out, r * n, n);
      }
    }
    Tensor y = Tensor.of(out, moved.shape());
    return a == last ? y : Views.transposeRaw(y, a, last).contiguous();
  }

  /**
   * The error function, with relative error below 1.2e-7 (Numerical Recipes' erfc by Chebyshev
   * fitting), enough for float32.
   */
  public static double erf(double x) {
    double z = Math.abs(x);
    double t = 1 / (1 + 0.5 * z);
    double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
        + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
        + t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0 ? 1 - r : r - 1;
  }
}
