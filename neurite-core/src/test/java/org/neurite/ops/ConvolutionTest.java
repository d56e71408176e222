package org.neurite.ops;

import static org.neurite.testing.Errors.assertMessage;

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
 * 2-D convolution (ops/Convolution.java over kernels/Conv2d.java): stride 1 and 2, padding, dilation
 * 2, groups 2, 1x1 kernels, non-square inputs, with and without bias. Golden forward/backward (input,
 * weight and bias gradients) against PyTorch's F.conv2d, finite-difference checks, strided-view
 * inputs, and the error messages.
 */
class ConvolutionTest {
  private static final Golden.Fixture FIX = Golden.load("org/neurite/ops/convolution.safetensors");
  private static final double ATOL = 1e-4, RTOL = 1e-4;   // sums of C*kH*kW products in float32

  // name, stride, padding, dilation, groups (shapes and bias come from the fixture)
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("conv_basic", 1, 0, 1, 1),
        Arguments.of("conv_nobias", 1, 0, 1, 1),
        Arguments.of("conv_stride2_pad1", 2, 1, 1, 1),
        Arguments.of("conv_pad1_nobias", 1, 1, 1, 1),
        Arguments.of("conv_dilation2", 1, 2, 2, 1),
        Arguments.of("conv_groups2", 1, 1, 1, 2),
        Arguments.of("conv_groups2_nobias_stride2", 2, 0, 1, 2),
        Arguments.of("conv_1x1", 1, 0, 1, 1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesPyTorch(String name, int stride, int padding, int dilation, int groups) {
    Golden.Case c = FIX.get(name);
    Tensor x = c.input("x"), w = c.input("w");
    Tensor b = c.has("bias") ? c.input("bias") : null;
    c.check(Functional.conv2d(x, w, b, stride, padding, dilation, groups), ATOL, RTOL);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradCheck(String name, int stride, int padding, int dilation, int groups) {
    Golden.Case c = FIX.get(name);
    Tensor x = c.tensor("x").requiresGrad(true), w = c.tensor("w").requiresGrad(true);
    if (c.has("bias"))
      GradCheck.defaults().check(in -> Functional.conv2d(in[0], in[1], in[2], stride, padding, dilation, groups),
          x, w, c.tensor("bias").requiresGrad(true));
    else
      GradCheck.defaults().check(in -> Functional.conv2d(in[0], in[1], null, stride, padding, dilation, groups), x, w);
  }

  /**
   * The fused conv2d + ReLU: forward is ReLU of PyTorch's conv output; gradients equal those of the separate
   * conv2d and relu ops (each golden against PyTorch), and pass the finite-difference check.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void fusedReluIsReluOfTheConvolution(String name, int stride, int padding, int dilation, int groups) {
    Golden.Case c = FIX.get(name);
    int[] s = {stride, stride}, p = {padding, padding}, d = {dilation, dilation};
    Tensor x = c.tensor("x").requiresGrad(true), w = c.tensor("w").requiresGrad(true);
    Tensor b = c.has("bias") ? c.tensor("bias").requiresGrad(true) : null;
    Tensor fused = Convolution.conv2d(x, w, b, s, p, d, groups, true);
    Golden.assertClose(name + " relu(out)", c.expected("out").relu(), fused, ATOL, RTOL);
    fused.mul(c.expected("u")).sum().backward();
    Tensor x2 = c.tensor("x").requiresGrad(true), w2 = c.tensor("w").requiresGrad(true);
    Tensor b2 = c.has("bias") ? c.tensor("bias").requiresGrad(true) : null;
    Convolution.conv2d(x2, w2, b2, s, p, d, groups).relu().mul(c.expected("u")).sum().backward();
    Golden.assertClose(name + " grad_x", x2.grad(), x.grad(), 1e-6, 1e-6);
    Golden.assertClose(name + " grad_w", w2.grad(), w.grad(), 1e-6, 1e-6);
    if (b != null) Golden.assertClose(name + " grad_bias", b2.grad(), b.grad(), 1e-6, 1e-6);
    Tensor xg = c.tensor("x").requiresGrad(true), wg = c.tensor("w").requiresGrad(true);
    GradCheck.defaults().check(in -> Convolution.conv2d(in[0], in[1], null, s, p, d, groups, true), xg, wg);
  }

  @Test
  void gradientOnlyForTheInputsThatNeedIt() {
    Golden.Case c = FIX.get("conv_basic");
    Tensor x = c.tensor("x"), w = c.tensor("w").requiresGrad(true), b = c.tensor("bias");
    Functional.conv2d(x, w, b).mul(c.expected("u")).sum().backward();
    Golden.assertClose("grad_w", c.expected("grad_w"), w.grad(), ATOL, RTOL);
    org.junit.jupiter.api.Assertions.assertNull(x.grad());
  }

  @Test
  void stridedViewInputMatchesItsDenseCopy() {
    Rng rng = new Rng(5);
    Tensor x = Tensor.randn(rng, 2, 6, 6, 3).permute(0, 3, 1, 2);   // NHWC storage read as NCHW
    Tensor w = Tensor.randn(rng, 4, 3, 3, 3);
    Tensor dense = Tensor.of(x.toArray(), x.shape());
    Golden.assertClose("conv2d of a view", Functional.conv2d(dense, w, null, 1, 1, 1, 1),
        Functional.conv2d(x, w, null, 1, 1, 1, 1), 1e-5, 1e-5);
  }

  // ---------------------------------------------------------------- transposed convolution

  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"conv_transpose_s2_p1_op1", "conv_transpose_groups2_dil"})
  void convTransposeMatchesPyTorchAndPassesGradCheck(String name) {
    Golden.Case c = FIX.get(name);
    boolean first = name.endsWith("op1");
    int[] s = first ? new int[] {2, 2} : new int[] {1, 2}, p = first ? new int[] {1, 1} : new int[] {0, 1};
    int[] op = first ? new int[] {1, 1} : new int[] {0, 1}, d = first ? new int[] {1, 1} : new int[] {2, 1};
    int groups = first ? 1 : 2;
    Tensor b = c.has("bias") ? c.input("bias") : null;
    c.check(Convolution.convTranspose2d(c.input("x"), c.input("w"), b, s, p, d, op, groups), ATOL, RTOL);
    GradCheck.defaults().check(in -> Convolution.convTranspose2d(in[0], in[1], null, s, p, d, op, groups),
        c.tensor("x").requiresGrad(true), c.tensor("w").requiresGrad(true));
  }

  // ---------------------------------------------------------------- errors

  @Test
  void missingBatchAxisGivesAHint() {
    assertMessage(IllegalArgumentException.class, () -> Functional.conv2d(Tensor.zeros(3, 8, 8), Tensor.zeros(4, 3, 3, 3), null),
        "conv2d", "expected input [N, C, H, W], got [3, 8, 8]", "unsqueeze(0)");
    assertMessage(IllegalArgumentException.class, () -> Functional.conv2d(Tensor.zeros(1, 3, 8, 8), Tensor.zeros(3, 3, 3), null),
        "conv2d", "expected weight", "got [3, 3, 3]");
  }

  @Test
  void channelAndGroupMismatchesAreErrors() {
    assertMessage(IllegalArgumentException.class,
        () -> Functional.conv2d(Tensor.zeros(1, 3, 8, 8), Tensor.zeros(4, 2, 3, 3), null),
        "conv2d", "[1, 3, 8, 8]", "[4, 2, 3, 3]", "groups=1");
    assertMessage(IllegalArgumentException.class,
        () -> Functional.conv2d(Tensor.zeros(1, 4, 8, 8), Tensor.zeros(3, 2, 3, 3), null, 1, 0, 1, 2),
        "conv2d", "groups=2", "O divisible by groups");
  }

  @Test
  void badBiasIsAnError() {
    assertMessage(IllegalArgumentException.class,
        () -> Functional.conv2d(Tensor.zeros(1, 3, 8, 8), Tensor.zeros(4, 3, 3, 3), Tensor.zeros(3)),
        "conv2d", "bias must be [4]", "got [3]");
  }

  @Test
  void inputSmallerThanTheKernelIsAnError() {
    assertMessage(IllegalArgumentException.class,
        () -> Functional.conv2d(Tensor.zeros(1, 1, 2, 2), Tensor.zeros(1, 1, 3, 3), null),
        "conv2d", "[1, 1, 2, 2]", "too small for kernel 3x3");
    assertMessage(IllegalArgumentException.class,
        () -> Functional.conv2d(Tensor.zeros(1, 1, 8, 8), Tensor.zeros(1, 1, 3, 3), null, 0, 0, 1, 1),
        "conv2d", "stride");
  }

  // ---------------------------------------------------------------- the plan: Winograd behind the op

  @Test
  void planChoosesWinogradOnlyFor3x3Stride1UngroupedWithEnoughChannels() {
    int[] one = {1, 1}, none = {0, 0};
    org.junit.jupiter.api.Assertions.assertTrue(Convolution.plan(new int[] {1, 16, 12, 12}, new int[] {16, 16, 3, 3}, null, one,
        one, one, 1).winograd());
    org.junit.jupiter.api.Assertions.assertFalse(Convolution.plan(new int[] {1, 16, 12, 12}, new int[] {16, 16, 3, 3}, null,
        new int[] {2, 2}, one, one, 1).winograd(), "stride 2");
    org.junit.jupiter.api.Assertions.assertFalse(Convolution.plan(new int[] {1, 16, 12, 12}, new int[] {16, 8, 3, 3}, null, one,
        one, one, 2).winograd(), "groups");
    org.junit.jupiter.api.Assertions.assertFalse(Convolution.plan(new int[] {1, 3, 12, 12}, new int[] {16, 3, 3, 3}, null, one,
        none, one, 1).winograd(), "3 input channels");
    org.junit.jupiter.api.Assertions.assertFalse(Convolution.plan(new int[] {1, 16, 12, 12}, new int[] {16, 16, 5, 5}, null, one,
        none, one, 1).winograd(), "5x5");
    org.junit.jupiter.api.Assertions.assertFalse(Convolution.plan(new int[] {1, 64, 5, 5}, new int[] {128, 64, 3, 3}, null, one,
        none, one, 1).winograd(), "a 3x3 output: the tiles would waste most of their work");
  }

  /**
   * The Winograd plan and the direct one agree, forward and backward, with and without the fused ReLU:
   * training takes Winograd's forward and Conv2d's backward, which needs only x, w and dy.
   */
  @Test
  void winogradAgreesWithTheDirectPathInInferenceAndTraining() {
    Rng rng = new Rng(31);
    Tensor x = Tensor.randn(rng, 2, 16, 9, 11), w = Tensor.randn(rng, 24, 16, 3, 3).mul(0.1f), b = Tensor.randn(rng, 24);
    Convolution.Plan plan = Convolution.plan(x.shape(), w.shape(), b.shape(), new int[] {1, 1}, new int[] {1, 1},
        new int[] {1, 1}, 1);
    org.junit.jupiter.api.Assertions.assertTrue(plan.winograd());
    Convolution.Plan direct = new Convolution.Plan(plan.geometry(), false);
    Tensor dy = Tensor.randn(rng, 2, 24, 9, 11);
    for (boolean relu : new boolean[] {false, true}) {
      Tensor[][] grads = new Tensor[2][];
      Tensor[] outs = new Tensor[2];
      for (int k = 0; k < 2; k++) {
        Tensor xg = x.detach().requiresGrad(true), wg = w.detach().requiresGrad(true), bg = b.detach().requiresGrad(true);
        outs[k] = Convolution.conv2d(xg, wg, bg, k == 0 ? plan : direct, relu);
        outs[k].backward(dy);
        grads[k] = new Tensor[] {xg.grad(), wg.grad(), bg.grad()};
      }
      Golden.assertClose("winograd relu=" + relu, outs[1].detach(), outs[0].detach(), 1e-4, 1e-4);
      for (int i = 0; i < 3; i++) Golden.assertClose("gradient " + i + " relu=" + relu, grads[1][i], grads[0][i], 1e-4, 1e-4);
      Golden.assertClose("inference relu=" + relu, outs[1].detach(), Convolution.conv2d(x, w, b, plan, relu), 1e-4, 1e-4);
    }
    assertMessage(IllegalArgumentException.class, () -> Convolution.conv2d(Tensor.zeros(1, 16, 9, 11), w, b, plan, false),
        "conv2d: plan for", "does not fit input [1, 16, 9, 11]");
  }
}
