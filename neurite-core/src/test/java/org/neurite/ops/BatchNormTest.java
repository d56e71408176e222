package org.neurite.ops;

import static org.neurite.testing.Errors.assertMessage;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.autograd.GradCheck;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.testing.Golden;

/**
 * The fused batch normalisation (ops/Normalization.batchNorm over kernels/BatchNormKernels) against
 * PyTorch's F.batch_norm in training and evaluation mode for [N, C], [N, C, L] and [N, C, H, W]:
 * output, input/weight/bias gradients and the updated running statistics; finite differences; errors.
 */
class BatchNormTest {
  private static final Golden.Fixture FIX = Golden.load("org/neurite/ops/normalization.safetensors");
  private static final double ATOL = 1e-5, RTOL = 1e-5;

  static Stream<String> cases() {
    return FIX.caseNames().stream().filter(n -> n.startsWith("batch_norm_"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesPyTorch(String name) {
    Golden.Case c = FIX.get(name);
    boolean training = name.contains("_train_");
    Tensor rm = c.tensor("running_mean"), rv = c.tensor("running_var");
    c.check(Normalization.batchNorm(c.input("x"), rm, rv, c.input("weight"), c.input("bias"), training, 0.1f, 1e-5f), ATOL, RTOL);
    Golden.assertClose(name + " running_mean", c.expected("running_mean_after"), rm, ATOL, RTOL);
    Golden.assertClose(name + " running_var", c.expected("running_var_after"), rv, ATOL, RTOL);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradientsMatchFiniteDifferences(String name) {
    Golden.Case c = FIX.get(name);
    boolean training = name.contains("_train_");
    Tensor rm = c.tensor("running_mean"), rv = c.tensor("running_var");
    GradCheck.defaults().check(in -> Normalization.batchNorm(in[0], rm.detach(), rv.detach(), in[1], in[2], training, 0f, 1e-5f),
        c.tensor("x").requiresGrad(true), c.tensor("weight").requiresGrad(true), c.tensor("bias").requiresGrad(true));
  }

  @Test
  void matchesTheCompositeOnALargeChannel() {
    // 64 x 4096 values per channel: the double accumulation keeps mean and variance exact to float precision.
    Tensor x = Tensor.randn(new Rng(4), 64, 2, 64, 64).mul(3f).add(10f);
    Tensor y = Normalization.batchNorm(x, null, null, null, null, true, 0.1f, 1e-5f);
    Tensor mu = x.mean(true, 0, 2, 3), d = x.sub(mu);
    Tensor want = d.div(d.mul(d).mean(true, 0, 2, 3).add(1e-5f).sqrt());
    Golden.assertClose("batch_norm vs composite", want, y, 1e-4, 1e-4);
  }

  /** The training-mode op that hands back the batch statistics (ONNX's BatchNormalization outputs them). */
  @Test
  void batchNormTrainReturnsTheBatchStatisticsAndPassesGradCheck() {
    Golden.Case c = FIX.get("batch_norm_train_3x4x5x4");
    float[][] stats = new float[2][];
    c.check(Normalization.batchNormTrain(c.input("x"), c.input("weight"), c.input("bias"), 1e-5f, stats), ATOL, RTOL);
    Tensor x = c.tensor("x");
    Golden.assertClose("batch mean", x.mean(false, 0, 2, 3), Tensor.of(stats[0], 4), 1e-5, 1e-5);
    Golden.assertClose("batch variance (biased)", x.var(0, false, 0, 2, 3), Tensor.of(stats[1], 4), 1e-5, 1e-4);
    Rng r = new Rng(3);
    Tensor g = Tensor.randn(r, 3), b = Tensor.randn(r, 3);
    GradCheck.defaults().check(in -> Normalization.batchNormTrain(in[0], g, b, 1e-5f, new float[2][]),
        Tensor.randn(r, 4, 3, 2, 2).requiresGrad(true));
  }

  @Test
  void badShapesAreNamed() {
    Tensor x = Tensor.zeros(2, 3, 4);
    assertMessage(IllegalArgumentException.class, () -> Normalization.batchNorm(x, null, null, Tensor.ones(4), null, true, 0.1f, 1e-5f),
        "batch_norm: statistics and parameters must be [3] for input [2, 3, 4], got [4]");
    assertMessage(IllegalArgumentException.class, () -> Normalization.batchNorm(Tensor.zeros(1, 3), null, null, null, null, true, 0.1f,
        1e-5f), "batch_norm: training needs more than one value per channel, got input [1, 3] (PyTorch refuses it too: the variance of one value is 0)");
    assertMessage(IllegalArgumentException.class, () -> Normalization.batchNorm(x, null, null, null, null, false, 0.1f, 1e-5f),
        "batch_norm: evaluation needs the running mean and variance");
  }
}
