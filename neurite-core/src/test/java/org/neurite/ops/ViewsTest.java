package org.neurite.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.neurite.testing.Errors.assertMessage;

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
 * Views (ops/Views.java): reshape (with -1), permute, transpose, slice with step and negative start,
 * squeeze (all and one axis), unsqueeze, expand, flatten, and a composition that forces reshape to copy.
 * Golden forward/backward against PyTorch, finite-difference checks, storage sharing, and the error
 * messages. Random compositions are swept in tensor/ViewPropertyTest.
 */
class ViewsTest {
  private static final Golden.Fixture FIX = Golden.load("org/neurite/ops/views.safetensors");

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("reshape", (UnaryOperator<Tensor>) x -> x.reshape(4, 6)),
        Arguments.of("reshape_infer", (UnaryOperator<Tensor>) x -> x.reshape(3, -1, 2)),
        Arguments.of("permute", (UnaryOperator<Tensor>) x -> x.permute(2, 0, 1)),
        Arguments.of("transpose", (UnaryOperator<Tensor>) x -> x.transpose(0, 2)),
        Arguments.of("slice_step", (UnaryOperator<Tensor>) x -> x.slice(2, 1, 4, 2)),
        Arguments.of("slice_negative", (UnaryOperator<Tensor>) x -> x.slice(1, -2, 3)),
        Arguments.of("slice_step3_axis0", (UnaryOperator<Tensor>) x -> x.slice(0, 0, 7, 3)),
        Arguments.of("squeeze", (UnaryOperator<Tensor>) Tensor::squeeze),
        Arguments.of("squeeze_axis", (UnaryOperator<Tensor>) x -> x.squeeze(1)),
        Arguments.of("unsqueeze", (UnaryOperator<Tensor>) x -> x.unsqueeze(1)),
        Arguments.of("unsqueeze_last", (UnaryOperator<Tensor>) x -> x.unsqueeze(-1)),
        Arguments.of("expand", (UnaryOperator<Tensor>) x -> x.expand(2, 3, 4)),
        Arguments.of("flatten", (UnaryOperator<Tensor>) x -> x.flatten(1, 2)),
        Arguments.of("permute_slice_reshape", (UnaryOperator<Tensor>) x -> x.permute(1, 0, 2).slice(2, 0, 4, 2).reshape(-1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesPyTorch(String name, UnaryOperator<Tensor> op) {
    Golden.Case c = FIX.get(name);
    Tensor x = c.input("x");
    c.check(op.apply(x), 0, 0);   // views move values, they never round them
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradCheck(String name, UnaryOperator<Tensor> op) {
    GradCheck.defaults().check(in -> op.apply(in[0]), FIX.get(name).tensor("x").requiresGrad(true));
  }

  @Test
  void viewsShareStorage() {
    Tensor x = Tensor.arange(24).reshape(2, 3, 4);
    float[] s = x.storage();
    assertSame(s, x.permute(2, 0, 1).storage());
    assertSame(s, x.transpose(0, 1).storage());
    assertSame(s, x.slice(2, 1, 4, 2).storage());
    assertSame(s, x.unsqueeze(0).squeeze().storage());
    assertSame(s, x.slice(1, 0, 1).expand(2, 5, 4).storage());
    assertSame(s, x.reshape(6, 4).storage());
    x.slice(2, 1, 2).storage()[1] = 100f;   // element [0, 0, 1]
    org.junit.jupiter.api.Assertions.assertEquals(100f, x.get(0, 0, 1));
  }

  @Test
  void reshapeOfANonContiguousViewCopies() {
    Tensor x = Tensor.arange(6).reshape(2, 3);
    Tensor r = x.t().reshape(6);
    assertNotSame(x.storage(), r.storage());
    assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, r.toArray());
  }

  @Test
  void sliceClampsBoundsLikePython() {
    Tensor x = Tensor.arange(5);
    assertArrayEquals(new float[] {3, 4}, x.slice(0, -2, 100).toArray());
    assertArrayEquals(new float[] {}, x.slice(0, 4, 2).toArray());
    assertArrayEquals(new float[] {0, 1}, x.slice(0, -100, 2).toArray());
  }

  @Test
  void squeezeOfANonUnitAxisIsANoOp() {
    Tensor x = Tensor.zeros(2, 3);
    assertArrayEquals(new int[] {2, 3}, x.squeeze(0).shape());
  }

  @Test
  void expandGradientSumsOverTheRepeats() {
    Tensor x = Tensor.of(new float[] {1, 2}, 2, 1).requiresGrad(true);
    x.expand(3, 2, 4).sum().backward();
    assertArrayEquals(new float[] {12, 12}, x.grad().toArray());
  }

  // ---------------------------------------------------------------- errors

  @Test
  void reshapeToTheWrongSizeNamesBothShapes() {
    Tensor x = Tensor.zeros(2, 3);
    assertMessage(IllegalArgumentException.class, () -> x.reshape(4, 2), "reshape", "[2, 3] (6 elements)", "[4, 2] (8 elements)");
    assertMessage(IllegalArgumentException.class, () -> x.reshape(4, -1), "reshape", "[2, 3]", "[4, -1]");
    assertMessage(IllegalArgumentException.class, () -> x.reshape(-1, -1), "reshape", "only one dimension can be -1");
    assertMessage(IllegalArgumentException.class, () -> x.reshape(-2, -3), "reshape", "negative dimension");
  }

  @Test
  void badPermutationsAreErrors() {
    Tensor x = Tensor.zeros(2, 3, 4);
    assertMessage(IllegalArgumentException.class, () -> x.permute(0, 1), "permute", "[0, 1] has 2 axes", "[2, 3, 4] has 3");
    assertMessage(IllegalArgumentException.class, () -> x.permute(0, 1, 1), "permute", "axis 1 repeats", "[0, 1, 1]");
    assertMessage(IllegalArgumentException.class, () -> x.permute(0, 1, 3), "permute", "axis 3", "rank 3");
    assertMessage(IllegalArgumentException.class, () -> x.transpose(0, 3), "transpose", "axis 3", "rank 3");
  }

  @Test
  void badSlicesAreErrors() {
    Tensor x = Tensor.zeros(2, 3);
    assertMessage(IllegalArgumentException.class, () -> x.slice(1, 0, 3, 0), "slice", "step (0) must be >= 1");
    assertMessage(IllegalArgumentException.class, () -> x.slice(2, 0, 1), "slice", "axis 2", "rank 2");
  }

  @Test
  void badExpandsAreErrors() {
    assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).expand(2, 4), "expand", "[2, 3]",
        "[2, 4]", "dimension 1 is 3, not 1");
    assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).expand(3), "expand", "[2, 3]", "fewer dimensions");
    assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(3).expand(-1, 3), "expand", "-1", "leading dimension 0");
  }

  @Test
  void badFlattenSqueezeUnsqueezeAreErrors() {
    Tensor x = Tensor.zeros(2, 3, 4);
    assertMessage(IllegalArgumentException.class, () -> x.flatten(2, 1), "flatten", "start (2) is after end (1)");
    assertMessage(IllegalArgumentException.class, () -> x.squeeze(3), "squeeze", "axis 3", "rank 3");
    assertMessage(IllegalArgumentException.class, () -> x.unsqueeze(4), "unsqueeze", "axis 4", "rank 4");
  }
}
