package org.neurite.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.neurite.testing.Errors.assertMessage;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.neurite.tensor.Tensor;

/** Argument checks of the optimizers and of learning-rate changes: every error names the optimizer, the argument and its value. */
class OptimizerErrorsTest {
  @Test
  void learningRateMustBePositive() {
    assertMessage(IllegalArgumentException.class, () -> new Adam(-0.001f), "Adam: learningRate (-0.001) must be > 0");
    assertMessage(IllegalArgumentException.class, () -> new AdamW(0f), "AdamW: learningRate (0.0) must be > 0");
    assertMessage(IllegalArgumentException.class, () -> new SGD(Float.NaN), "SGD: learningRate (NaN) must be > 0");
    assertMessage(IllegalArgumentException.class, () -> Optimizers.rmsprop(Double.POSITIVE_INFINITY),
        "RMSprop: learningRate (Infinity) must be > 0");
  }

  @Test
  void setLearningRateAllowsZeroButNotNegative() {
    SGD sgd = new SGD(0.1f);
    sgd.setLearningRate(0f);
    assertEquals(0f, sgd.learningRate());
    assertMessage(IllegalArgumentException.class, () -> sgd.setLearningRate(-1f), "SGD: learningRate (-1.0) must be >= 0");
  }

  @Test
  void hyperparametersAreChecked() {
    assertMessage(IllegalArgumentException.class, () -> new Adam(1e-3f, 1f, 0.999f, 1e-8f, 0f), "Adam: beta1 (1.0) must be in [0.0, 1.0)");
    assertMessage(IllegalArgumentException.class, () -> new AdamW(1e-3f, 0.9f, -0.5f, 1e-8f, 0f), "AdamW: beta2 (-0.5) must be in [0.0, 1.0)");
    assertMessage(IllegalArgumentException.class, () -> new AdamW(1e-3f, -0.01f), "AdamW: weightDecay (-0.01) must be >= 0");
    assertMessage(IllegalArgumentException.class, () -> new Adam(1e-3f, 0.9f, 0.999f, -1f, 0f), "Adam: eps (-1.0) must be >= 0");
    assertMessage(IllegalArgumentException.class, () -> new SGD(0.1f, -0.9f, false), "SGD: momentum (-0.9) must be >= 0");
    assertMessage(IllegalArgumentException.class, () -> new SGD(0.1f, 0.9f, 1.5f, 0f, false), "SGD: dampening (1.5) must be in [0.0, 1.0)");
    assertMessage(IllegalArgumentException.class, () -> new SGD(0.1f, 0f, 0f, -1f, false), "SGD: weightDecay (-1.0) must be >= 0");
    assertMessage(IllegalArgumentException.class, () -> new SGD(0.1f, 0f, true), "SGD: nesterov needs momentum > 0 and dampening 0, got momentum=0.0");
    assertMessage(IllegalArgumentException.class, () -> new SGD(0.1f, 0.9f, 0.1f, 0f, true), "dampening=0.1");
    assertMessage(IllegalArgumentException.class, () -> new RMSprop(0.01f, 1f, 1e-8f, 0f, 0f, false), "RMSprop: alpha (1.0) must be in [0.0, 1.0)");
    assertMessage(IllegalArgumentException.class, () -> new RMSprop(0.01f, 0.99f, 1e-8f, 0f, -0.9f, false), "RMSprop: momentum (-0.9) must be >= 0");
  }

  @Test
  void clipOptionsAreChecked() {
    assertMessage(IllegalArgumentException.class, () -> new Adam(1e-3f).clipNorm(-1), "Adam: clipNorm (-1.0) must be >= 0 (0 = off)");
    assertMessage(IllegalArgumentException.class, () -> new SGD(0.1f).clipValue(Double.NaN), "SGD: clipValue (NaN) must be >= 0 (0 = off)");
    assertMessage(IllegalArgumentException.class, () -> GradClip.byNorm(List.of(), 0), "GradClip.byNorm: maxNorm (0.0) must be > 0");
    assertMessage(IllegalArgumentException.class, () -> GradClip.byValue(List.of(), -1), "GradClip.byValue: clip (-1.0) must be > 0");
  }

  @Test
  void stepWithoutParametersSaysHowToBindThem() {
    assertMessage(IllegalStateException.class, () -> new RMSprop(0.01f).step(), "RMSprop: no parameters; pass them to the constructor, attach");
  }

  @Test
  void loadStateChecksSizesAndParameterCount() {
    Tensor p = Tensor.zeros(3).requiresGrad(true);
    SGD sgd = new SGD(List.of(p), 0.1f);
    assertMessage(IllegalArgumentException.class, () -> sgd.loadState(Map.of("0.momentum_buffer", Tensor.zeros(4))),
        "SGD: optimizer state \"0.momentum_buffer\" has 4 values, parameter 0 has 3");
    assertMessage(IllegalArgumentException.class,
        () -> sgd.loadState(Map.of("0.momentum_buffer", Tensor.zeros(3), "1.momentum_buffer", Tensor.zeros(3))),
        "SGD: optimizer state has \"1.momentum_buffer\", but only 1 parameters are attached");
    Adam adam = new Adam(List.of(p), 1e-3f);
    assertMessage(IllegalArgumentException.class, () -> adam.loadState(Map.of("0.step", Tensor.scalar(3))),
        "Adam: optimizer state for parameter 0 needs all or none of \"0.step\" (> 0), \"0.exp_avg\", \"0.exp_avg_sq\"");
    RMSprop centered = new RMSprop(0.01f, 0.99f, 1e-8f, 0f, 0.9f, true);
    centered.attach(List.of(p));
    assertMessage(IllegalArgumentException.class, () -> centered.loadState(Map.of("0.square_avg", Tensor.zeros(3))),
        "RMSprop: optimizer state for parameter 0 does not match this optimizer (centered=true, momentum=0.9)");
    centered.loadState(Map.of());   // an empty state is a fresh start
  }
}
