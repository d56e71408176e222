package org.neurite.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.neurite.testing.Errors.assertMessage;

import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.autograd.GradCheck;
import org.neurite.kernels.PoolWindow;
import org.neurite.tensor.Tensor;
import org.neurite.testing.Golden;

/**
 * Pooling (ops/Pooling.java over kernels/Pool2d.java): max pooling 2x2 stride 2 (even and odd inputs),
 * 3x3 stride 2 padding 1 (including all-negative inputs, where padding must act as -infinity, not 0);
 * average pooling 2x2 stride 2, 3x3 stride 2 and stride 1 with padding 1, with count_include_pad true
 * and false. Golden forward/backward against PyTorch, finite-difference checks on tie-free inputs,
 * strided views, and the error messages.
 */
class PoolingTest {
  private static final Golden.Fixture FIX = Golden.load("org/neurite/ops/pooling.safetensors");
  private static final double ATOL = 1e-5, RTOL = 1e-5;

  private static UnaryOperator<Tensor> max(int k, int s, int p) {
    return x -> Functional.maxPool2d(x, k, s, p);
  }

  private static UnaryOperator<Tensor> avg(int k, int s, int p, boolean includePad) {
    return x -> Pooling.avgPool2d(x, new int[] {k, k}, new int[] {s, s}, new int[] {p, p}, includePad);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("max_2x2_s2", max(2, 2, 0)),
        Arguments.of("max_2x2_s2_odd", max(2, 2, 0)),
        Arguments.of("max_3x3_s2_p1", max(3, 2, 1)),
        Arguments.of("max_3x3_s2_p1_negative", max(3, 2, 1)),
        Arguments.of("avg_2x2_s2_incpad", avg(2, 2, 0, true)),
        Arguments.of("avg_2x2_s2_nopad", avg(2, 2, 0, false)),
        Arguments.of("avg_3x3_s2_p1_incpad", avg(3, 2, 1, true)),
        Arguments.of("avg_3x3_s2_p1_nopad", avg(3, 2, 1, false)),
        Arguments.of("avg_3x3_s1_p1_incpad", avg(3, 1, 1, true)),
        Arguments.of("avg_3x3_s1_p1_nopad", avg(3, 1, 1, false)),
        Arguments.of("avg_3x3_s2_p1_ceil_incpad", window(false, 3, 2, 1, 0, 1, 1, 1, 1, true, true)),
        Arguments.of("avg_3x3_s2_p1_ceil_nopad", window(false, 3, 2, 1, 0, 1, 1, 1, 1, true, false)),
        Arguments.of("max_3x3_s2_p1_d2_ceil", window(true, 3, 2, 2, 0, 1, 1, 1, 1, true, false)),
        Arguments.of("max_2x2_s2_asym", window(true, 2, 2, 1, 0, 0, 1, 1, 0, false, false)));
  }

  // A general window (ONNX's): square kernel k, stride s, dilation d, pads top/left/bottom/right.
  private static UnaryOperator<Tensor> window(boolean max, int k, int s, int d, int unused, int pt, int pl, int pb, int pr,
                                              boolean ceil, boolean includePad) {
    return x -> Pooling.pool2d(x, new PoolWindow(max, k, k, s, s, d, d, pt, pl, pb, pr, ceil, includePad));
  }

  /** The inference max pool (no argmax, separable) against the general loop, on awkward windows; NaN propagates. */
  @ParameterizedTest(name = "k={0}x{1} s={2}x{3} d={4} pads={5},{6},{7},{8} ceil={9} in={10}x{11}")
  @org.junit.jupiter.params.provider.CsvSource({"3, 3, 2, 2, 1, 1, 1, 1, 1, false, 112, 112", "3, 3, 2, 2, 1, 0, 0, 0, 0, true, 13, 13",
      "2, 2, 2, 2, 1, 0, 0, 1, 1, false, 7, 9", "3, 3, 1, 1, 1, 1, 1, 1, 1, false, 6, 5", "2, 3, 3, 2, 2, 0, 1, 0, 1, true, 11, 17",
      "1, 3, 1, 2, 1, 0, 1, 0, 1, false, 1, 20", "3, 3, 2, 2, 1, 1, 1, 1, 1, false, 2, 3", "2, 2, 2, 2, 1, 0, 0, 0, 0, false, 14, 14"})
  void inferenceMaxPoolMatchesTheRecordedOne(int kh, int kw, int sh, int sw, int d, int pt, int pl, int pb, int pr, boolean ceil,
                                             int h, int w) {
    Tensor x = Tensor.randn(new org.neurite.tensor.Rng(h * 31 + w), 2, 3, h, w);
    PoolWindow p = new PoolWindow(true, kh, kw, sh, sw, d, d, pt, pl, pb, pr, ceil, false);
    Tensor recorded = Pooling.pool2d(x.detach().requiresGrad(true), p);   // the argmax-keeping loops
    Tensor inference = Pooling.pool2d(x, p);
    Golden.assertClose("max pool", recorded.detach(), inference, 0, 0);
    x.storage()[5] = Float.NaN;   // NaN propagates, as in PyTorch
    boolean nan = false;
    for (float v : Pooling.pool2d(x, p).toArray()) nan |= Float.isNaN(v);
    org.junit.jupiter.api.Assertions.assertTrue(nan);
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
  void stridedViewInputMatchesItsDenseCopy(String name, UnaryOperator<Tensor> op) {
    Tensor x = FIX.get(name).tensor("x");
    Tensor view = x.permute(0, 1, 3, 2);   // swap H and W: a non-dense view
    Golden.assertClose(name, op.apply(Tensor.of(view.toArray(), view.shape())), op.apply(view), 0, 0);
  }

  @Test
  void functionalAvgPoolCountsPaddingAsPyTorchDoesByDefault() {
    // count_include_pad=true: every window divides by 4, padded cells included.
    float[] y = Functional.avgPool2d(Tensor.ones(1, 1, 2, 2), 2, 1, 1).toArray();
    assertArrayEquals(new float[] {0.25f, 0.5f, 0.25f, 0.5f, 1f, 0.5f, 0.25f, 0.5f, 0.25f}, y, 0f);
  }

  @Test
  void functionalMaxPoolWithOnlyAKernelUsesStrideEqualToIt() {
    Tensor x = Tensor.arange(16).reshape(1, 1, 4, 4);
    assertArrayEquals(new float[] {5, 7, 13, 15}, Functional.maxPool2d(x, 2).toArray(), 0f);
  }

  // ---------------------------------------------------------------- errors

  @Test
  void wrongRankIsAnError() {
    assertMessage(IllegalArgumentException.class, () -> Functional.maxPool2d(Tensor.zeros(3, 8, 8), 2),
        "max_pool2d", "expected input [N, C, H, W], got [3, 8, 8]");
    assertMessage(IllegalArgumentException.class, () -> Functional.avgPool2d(Tensor.zeros(8, 8), 2, 2, 0),
        "avg_pool2d", "got [8, 8]");
  }

  @Test
  void badWindowsAreErrors() {
    assertMessage(IllegalArgumentException.class, () -> Functional.maxPool2d(Tensor.zeros(1, 1, 8, 8), 2, 2, 2),
        "pool2d", "padding (2, 2)", "half the kernel (2, 2)");
    assertMessage(IllegalArgumentException.class, () -> Functional.maxPool2d(Tensor.zeros(1, 1, 2, 2), 3, 1, 0),
        "pool2d", "input 2x2", "smaller than the kernel 3x3");
    assertMessage(IllegalArgumentException.class, () -> Functional.maxPool2d(Tensor.zeros(1, 1, 4, 4), 2, 0, 0),
        "pool2d");
  }
}
