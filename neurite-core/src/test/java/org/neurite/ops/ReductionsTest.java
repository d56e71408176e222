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
 * Reductions (ops/Reductions.java): sum and mean (all elements, one axis, several axes, keepDim),
 * max (all elements; along an axis, with argmax), var (correction 1 and 0). Golden forward/backward
 * against PyTorch, finite-difference checks (max on tie-free inputs), tie and empty-tensor behaviour,
 * and the error messages.
 */
class ReductionsTest {
  private static final Golden.Fixture FIX = Golden.load("org/neurite/ops/reductions.safetensors");
  private static final double ATOL = 1e-5, RTOL = 1e-5;

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("sum_all", (UnaryOperator<Tensor>) Tensor::sum),
        Arguments.of("sum_axis1", (UnaryOperator<Tensor>) x -> x.sum(false, 1)),
        Arguments.of("sum_axes_0_2", (UnaryOperator<Tensor>) x -> x.sum(false, 0, 2)),
        Arguments.of("sum_axis1_keepdim", (UnaryOperator<Tensor>) x -> x.sum(true, 1)),
        Arguments.of("sum_axes_0_m1_keepdim", (UnaryOperator<Tensor>) x -> x.sum(true, 0, -1)),
        Arguments.of("mean_all", (UnaryOperator<Tensor>) Tensor::mean),
        Arguments.of("mean_axis1", (UnaryOperator<Tensor>) x -> x.mean(false, 1)),
        Arguments.of("mean_axes_0_2", (UnaryOperator<Tensor>) x -> x.mean(false, 0, 2)),
        Arguments.of("mean_axis1_keepdim", (UnaryOperator<Tensor>) x -> x.mean(true, 1)),
        Arguments.of("mean_axes_0_m1_keepdim", (UnaryOperator<Tensor>) x -> x.mean(true, 0, -1)),
        Arguments.of("max_all", (UnaryOperator<Tensor>) Tensor::max),
        Arguments.of("max_axis1", (UnaryOperator<Tensor>) x -> x.max(1, false)),
        Arguments.of("max_axis0_keepdim", (UnaryOperator<Tensor>) x -> x.max(0, true)),
        Arguments.of("max_axis_m1", (UnaryOperator<Tensor>) x -> x.max(-1, false)),
        Arguments.of("var_c1_axis1", (UnaryOperator<Tensor>) x -> x.var(1, false, 1)),
        Arguments.of("var_c0_axis1", (UnaryOperator<Tensor>) x -> x.var(0, false, 1)),
        Arguments.of("var_c1_all", (UnaryOperator<Tensor>) x -> x.var(1, false)),
        Arguments.of("var_c0_all", (UnaryOperator<Tensor>) x -> x.var(0, false)),
        Arguments.of("var_c1_axes_0_2_keepdim", (UnaryOperator<Tensor>) x -> x.var(1, true, 0, 2)),
        Arguments.of("var_c0_axes_0_2_keepdim", (UnaryOperator<Tensor>) x -> x.var(0, true, 0, 2)));
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

  @Test
  void argmaxMatchesPyTorchIndices() {
    for (String name : new String[] {"max_axis1", "max_axis0_keepdim", "max_axis_m1"}) {
      Golden.Case c = FIX.get(name);
      int axis = name.equals("max_axis1") ? 1 : name.equals("max_axis0_keepdim") ? 0 : -1;
      Golden.assertClose(name + " argmax", c.expected("argmax"), c.tensor("x").argmax(axis, name.contains("keepdim")), 0, 0);
    }
  }

  @Test
  void maxAlongAxisSendsTheGradientToTheFirstMaximum() {
    Tensor x = Tensor.of(new float[] {3, 1, 3, 2, 5, 5}, 2, 3).requiresGrad(true);
    x.max(1, false).sum().backward();
    assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0}, x.grad().toArray());
  }

  @Test
  void maxOfAllSharesTheGradientAmongTies() {
    Tensor x = Tensor.of(new float[] {2, 7, 7, 1}, 4).requiresGrad(true);
    x.max().backward();
    assertArrayEquals(new float[] {0, 0.5f, 0.5f, 0}, x.grad().toArray());
  }

  @Test
  void argmaxTreatsNaNAsTheMaximum() {
    assertEquals(1f, Tensor.of(new float[] {1, Float.NaN, 3}, 3).argmax(0, false).item());
  }

  @Test
  void sumOverAnEmptyAxisIsZeroAndMeanOfViewsMatchesDense() {
    assertArrayEquals(new float[] {0, 0}, Tensor.zeros(2, 0).sum(false, 1).toArray());
    Tensor base = Tensor.randn(new Rng(3), 4, 5, 6);
    Tensor view = base.permute(2, 0, 1).slice(0, 1, 6, 2);
    Tensor copy = Tensor.of(view.toArray(), view.shape());
    Golden.assertClose("sum of a view", copy.sum(false, 0, 2), view.sum(false, 0, 2), 1e-6, 1e-6);
    Golden.assertClose("mean of a view", copy.mean(true, 1), view.mean(true, 1), 1e-6, 1e-6);
  }

  @Test
  void sumOfALongRowKeepsFloatPrecision() {
    // 10^5 copies of 0.1: a naive float32 running sum drifts by ~1e-2 relative; a tree/vector sum does not.
    int n = 100_000;
    assertEquals(n * 0.1, Tensor.full(0.1f, n).sum().item(), n * 0.1 * 1e-4);
  }

  // ---------------------------------------------------------------- errors

  @Test
  void axisOutOfRangeNamesTheOp() {
    Tensor x = Tensor.zeros(2, 3);
    assertMessage(IllegalArgumentException.class, () -> x.sum(false, 2), "sum", "axis 2", "rank 2");
    assertMessage(IllegalArgumentException.class, () -> x.mean(false, -3), "mean", "axis -3", "rank 2");
    assertMessage(IllegalArgumentException.class, () -> x.max(5, false), "max", "axis 5", "rank 2");
    assertMessage(IllegalArgumentException.class, () -> x.var(1, false, 4), "var", "axis 4", "rank 2");
  }

  @Test
  void repeatedAxisIsAnError() {
    assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).sum(false, 1, -1),
        "sum", "axis -1 appears twice", "[1, -1]");
  }

  @Test
  void maxOfAnEmptyTensorIsAnError() {
    assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(0, 3).max(), "max", "[0, 3]", "empty");
    assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(2, 0).argmax(1, false), "argmax", "[2, 0]", "empty");
  }

  @Test
  void cumsumEachWayWithItsGradient() {
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    assertArrayEquals(new float[] {1, 3, 6, 4, 9, 15}, Reductions.cumsum(x, 1, false, false).toArray());
    assertArrayEquals(new float[] {0, 1, 3, 0, 4, 9}, Reductions.cumsum(x, -1, true, false).toArray());
    assertArrayEquals(new float[] {5, 7, 9, 4, 5, 6}, Reductions.cumsum(x, 0, false, true).toArray());
    assertArrayEquals(new float[] {5, 3, 0, 11, 6, 0}, Reductions.cumsum(x, 1, true, true).toArray());
    Tensor r = Tensor.uniform(new Rng(3), -1, 1, 3, 4, 2).requiresGrad(true);
    for (boolean ex : new boolean[] {false, true})
      for (boolean rev : new boolean[] {false, true}) GradCheck.defaults().check(in -> Reductions.cumsum(in[0], 1, ex, rev), r);
  }

  @Test
  void topkValuesIndicesTiesAndGradient() {
    Tensor x = Tensor.of(new float[] {3, 1, 3, 0, 2, 5, 5, -1}, 2, 4);
    Tensor[] top = Reductions.topk(x, 2, 1, true);
    assertArrayEquals(new float[] {3, 3, 5, 5}, top[0].toArray());
    assertArrayEquals(new float[] {0, 2, 1, 2}, top[1].toArray());   // ties go to the lower index
    Tensor[] low = Reductions.topk(x, 1, 0, false);
    assertArrayEquals(new float[] {2, 1, 3, -1}, low[0].toArray());
    assertArrayEquals(new float[] {1, 0, 0, 1}, low[1].toArray());
    assertMessage(IllegalArgumentException.class, () -> Reductions.topk(x, 5, 1, true), "topk: k = 5 is out of range for an axis of 4");
    Tensor r = Tensor.uniform(new Rng(5), -1, 1, 3, 5).requiresGrad(true);
    GradCheck.defaults().check(in -> Reductions.topk(in[0], 3, 1, true)[0], r);
  }

  @Test
  void prodOverAxesWithZerosAndItsGradient() {
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 0, 6}, 2, 3);
    assertArrayEquals(new float[] {6, 0}, Reductions.prod(x, false, 1).toArray(), 0f);
    assertArrayEquals(new float[] {4, 0, 18}, Reductions.prod(x, true, 0).toArray(), 0f);
    assertArrayEquals(new int[] {1, 3}, Reductions.prod(x, true, 0).shape());
    assertArrayEquals(new float[] {1, 1}, Reductions.prod(Tensor.zeros(2, 0), false, 1).toArray());   // over nothing: 1
    Tensor r = Tensor.uniform(new Rng(4), -1, 1, 2, 3, 2).requiresGrad(true);
    GradCheck.defaults().check(in -> Reductions.prod(in[0], false, 0, 2), r);
    GradCheck.defaults().check(in -> Reductions.prod(in[0], true, 1), x.requiresGrad(true));   // the zero's gradient too
  }
}
