package org.neurite.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.neurite.testing.Errors.assertMessage;

import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.autograd.GradCheck;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.testing.Golden;

/**
 * Activations (ops/Activations.java): relu, leaky_relu, sigmoid, tanh, gelu (exact, erf-based),
 * softplus (including PyTorch's threshold at 20), softmax and log_softmax along axes 0, 1 and -1.
 * Golden forward/backward against PyTorch, finite-difference checks away from the kinks, numerical
 * stability at large logits, and the error messages.
 */
class ActivationsTest {
  private static final Golden.Fixture FIX = Golden.load("org/neurite/ops/activations.safetensors");
  private static final double ATOL = 1e-5, RTOL = 1e-5;

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("relu", (UnaryOperator<Tensor>) Tensor::relu),
        Arguments.of("leaky_relu", (UnaryOperator<Tensor>) x -> x.leakyRelu(0.1f)),
        Arguments.of("sigmoid", (UnaryOperator<Tensor>) Tensor::sigmoid),
        Arguments.of("tanh", (UnaryOperator<Tensor>) Tensor::tanh),
        Arguments.of("gelu", (UnaryOperator<Tensor>) Tensor::gelu),
        Arguments.of("softplus", (UnaryOperator<Tensor>) Tensor::softplus),
        Arguments.of("erf", (UnaryOperator<Tensor>) Activations::erf),
        Arguments.of("hard_sigmoid", (UnaryOperator<Tensor>) x -> Activations.hardSigmoid(x, 0.2f, 0.5f)),
        Arguments.of("hard_sigmoid_torch", (UnaryOperator<Tensor>) x -> Activations.hardSigmoid(x, 1f / 6, 0.5f)),
        Arguments.of("hard_swish", (UnaryOperator<Tensor>) Activations::hardSwish),
        Arguments.of("softmax_0", (UnaryOperator<Tensor>) x -> x.softmax(0)),
        Arguments.of("softmax_1", (UnaryOperator<Tensor>) x -> x.softmax(1)),
        Arguments.of("softmax_m1", (UnaryOperator<Tensor>) x -> x.softmax(-1)),
        Arguments.of("log_softmax_0", (UnaryOperator<Tensor>) x -> x.logSoftmax(0)),
        Arguments.of("log_softmax_1", (UnaryOperator<Tensor>) x -> x.logSoftmax(1)),
        Arguments.of("log_softmax_m1", (UnaryOperator<Tensor>) x -> x.logSoftmax(-1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesPyTorch(String name, UnaryOperator<Tensor> op) {
    Golden.Case c = FIX.get(name);
    Tensor x = c.input("x");
    c.check(op.apply(x), ATOL, RTOL);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradCheck(String name, UnaryOperator<Tensor> op) {
    GradCheck.defaults().check(in -> op.apply(in[0]), FIX.get(name).tensor("x").requiresGrad(true));
  }

  @ParameterizedTest(name = "{0} on a strided view")
  @MethodSource("cases")
  void viewInputGivesTheSameResultAsItsDenseCopy(String name, UnaryOperator<Tensor> op) {
    Tensor base = Tensor.randn(new Rng(7), 5, 4, 3);
    Tensor view = base.permute(2, 0, 1).slice(1, 0, 5, 2);   // [3, 3, 4], neither dense nor offset 0
    Tensor copy = Tensor.of(view.toArray(), view.shape());
    Golden.assertClose(name, op.apply(copy), op.apply(view), 0, 0);
  }

  @Test
  void reluGradientAtZeroIsZero() {
    Tensor x = Tensor.of(new float[] {-1, 0, 2}, 3).requiresGrad(true);
    x.relu().sum().backward();
    assertArrayEquals(new float[] {0, 0, 1}, x.grad().toArray());
  }

  @Test
  void softmaxIsStableForLargeLogits() {
    Tensor x = Tensor.of(new float[] {1000, 1001, 1002, -1000, -1001, -1002}, 2, 3);
    float[] p = x.softmax(1).toArray();
    float[] lp = x.logSoftmax(1).toArray();
    double e0 = Math.exp(-2), e1 = Math.exp(-1), z = e0 + e1 + 1;
    assertArrayEquals(new float[] {(float) (e0 / z), (float) (e1 / z), (float) (1 / z),
        (float) (1 / z), (float) (e1 / z), (float) (e0 / z)}, p, 1e-6f);
    assertEquals((float) -Math.log(z), lp[2], 1e-5f);
    for (float v : lp) org.junit.jupiter.api.Assertions.assertTrue(Float.isFinite(v), "log_softmax overflowed: " + v);
  }

  @Test
  void sigmoidSaturatesWithoutNaN() {
    float[] y = Tensor.of(new float[] {-200, 200}, 2).sigmoid().toArray();
    assertArrayEquals(new float[] {0, 1}, y, 0f);
  }

  @Test
  void softmaxOfAScalarIsAnError() {
    assertMessage(IllegalArgumentException.class, () -> Tensor.scalar(1f).softmax(0), "softmax", "scalar");
    assertMessage(IllegalArgumentException.class, () -> Tensor.scalar(1f).logSoftmax(0), "log_softmax", "scalar");
  }

  @Test
  void softmaxAxisOutOfRangeIsAnError() {
    assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).softmax(2),
        "softmax", "axis 2", "rank 2");
    assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).logSoftmax(-3),
        "log_softmax", "axis -3", "rank 2");
  }

  // Each elementary function against java.lang.Math (or its identity) and a finite-difference gradient inside its domain.
  @Test
  void elementaryFunctionsMatchMathAndTheirGradients() {
    for (Activations.Elementary f : Activations.Elementary.values()) {
      float lo = f == Activations.Elementary.ACOSH ? 1.2f : -0.8f, hi = f == Activations.Elementary.ACOSH ? 3f : 0.8f;
      Tensor x = Tensor.uniform(new Rng(7), lo, hi, 3, 4);
      float[] y = f.apply(x).data(), xs = x.data();
      for (int i = 0; i < xs.length; i++) {
        double v = xs[i], want = switch (f) {
          case SIN -> Math.sin(v); case COS -> Math.cos(v); case TAN -> Math.tan(v); case ASIN -> Math.asin(v);
          case ACOS -> Math.acos(v); case ATAN -> Math.atan(v); case SINH -> Math.sinh(v); case COSH -> Math.cosh(v);
          case ASINH -> Math.log(v + Math.sqrt(v * v + 1)); case ACOSH -> Math.log(v + Math.sqrt(v * v - 1));
          case ATANH -> 0.5 * Math.log((1 + v) / (1 - v));
        };
        assertEquals(want, y[i], 1e-6, f + "(" + v + ")");
      }
      GradCheck.defaults().check(in -> f.apply(in[0]), x.requiresGrad(true));
    }
  }
}
