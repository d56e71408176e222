package org.neurite.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.neurite.testing.Errors.assertMessage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * Dropout (ops/Dropout.java). Random, so no PyTorch fixture: the fraction of zeros is p within five
 * standard deviations, survivors are scaled by exactly 1 / (1 - p), the mean is preserved, the gradient
 * uses the same mask, the same seed gives the same mask, eval mode and p = 0 are the identity, and a
 * bad p is an error.
 */
class DropoutTest {
  private static final int N = 20_000;

  @ParameterizedTest(name = "p = {0}")
  @ValueSource(floats = {0.1f, 0.5f, 0.9f})
  void dropsAFractionPAndScalesTheRest(float p) {
    Tensor x = Tensor.full(2f, N);
    float[] y = Functional.dropout(x, p, true, new Rng(42)).toArray();
    int zeros = 0;
    double sum = 0;
    for (float v : y) {
      if (v == 0f) zeros++;
      else assertEquals(2f / (1f - p), v, 0f, "a kept value is x / (1 - p)");
      sum += v;
    }
    double sd = Math.sqrt(N * p * (1 - p));
    assertEquals(N * p, zeros, 5 * sd, "number of dropped elements");
    // E[y] = x: the mean of y is 2 within five standard deviations of the mean (sd of y is 2 sqrt(p / (1 - p))).
    assertEquals(2.0, sum / N, 5 * 2 * Math.sqrt(p / (1 - p)) / Math.sqrt(N), "mean is preserved");
  }

  @Test
  void gradientUsesTheSameMask() {
    Tensor x = Tensor.full(1f, 1000).requiresGrad(true);
    Tensor y = Functional.dropout(x, 0.3f, true, new Rng(3));
    y.sum().backward();
    assertArrayEquals(y.toArray(), x.grad().toArray(), 0f);   // y = mask * 1, dx = mask * 1
  }

  @Test
  void sameSeedSameMaskOtherSeedOtherMask() {
    Tensor x = Tensor.ones(500);
    float[] a = Functional.dropout(x, 0.5f, true, new Rng(9)).toArray();
    float[] b = Functional.dropout(x, 0.5f, true, new Rng(9)).toArray();
    float[] c = Functional.dropout(x, 0.5f, true, new Rng(10)).toArray();
    assertArrayEquals(a, b, 0f);
    org.junit.jupiter.api.Assertions.assertFalse(java.util.Arrays.equals(a, c), "different seeds gave the same mask");
  }

  @Test
  void evalModeAndZeroPAreTheIdentity() {
    Tensor x = Tensor.randn(new Rng(1), 4, 5).requiresGrad(true);
    assertSame(x, Functional.dropout(x, 0.5f, false, new Rng(1)));
    assertSame(x, Functional.dropout(x, 0f, true, new Rng(1)));
  }

  @Test
  void dropoutOfAViewMatchesItsDenseCopy() {
    Tensor v = Tensor.randn(new Rng(4), 6, 5).t();
    Tensor d = Tensor.of(v.toArray(), v.shape());
    assertArrayEquals(Functional.dropout(d, 0.4f, true, new Rng(8)).toArray(),
        Functional.dropout(v, 0.4f, true, new Rng(8)).toArray(), 0f);
  }

  @Test
  void probabilityOutsideZeroToOneIsAnError() {
    for (float p : new float[] {-0.1f, 1f, Float.NaN})
      assertMessage(IllegalArgumentException.class, () -> Functional.dropout(Tensor.ones(2), p, true, new Rng(1)),
          "dropout", "must be in [0, 1)");
  }
}
