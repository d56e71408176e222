package org.neurite.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.neurite.testing.Errors.assertMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.autograd.GradCheck;
import org.neurite.tensor.Tensor;
import org.neurite.testing.Golden;

/**
 * Arithmetic ops (ops/Arithmetic.java): add, sub, mul, div, pow (tensor and scalar exponent), maximum,
 * minimum with broadcasting ([2,3,4] with [3,1], [4], a scalar, the same shape, and the broadcast
 * operand on the left), and neg, exp, log, sqrt, abs, clamp. Each op: golden forward and backward
 * against PyTorch, a finite-difference gradient check on the same (kink-free) inputs, and the error
 * messages of bad input. Comparisons (eq, gt, ...) are checked for values and for carrying no graph.
 */
class ArithmeticTest {
  private static final Golden.Fixture FIX = Golden.load("org/neurite/ops/arithmetic.safetensors");
  private static final double ATOL = 1e-5, RTOL = 1e-5;

  private static final Map<String, BinaryOperator<Tensor>> BINARY = Map.of(
      "add", Tensor::add, "sub", Tensor::sub, "mul", Tensor::mul, "div", Tensor::div,
      "maximum", Tensor::maximum, "minimum", Tensor::minimum);

  static Stream<Arguments> binaryCases() {
    List<Arguments> out = new ArrayList<>();
    for (String op : List.of("add", "sub", "mul", "div", "maximum", "minimum"))
      for (String tag : List.of("3x1", "4", "scalar", "same", "left_1x4"))
        out.add(Arguments.of(op + "_" + tag, BINARY.get(op)));
    out.add(Arguments.of("pow_tensor", (BinaryOperator<Tensor>) Tensor::pow));
    return out.stream();
  }

  static Stream<Arguments> unaryCases() {
    return Stream.of(
        Arguments.of("pow_scalar_2_5", (UnaryOperator<Tensor>) x -> x.pow(2.5f), 1e-5),
        Arguments.of("pow_scalar_3", (UnaryOperator<Tensor>) x -> x.pow(3f), 1e-5),
        Arguments.of("pow_scalar_neg", (UnaryOperator<Tensor>) x -> x.pow(-0.5f), 1e-5),
        Arguments.of("neg", (UnaryOperator<Tensor>) Tensor::neg, 1e-5),
        // exp and log run through the Vector API's transcendentals: a few ulps, not correctly rounded
        Arguments.of("exp", (UnaryOperator<Tensor>) Tensor::exp, 1e-5),
        Arguments.of("log", (UnaryOperator<Tensor>) Tensor::log, 1e-5),
        Arguments.of("sqrt", (UnaryOperator<Tensor>) Tensor::sqrt, 1e-5),
        Arguments.of("abs", (UnaryOperator<Tensor>) Tensor::abs, 1e-5),
        Arguments.of("clamp", (UnaryOperator<Tensor>) x -> x.clamp(-0.5f, 0.5f), 1e-5));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("binaryCases")
  void binaryMatchesPyTorch(String name, BinaryOperator<Tensor> op) {
    Golden.Case c = FIX.get(name);
    Tensor a = c.input("a"), b = c.input("b");
    c.check(op.apply(a, b), ATOL, RTOL);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("binaryCases")
  void binaryGradCheck(String name, BinaryOperator<Tensor> op) {
    Golden.Case c = FIX.get(name);
    GradCheck.defaults().check(in -> op.apply(in[0], in[1]),
        c.tensor("a").requiresGrad(true), c.tensor("b").requiresGrad(true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unaryCases")
  void unaryMatchesPyTorch(String name, UnaryOperator<Tensor> op, double rtol) {
    Golden.Case c = FIX.get(name);
    Tensor x = c.input("x");
    c.check(op.apply(x), ATOL, rtol);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unaryCases")
  void unaryGradCheck(String name, UnaryOperator<Tensor> op, double rtol) {
    GradCheck.defaults().check(in -> op.apply(in[0]), FIX.get(name).tensor("x").requiresGrad(true));
  }

  @Test
  void binaryOnNonContiguousViewsMatchesDenseCopies() {
    Tensor a = Tensor.arange(24).reshape(2, 3, 4).permute(2, 0, 1);     // [4, 2, 3], strided
    Tensor b = Tensor.arange(0, 12, 1).reshape(4, 3).slice(0, 0, 4, 2); // [2, 3], stepped
    Tensor dense = Tensor.of(a.toArray(), a.shape()).mul(Tensor.of(b.toArray(), b.shape()));
    assertArrayEquals(dense.toArray(), a.mul(b).toArray());
  }

  @Test
  void scalarFloatOverloadsMatchTensorForms() {
    Tensor x = Tensor.of(new float[] {1, -2, 3}, 3);
    assertArrayEquals(new float[] {3, 0, 5}, x.add(2f).toArray());
    assertArrayEquals(new float[] {-1, -4, 1}, x.sub(2f).toArray());
    assertArrayEquals(new float[] {2, -4, 6}, x.mul(2f).toArray());
    assertArrayEquals(new float[] {0.5f, -1, 1.5f}, x.div(2f).toArray());
  }

  @Test
  void comparisonsGiveZeroOneAndNoGraph() {
    Tensor a = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
    Tensor b = Tensor.of(new float[] {2, 2, 2}, 3);
    assertArrayEquals(new float[] {0, 1, 0}, a.eq(b).toArray());
    assertArrayEquals(new float[] {1, 0, 1}, a.ne(b).toArray());
    assertArrayEquals(new float[] {0, 0, 1}, a.gt(b).toArray());
    assertArrayEquals(new float[] {0, 1, 1}, a.ge(b).toArray());
    assertArrayEquals(new float[] {1, 0, 0}, a.lt(b).toArray());
    assertArrayEquals(new float[] {1, 1, 0}, a.le(b).toArray());
    assertArrayEquals(new float[] {0, 1, 1}, a.gt(1.5f).toArray());
    org.junit.jupiter.api.Assertions.assertNull(a.gt(b).gradFn());
  }

  @Test
  void maximumTieSplitsTheGradient() {
    Tensor a = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
    Tensor b = Tensor.of(new float[] {1, 3}, 2).requiresGrad(true);
    a.maximum(b).sum().backward();
    assertArrayEquals(new float[] {0.5f, 0}, a.grad().toArray());
    assertArrayEquals(new float[] {0.5f, 1}, b.grad().toArray());
  }

  @Test
  void nanPropagatesThroughMaximumAndClamp() {
    Tensor a = Tensor.of(new float[] {Float.NaN, 1}, 2);
    Tensor b = Tensor.of(new float[] {0, Float.NaN}, 2);
    float[] m = a.maximum(b).toArray();
    org.junit.jupiter.api.Assertions.assertTrue(Float.isNaN(m[0]) && Float.isNaN(m[1]), "maximum with NaN: " + m[0] + ", " + m[1]);
    org.junit.jupiter.api.Assertions.assertTrue(Float.isNaN(a.clamp(-1, 1).toArray()[0]));
  }

  // ---------------------------------------------------------------- errors

  @Test
  void broadcastMismatchNamesBothShapes() {
    Tensor a = Tensor.zeros(2, 3), b = Tensor.zeros(4);
    assertMessage(IllegalArgumentException.class, () -> a.add(b), "add", "[2, 3]", "[4]", "do not broadcast");
    assertMessage(IllegalArgumentException.class, () -> a.sub(b), "sub", "[2, 3]", "[4]");
    assertMessage(IllegalArgumentException.class, () -> a.mul(b), "mul", "[2, 3]", "[4]");
    assertMessage(IllegalArgumentException.class, () -> a.div(b), "div", "[2, 3]", "[4]");
    assertMessage(IllegalArgumentException.class, () -> a.maximum(b), "maximum", "[2, 3]", "[4]");
    assertMessage(IllegalArgumentException.class, () -> a.pow(b), "pow", "[2, 3]", "[4]");
    assertMessage(IllegalArgumentException.class, () -> a.gt(b), "[2, 3]", "[4]");
  }

  @Test
  void clampWithMinAboveMaxIsAnError() {
    assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(2).clamp(1f, -1f),
        "clamp", "min (1.0)", "max (-1.0)");
  }
}
