package org.neurite.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.neurite.testing.Errors.assertMessage;

import org.junit.jupiter.api.Test;
import org.neurite.autograd.GradCheck;
import org.neurite.kernels.Parallel;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.testing.Golden;
import org.neurite.train.Fit;
import org.neurite.train.History;

/** Layers in a model: building, training end to end, reproducibility, modes and their errors. */
class SequentialTest {
  // Points in four quadrants, labelled by quadrant: learnable by a small MLP.
  private static Tensor[] quadrants(int n, long seed) {
    Rng r = new Rng(seed);
    float[] x = new float[2 * n], y = new float[n];
    for (int i = 0; i < n; i++) {
      x[2 * i] = r.nextFloat() * 2 - 1;
      x[2 * i + 1] = r.nextFloat() * 2 - 1;
      y[i] = (x[2 * i] > 0 ? 1 : 0) + (x[2 * i + 1] > 0 ? 2 : 0);
    }
    return new Tensor[] {Tensor.of(x, n, 2), Tensor.of(y, n)};
  }

  private static Sequential mlp(long seed) {
    Seeds.set(seed);
    return Sequential.of(new Dense(32).relu(), new Dropout(0.1f), new Dense(4).softmax()).input(2);
  }

  // Dense(...).relu() runs as one op (the projection rectifies its own output); it must equal the layer
  // without activation followed by a separate ReLU, forward and backward, and pass a finite-difference check.
  @Test
  void denseReluIsOneOpEqualToDenseThenRelu() {
    Seeds.set(11);
    Dense fused = new Dense(6).relu();
    fused.ensureBuilt(Tensor.zeros(1, 5));
    Dense plain = new Dense(6);
    plain.ensureBuilt(Tensor.zeros(1, 5));
    plain.loadStateDict(fused.stateDict());
    Tensor x = Tensor.randn(new Rng(3), 4, 5).requiresGrad(true), x2 = x.detach().requiresGrad(true);
    Tensor u = Tensor.randn(new Rng(4), 4, 6);
    Tensor a = fused.forward(x), b = plain.forward(x2).relu();
    assertArrayEquals(b.toArray(), a.toArray(), 1e-6f);
    long cut = 0;
    for (float v : a.toArray()) if (v == 0f) cut++;
    assertTrue(cut > 0 && cut < a.size(), "some units should be cut, some kept: " + cut + " of " + a.size());
    a.mul(u).sum().backward();
    b.mul(u).sum().backward();
    assertArrayEquals(x2.grad().toArray(), x.grad().toArray(), 1e-5f);
    for (String k : new String[] {"weight", "bias"})
      assertArrayEquals(plain.namedParameters().get(k).grad().toArray(), fused.namedParameters().get(k).grad().toArray(), 1e-5f, k);
    GradCheck.defaults().check(in -> fused.forward(in[0]).mul(u).sum(), Tensor.randn(new Rng(5), 4, 5));
  }

  @Test
  void compileByNameAndFitLearnsAndEvaluates() {
    Tensor[] d = quadrants(512, 1);
    Sequential m = mlp(1);
    m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
    History h = m.fit(d[0], d[1], Fit.epochs(30).batchSize(32).validationSplit(0.25).verbose(false));
    double[] loss = h.get("loss");
    assertTrue(loss[loss.length - 1] < loss[0] / 3, "loss should fall: " + java.util.Arrays.toString(loss));
    assertTrue(h.last().get("val_accuracy") > 0.9, h.last().toString());
    Tensor[] t = quadrants(256, 2);
    assertTrue(m.evaluate(t[0], t[1]).get("accuracy") > 0.9);
  }

  @Test
  void seededSingleThreadRunsGiveIdenticalWeights() {
    int before = Parallel.threads();
    Parallel.setThreads(1);
    try {
      Tensor[] d = quadrants(128, 3);
      float[][] w = new float[2][];
      for (int run = 0; run < 2; run++) {
        Sequential m = mlp(7);
        m.compile("adam", "sparse_categorical_crossentropy");
        m.fit(d[0], d[1], Fit.epochs(3).batchSize(16).seed(5).verbose(false));
        w[run] = m.stateDict().get("layers.0.weight").toArray();
      }
      assertArrayEquals(w[0], w[1]);
    } finally {
      Parallel.setThreads(before);
    }
  }

  @Test
  void dropoutIsIdentityInEvalMode() {
    Sequential m = Sequential.of(new Dropout(0.5f)).input(10);
    Tensor x = Tensor.randn(new Rng(1), 4, 10);
    assertArrayEquals(x.toArray(), m.eval().forward(x).toArray());
    float[] trained = m.train(true).forward(x).toArray();
    int zeros = 0;
    for (float v : trained) if (v == 0f) zeros++;
    assertTrue(zeros > 5 && zeros < 35, "about half should drop, got " + zeros + " of 40");
  }

  @Test
  void batchNormNormalisesInTrainingAndUsesRunningStatsInEval() {
    BatchNorm bn = new BatchNorm();
    Sequential m = Sequential.of(bn).input(3, 4, 4);
    Tensor x = Tensor.randn(new Rng(2), 8, 3, 4, 4).mul(3f).add(5f);
    Tensor y = m.train(true).forward(x);
    // per channel: mean 0, biased variance 1 (up to eps)
    Tensor mean = y.mean(false, 0, 2, 3), var = y.var(0, false, 0, 2, 3);
    for (int c = 0; c < 3; c++) {
      assertEquals(0, mean.get(c), 1e-5);
      assertEquals(1, var.get(c), 1e-3);
    }
    // running_mean moved 10% of the way to the batch mean (about 5)
    float rm = m.stateDict().get("layers.0.running_mean").get(0);
    assertEquals(0.1 * x.mean(false, 0, 2, 3).get(0), rm, 1e-4);
    assertEquals(1f, m.stateDict().get("layers.0.num_batches_tracked").item());
    Tensor e = m.eval().forward(x);
    assertTrue(Math.abs(e.mean().item()) > 1, "eval mode uses running statistics, not the batch's");
  }

  /**
   * Conv2D + BatchNorm + ReLU folded for inference: the copy predicts what the model predicts, has
   * fewer layers, and leaves the model's parameters alone; a model in training mode is refused.
   */
  @Test
  void fuseForInferenceFoldsConvBatchNormAndReluWithoutTouchingTheModel() {
    Seeds.set(7);
    Sequential m = Sequential.of(new Conv2D(16, 3).padding(Padding.SAME), new BatchNorm(), new ActivationLayer(Activation.RELU),
        new Conv2D(16, 3).useBias(false), new BatchNorm(), new Flatten(), new Dense(3)).input(3, 8, 8);
    Tensor x = Tensor.randn(new Rng(8), 4, 3, 8, 8);
    for (int i = 0; i < 3; i++) m.forward(x.mul(1.5f).add(i));   // training mode: the running statistics move
    assertMessage(IllegalStateException.class, m::fuseForInference, "fuseForInference", "training mode", "eval()");
    m.eval();
    java.util.Map<String, float[]> before = new java.util.HashMap<>();
    m.stateDict().forEach((k, v) -> before.put(k, v.toArray()));
    Seeds.set(9);
    float expected = Seeds.next().nextFloat();
    Seeds.set(9);
    Sequential fused = m.fuseForInference();
    assertEquals(expected, Seeds.next().nextFloat(), "folding drew from the thread's seeds");
    assertEquals(4, fused.layers().size(), fused.toString());   // conv(+bn+relu), conv(+bn), flatten, dense
    Tensor want, got;
    try (var off = org.neurite.autograd.GradMode.off()) {
      want = m.forward(x);
      got = fused.forward(x);
    }
    Golden.assertClose("fused", want, got, 1e-5, 1e-4);
    m.stateDict().forEach((k, v) -> assertArrayEquals(before.get(k), v.toArray(), k + " changed"));
    assertTrue(fused.namedParameters().get("layers.0.weight").requiresGrad() == false, "folded weights are frozen");
  }

  /** A ResNet's convolutions all sit inside Residual blocks: their branches are folded too. */
  @Test
  void fuseForInferenceFoldsInsideResidualBlocks() {
    Seeds.set(11);
    Sequential body = Sequential.of(new Conv2D(8, 3).padding(Padding.SAME).useBias(false), new BatchNorm(),
        new ActivationLayer(Activation.RELU), new Conv2D(8, 3).padding(Padding.SAME).useBias(false), new BatchNorm());
    Sequential shortcut = Sequential.of(new Conv2D(8, 1).useBias(false), new BatchNorm());
    Sequential m = Sequential.of(new Residual(body, shortcut).relu(), new Flatten(), new Dense(3)).input(4, 6, 6);
    Tensor x = Tensor.randn(new Rng(12), 5, 4, 6, 6);
    for (int i = 0; i < 3; i++) m.forward(x.mul(0.7f).add(i));   // move the running statistics off 0 and 1
    m.eval();
    Sequential fused = m.fuseForInference();
    Residual r = (Residual) fused.layers().get(0);
    assertEquals(2, r.body().layers().size(), r.body().layers().toString());
    assertEquals(1, r.shortcut().layers().size(), r.shortcut().layers().toString());
    try (var off = org.neurite.autograd.GradMode.off()) {
      Golden.assertClose("fused residual", m.forward(x), fused.forward(x), 1e-5, 1e-4);
    }
  }

  @Test
  void batchNormAndConvGradientsCheck() {
    Seeds.set(4);
    BatchNorm bn = new BatchNorm();
    Conv2D conv = new Conv2D(2, 3).padding(Padding.SAME);
    Sequential m = Sequential.of(conv, bn, new Flatten(), new Dense(3)).input(1, 4, 4);
    Tensor x = Tensor.randn(new Rng(5), 3, 1, 4, 4).requiresGrad(true);
    Tensor[] params = m.parameters().toArray(new Tensor[0]);
    Tensor[] inputs = new Tensor[params.length + 1];
    inputs[0] = x;
    System.arraycopy(params, 0, inputs, 1, params.length);
    new GradCheck(1e-3, 5e-3, 2e-2).check(in -> m.forward(in[0]), inputs);
  }

  @Test
  void errorsNameTheLayerAndTheFix() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> Sequential.of(new Conv2D(8, 3)).input(28, 28));
    assertTrue(e.getMessage().startsWith("layers.0 Conv2D(8, kernel=3): expected input [N, C, H, W]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Sequential.of(new Conv2D(8, 4).padding(Padding.SAME)).input(1, 8, 8));
    assertTrue(e.getMessage().contains("padding=same needs stride 1 and an odd effective kernel"), e.getMessage());
    var s = assertThrows(IllegalStateException.class, () -> mlp(1).fit(Tensor.zeros(2, 2), Tensor.zeros(2), Fit.epochs(1)));
    assertTrue(s.getMessage().contains("not compiled; call compile"), s.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Dense(0));
    assertEquals("Dense: units (0) must be >= 1", e.getMessage());
  }

  @Test
  void nanLossStopsTrainingWithAClearMessage() {
    Sequential m = mlp(1);
    m.compile("sgd", "mean_squared_error");
    Tensor x = Tensor.of(new float[] {Float.NaN, 1, 2, 3}, 2, 2);
    var e = assertThrows(ArithmeticException.class, () -> m.fit(x, Tensor.zeros(2, 4), Fit.epochs(1).verbose(false)));
    assertTrue(e.getMessage().startsWith("fit: loss became NaN at epoch 1, batch 1"), e.getMessage());
  }
}
