package org.neurite.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.neurite.testing.Errors.assertMessage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.neurite.autograd.GradCheck;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.testing.Golden;

/**
 * Losses (ops/Losses.java): the fused softmax cross-entropy (F.cross_entropy, mean reduction), on
 * ordinary and on large logits. Golden forward/backward against PyTorch, a finite-difference check, a
 * comparison with the composite -mean(gather(log_softmax)) it fuses, and the error messages.
 */
class LossesTest {
  private static final Golden.Fixture FIX = Golden.load("org/neurite/ops/losses.safetensors");

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"cross_entropy", "cross_entropy_large_logits"})
  void crossEntropyMatchesPyTorch(String name) {
    Golden.Case c = FIX.get(name);
    Tensor logits = c.input("logits");
    c.check(Functional.crossEntropy(logits, c.tensor("labels")), 1e-5, 1e-5);
  }

  /** The sequence models' loss: padding rows ignored, label smoothing, against F.cross_entropy(ignore_index, label_smoothing). */
  @Test
  void crossEntropyWithIgnoreIndexAndSmoothingMatchesPyTorch() {
    Golden.Case c = FIX.get("cross_entropy_ignore_smoothing");
    Tensor labels = c.tensor("labels");
    c.check(Losses.crossEntropy(c.input("logits"), labels, 0, 0.1f), 1e-5, 1e-5);
    GradCheck.defaults().check(in -> Losses.crossEntropy(in[0], in[1], 0, 0.1f), c.tensor("logits").requiresGrad(true), labels);
    Tensor allIgnored = Losses.crossEntropy(c.tensor("logits"), Tensor.zeros(6), 0, 0.1f);
    assertEquals(0f, allIgnored.item());
    assertMessage(IllegalArgumentException.class, () -> Losses.crossEntropy(c.tensor("logits"), labels, 0, 1f),
        "cross_entropy", "smoothing (1.0) must be in [0, 1)");
  }

  @Test
  void crossEntropyGradCheck() {
    Golden.Case c = FIX.get("cross_entropy");
    Tensor labels = c.tensor("labels");
    GradCheck.defaults().check(in -> Functional.crossEntropy(in[0], in[1]), c.tensor("logits").requiresGrad(true), labels);
  }

  @Test
  void fusedLossEqualsItsComposite() {
    Rng rng = new Rng(11);
    Tensor logits = Tensor.randn(rng, 6, 7).mul(3f).requiresGrad(true);
    Tensor labels = Tensor.of(new float[] {0, 6, 3, 3, 1, 5}, 6);
    Tensor copy = Tensor.of(logits.toArray(), 6, 7).requiresGrad(true);
    Tensor fused = Functional.crossEntropy(logits, labels);
    Tensor composite = copy.logSoftmax(1).gather(1, labels.reshape(6, 1)).mean().neg();
    assertEquals(composite.item(), fused.item(), 1e-5);
    fused.backward();
    composite.backward();
    Golden.assertClose("d logits", copy.grad(), logits.grad(), 1e-6, 1e-5);
  }

  @Test
  void upstreamGradientScalesTheLogitGradient() {
    Tensor logits = Tensor.randn(new Rng(2), 3, 4).requiresGrad(true);
    Tensor labels = Tensor.of(new float[] {1, 2, 3}, 3);
    Functional.crossEntropy(logits, labels).backward();
    float[] once = logits.grad().toArray();
    logits.zeroGrad();
    Functional.crossEntropy(logits, labels).backward(Tensor.scalar(3f));
    float[] thrice = logits.grad().toArray();
    for (int i = 0; i < once.length; i++) assertEquals(3 * once[i], thrice[i], 1e-6);
  }

  // ---------------------------------------------------------------- errors

  @Test
  void badLabelNamesItsPosition() {
    Tensor logits = Tensor.zeros(3, 5);
    assertMessage(IndexOutOfBoundsException.class, () -> Functional.crossEntropy(logits, Tensor.of(new float[] {0, 4, 5}, 3)),
        "cross_entropy", "label 5.0 at position 2", "[0, 5)");
    assertMessage(IndexOutOfBoundsException.class, () -> Functional.crossEntropy(logits, Tensor.of(new float[] {0.5f, 1, 2}, 3)),
        "cross_entropy", "label 0.5 at position 0");
    assertMessage(IndexOutOfBoundsException.class, () -> Functional.crossEntropy(logits, Tensor.of(new float[] {0, -1, 2}, 3)),
        "cross_entropy", "label -1.0 at position 1");
  }

  @Test
  void badShapesAreErrors() {
    assertMessage(IllegalArgumentException.class, () -> Functional.crossEntropy(Tensor.zeros(3, 5), Tensor.zeros(4)),
        "cross_entropy", "labels must be [3]", "[3, 5]", "got [4]");
    assertMessage(IllegalArgumentException.class, () -> Functional.crossEntropy(Tensor.zeros(3, 5), Tensor.zeros(3, 1)),
        "cross_entropy", "labels must be [3]", "got [3, 1]");
    assertMessage(IllegalArgumentException.class, () -> Functional.crossEntropy(Tensor.zeros(2, 3, 5), Tensor.zeros(2)),
        "cross_entropy", "logits must be [N, C]", "got [2, 3, 5]");
    assertMessage(IllegalArgumentException.class, () -> Functional.crossEntropy(Tensor.zeros(0, 5), Tensor.zeros(0)),
        "cross_entropy", "empty batch");
  }
}
