package org.neurite.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.neurite.testing.Errors.assertMessage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * The autograd engine (autograd/Autograd, Tape, GradMode, Anomaly, GradCheck): gradient accumulation
 * across backward calls, zeroGrad, detach, grad mode off, shared subexpressions (a diamond graph), the
 * errors of backward on a non-scalar or a graph-less tensor, a 5000-op chain (no stack overflow),
 * anomaly mode naming the op that made a NaN, and GradCheck catching a wrong backward.
 */
class AutogradTest {
  @AfterEach
  void anomalyOff() {
    Anomaly.enable(false);
  }

  @Test
  void gradientsAccumulateAcrossBackwardCalls() {
    Tensor x = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
    x.mul(x).sum().backward();            // d/dx sum(x^2) = 2x
    assertArrayEquals(new float[] {2, 4, 6}, x.grad().toArray());
    x.mul(3f).sum().backward();           // + 3
    assertArrayEquals(new float[] {5, 7, 9}, x.grad().toArray());
  }

  @Test
  void zeroGradForgetsTheGradient() {
    Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
    x.sum().backward();
    x.zeroGrad();
    assertNull(x.grad());
    x.mul(2f).sum().backward();
    assertArrayEquals(new float[] {2, 2}, x.grad().toArray());
  }

  @Test
  void sharedSubexpressionsAddTheirGradients() {
    Tensor x = Tensor.of(new float[] {2}, 1).requiresGrad(true);
    Tensor y = x.mul(x);                  // y = x^2, used twice below
    y.add(y.mul(y)).sum().backward();     // d/dx (x^2 + x^4) = 2x + 4x^3 = 4 + 32
    assertArrayEquals(new float[] {36}, x.grad().toArray());
  }

  @Test
  void detachStopsGradients() {
    Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
    Tensor d = x.mul(2f).detach();
    assertFalse(d.requiresGrad());
    assertNull(d.gradFn());
    assertSame(x.mul(2f).storage().length, d.storage().length);
    Tensor loss = x.mul(d).sum();         // d/dx = d (a constant) = 2x
    loss.backward();
    assertArrayEquals(new float[] {2, 4}, x.grad().toArray());
  }

  @Test
  void gradModeOffRecordsNoGraph() {
    Tensor x = Tensor.randn(new Rng(1), 3, 4).requiresGrad(true);
    Tensor w = Tensor.randn(new Rng(2), 4, 2).requiresGrad(true);
    Tensor y;
    try (var scope = GradMode.off()) {
      assertFalse(GradMode.enabled());
      y = x.matmul(w).relu().softmax(1).sum(false, 0).reshape(1, 2).t();
      assertNull(y.gradFn());
      assertFalse(y.requiresGrad());
    }
    assertTrue(GradMode.enabled(), "closing the scope restores grad mode");
    assertNotNull(x.matmul(w).gradFn());
    assertMessage(IllegalStateException.class, () -> y.sum().backward(), "backward", "does not require grad");
  }

  @Test
  void nestedGradModeScopesRestoreTheOuterMode() {
    try (var off = GradMode.off()) {
      try (var on = GradMode.on()) {
        assertTrue(GradMode.enabled());
      }
      assertFalse(GradMode.enabled());
    }
    assertTrue(GradMode.enabled());
  }

  @Test
  void gradModeIsPerThread() throws InterruptedException {
    boolean[] seen = new boolean[1];
    try (var off = GradMode.off()) {
      Thread t = new Thread(() -> seen[0] = GradMode.enabled());
      t.start();
      t.join();
    }
    assertTrue(seen[0], "another thread keeps grad mode on");
  }

  @Test
  void backwardOnANonScalarWithoutAGradientIsAClearError() {
    Tensor x = Tensor.ones(2, 3).requiresGrad(true);
    Tensor y = x.mul(2f);
    assertMessage(IllegalStateException.class, y::backward, "backward", "[2, 3]", "scalar", "sum() or mean()");
    assertMessage(IllegalArgumentException.class, () -> y.backward(Tensor.ones(3, 2)), "backward",
        "gradient shape [3, 2]", "output shape [2, 3]");
  }

  @Test
  void backwardOnANonScalarWithAGradientWorks() {
    Tensor x = Tensor.ones(2, 3).requiresGrad(true);
    x.mul(2f).backward(Tensor.full(0.5f, 2, 3));
    assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, x.grad().toArray());
  }

  @Test
  void longChainDoesNotOverflowTheStack() {
    Tensor x = Tensor.of(new float[] {1}, 1).requiresGrad(true);
    Tensor y = x;
    for (int i = 0; i < 5000; i++) y = y.mul(1.0001f).add(0f);   // 10000 nodes deep
    y.sum().backward();
    assertEquals(Math.pow(1.0001, 5000), x.grad().item(), 1e-3);
  }

  @Test
  void requiresGradFalseOnANonLeafIsAnError() {
    Tensor y = Tensor.ones(2).requiresGrad(true).mul(2f);
    assertMessage(IllegalStateException.class, () -> y.requiresGrad(false), "non-leaf", "mul", "detach()");
  }

  @Test
  void anomalyModeNamesTheOpThatMadeANaN() {
    Anomaly.enable(true);
    Tensor x = Tensor.of(new float[] {1, -1}, 2).requiresGrad(true);
    Tensor s = x.mul(2f);                 // fine
    assertMessage(ArithmeticException.class, s::sqrt, "sqrt", "NaN", "flat index 1", "[2]");
    assertMessage(ArithmeticException.class, () -> Tensor.of(new float[] {0}, 1).log(), "log", "-Infinity");
  }

  @Test
  void anomalyModeNamesTheBackwardThatMadeANaN() {
    Anomaly.enable(true);
    Tensor x = Tensor.of(new float[] {0, 4}, 2).requiresGrad(true);
    Tensor y = x.sqrt();                  // forward is finite; d sqrt at 0 is infinite
    assertMessage(ArithmeticException.class, () -> y.sum().backward(), "backward of sqrt", "Infinity", "flat index 0");
  }

  @Test
  void withoutAnomalyModeNaNsPassSilently() {
    float[] y = Tensor.of(new float[] {-1}, 1).sqrt().toArray();
    assertTrue(Float.isNaN(y[0]));
  }

  @Test
  void gradCheckCatchesAWrongBackward() {
    // y = x * x recorded with the wrong backward dx = dy * x (missing the 2).
    java.util.function.Function<Tensor[], Tensor> wrong = in -> {
      Tensor x = in[0];
      Tensor y;
      try (var off = GradMode.off()) {
        y = x.mul(x);
      }
      return Tape.record("wrong_square", y, dy -> new Tensor[] {dy.mul(x)}, x);
    };
    Tensor x = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
    AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
        () -> GradCheck.defaults().check(wrong, x));
    assertTrue(e.getMessage().contains("input 0") && e.getMessage().contains("analytic gradient"), e.getMessage());
    GradCheck.defaults().check(in -> in[0].mul(in[0]), Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true));
  }
}
