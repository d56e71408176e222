package org.neurite.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.neurite.testing.Errors.assertMessage;

import org.junit.jupiter.api.Test;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/** Label smoothing: PyTorch's CrossEntropyLoss(label_smoothing=e), from logits and from a softmax layer's output. */
class LabelSmoothingTest {
  @Test
  void smoothedLossIsTheCrossEntropyOfTheSpreadTarget() {
    Tensor logits = Tensor.randn(new Rng(5), 4, 3).mul(2f);
    float[] z = logits.toArray();
    int[] y = {2, 0, 1, 1};
    Tensor labels = Tensor.of(new float[] {2, 0, 1, 1}, 4);
    double e = 0.1, want = 0;
    for (int n = 0; n < 4; n++) {   // -sum_c q_c log p_c with q = (1 - e) onehot + e / C, in double
      double max = Math.max(z[3 * n], Math.max(z[3 * n + 1], z[3 * n + 2])), sum = 0;
      for (int c = 0; c < 3; c++) sum += Math.exp(z[3 * n + c] - max);
      for (int c = 0; c < 3; c++) want -= ((c == y[n] ? 1 - e : 0) + e / 3) * (z[3 * n + c] - max - Math.log(sum));
    }
    want /= 4;
    assertEquals(want, Losses.sparseCategoricalCrossentropy(true, 0.1f).compute(logits, labels, null).item(), 1e-5);
    assertEquals(want, Losses.sparseCategoricalCrossentropy(false, 0.1f).compute(logits.softmax(-1), labels, null).item(), 1e-5);
    assertEquals(Losses.sparseCategoricalCrossentropy(true).compute(logits, labels, null).item(),
        Losses.sparseCategoricalCrossentropy(true, 0f).compute(logits, labels, null).item(), 0);
    assertMessage(IllegalArgumentException.class, () -> Losses.sparseCategoricalCrossentropy(true, 1f),
        "sparse_categorical_crossentropy: labelSmoothing (1.0) must be in [0, 1)");
  }
}
