package org.neurite.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.neurite.testing.Errors.assertMessage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.neurite.autograd.GradCheck;
import org.neurite.tensor.Tensor;
import org.neurite.testing.Golden;

/**
 * Joining (ops/Joining.java): concat along axes 0, 1 and -1 of unequal parts, stack along 0, 1 and -1,
 * split with unequal and zero sizes (views). Golden forward/backward against PyTorch (backward of the
 * multi-output split uses sum_i sum(out_i * u_i)), finite-difference checks, and the error messages.
 */
class JoiningTest {
  private static final Golden.Fixture FIX = Golden.load("org/neurite/ops/joining.safetensors");
  private static final double ATOL = 1e-6, RTOL = 1e-6;
  private static final GradCheck GC = GradCheck.defaults();

  @ParameterizedTest(name = "concat axis {0}")
  @ValueSource(ints = {0, 1, -1})
  void concatMatchesPyTorch(int axis) {
    Golden.Case c = FIX.get("concat_axis" + (axis < 0 ? "_m1" : axis));
    boolean three = c.has("c");
    Tensor a = c.input("a"), b = c.input("b");
    Tensor[] parts = three ? new Tensor[] {a, b, c.input("c")} : new Tensor[] {a, b};
    c.check(Tensor.concat(axis, parts), ATOL, RTOL);
    Tensor[] fresh = three
        ? new Tensor[] {c.tensor("a").requiresGrad(true), c.tensor("b").requiresGrad(true), c.tensor("c").requiresGrad(true)}
        : new Tensor[] {c.tensor("a").requiresGrad(true), c.tensor("b").requiresGrad(true)};
    GC.check(in -> Tensor.concat(axis, in), fresh);
  }

  @ParameterizedTest(name = "stack axis {0}")
  @ValueSource(ints = {0, 1, -1})
  void stackMatchesPyTorch(int axis) {
    Golden.Case c = FIX.get("stack_" + (axis < 0 ? "m1" : axis));
    Tensor a = c.input("a"), b = c.input("b"), d = c.input("c");
    c.check(Tensor.stack(axis, a, b, d), ATOL, RTOL);
    GC.check(in -> Tensor.stack(axis, in), c.tensor("a").requiresGrad(true), c.tensor("b").requiresGrad(true),
        c.tensor("c").requiresGrad(true));
  }

  @Test
  void padMatchesPyTorchAndPassesGradCheck() {
    Golden.Case c = FIX.get("pad_constant");
    int[] before = {1, 0, 2}, after = {0, 1, 1};
    c.check(Joining.pad(c.input("x"), before, after, 0.5f), ATOL, RTOL);
    GradCheck.defaults().check(in -> Joining.pad(in[0], before, after, 0.5f), c.tensor("x").requiresGrad(true));
    assertMessage(IllegalArgumentException.class, () -> Joining.pad(c.tensor("x"), new int[] {1, 0}, after, 0f),
        "pad: needs 3 pads", "[2, 3, 2]");
    assertMessage(IllegalArgumentException.class, () -> Joining.pad(c.tensor("x"), new int[] {1, 0, -1}, after, 0f),
        "pad: pads must be >= 0");
  }

  @Test
  void splitMatchesPyTorch() {
    Golden.Case c = FIX.get("split_axis1");
    Tensor x = c.input("x");
    c.check(x.split(1, 1, 2, 3), ATOL, RTOL);
    GC.check(in -> Tensor.concat(1, in[0].split(1, 1, 2, 3)[2], in[0].split(1, 1, 2, 3)[0]), c.tensor("x").requiresGrad(true));

    Golden.Case z = FIX.get("split_axis0");   // with a zero-size part
    Tensor y = z.input("x");
    z.check(y.split(0, 2, 0, 1), ATOL, RTOL);
  }

  @Test
  void splitPartsAreViews() {
    Tensor x = Tensor.arange(6).reshape(2, 3);
    Tensor[] p = x.split(1, 2, 1);
    assertSame(x.storage(), p[0].storage());
    assertArrayEquals(new float[] {2, 5}, p[1].toArray());
  }

  @Test
  void concatOfAOnePartListCopiesIt() {
    Tensor x = Tensor.arange(3);
    Tensor y = Tensor.concat(0, x);
    assertArrayEquals(x.toArray(), y.toArray());
  }

  @Test
  void concatOfViewsMatchesConcatOfCopies() {
    Tensor a = Tensor.arange(12).reshape(3, 4).t();            // [4, 3] transposed view
    Tensor b = Tensor.arange(8).reshape(4, 2).slice(1, 0, 2);  // [4, 2] contiguous in memory order
    Tensor want = Tensor.concat(1, Tensor.of(a.toArray(), 4, 3), Tensor.of(b.toArray(), 4, 2));
    assertArrayEquals(want.toArray(), Tensor.concat(1, a, b).toArray());
  }

  // ---------------------------------------------------------------- errors

  @Test
  void concatShapeMismatchNamesBothShapes() {
    assertMessage(IllegalArgumentException.class, () -> Tensor.concat(0, Tensor.zeros(2, 3), Tensor.zeros(2, 4)),
        "concat", "[2, 3]", "[2, 4]", "outside axis 0");
    assertMessage(IllegalArgumentException.class, () -> Tensor.concat(0, Tensor.zeros(2, 3), Tensor.zeros(6)),
        "concat", "[2, 3]", "[6]");
    assertMessage(IllegalArgumentException.class, () -> Tensor.concat(0), "concat", "at least one");
    assertMessage(IllegalArgumentException.class, () -> Tensor.concat(2, Tensor.zeros(2, 3)), "concat", "axis 2", "rank 2");
  }

  @Test
  void stackShapeMismatchNamesTheTensor() {
    assertMessage(IllegalArgumentException.class, () -> Tensor.stack(0, Tensor.zeros(2), Tensor.zeros(2), Tensor.zeros(3)),
        "stack", "tensor 2 has shape [3]", "tensor 0 has [2]");
    assertMessage(IllegalArgumentException.class, () -> Tensor.stack(0), "stack", "at least one");
  }

  @Test
  void splitSizesMustAddUp() {
    assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(2, 5).split(1, 2, 2), "split", "[2, 2] add up to 4",
        "[2, 5] has 5");
    assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(2, 5).split(1, 6, -1), "split", "negative size");
  }
}
