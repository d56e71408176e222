package org.neurite.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.neurite.onnx.Graphs.floats;
import static org.neurite.onnx.Graphs.model;
import static org.neurite.onnx.Graphs.node;
import static org.neurite.onnx.Graphs.value;
import static org.neurite.testing.Errors.assertMessage;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.neurite.autograd.GradMode;
import org.neurite.onnx.proto.OnnxProto.ModelProto;
import org.neurite.optim.Optimizers;
import org.neurite.testing.Golden;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.train.Fit;
import org.neurite.train.Losses;

/** The imported model as a Module: named inputs and outputs, parameter names, modes, caching, training. */
class OnnxModelTest {
  /** ids (int64) -> embedding rows (Gather) * mask -> mean over time; two outputs. */
  private static OnnxModel textModel() throws Exception {
    ModelProto m = model(13, List.of(
        node("embed", "Gather", List.of("emb.weight", "ids"), List.of("e")),
        node("unsq", "Unsqueeze", List.of("mask", "axis2"), List.of("m3")),
        node("mul", "Mul", List.of("e", "m3"), List.of("masked")),
        node("pool", "ReduceMean", List.of("masked"), List.of("pooled"), Graphs.ints("axes", 1), Graphs.i("keepdims", 0)),
        node("logits", "Gemm", List.of("pooled", "onnx::Gemm_7", "head bias"), List.of("y"), Graphs.i("transB", 1))),
        List.of(value("ids", 7, -1, 3), value("mask", 1, -1, 3)), List.of("y", "pooled"),
        List.of(floats("emb.weight", new long[] {5, 2}, 0, 0, 1, 1, 2, 2, 3, 3, 4, 5),
            Graphs.longs("axis2", new long[] {1}, 2),
            floats("onnx::Gemm_7", new long[] {2, 2}, 1, 0, 0, -1), floats("head bias", new long[] {2}, 0.5f, 0)));
    return Onnx.load(m.toByteArray());
  }

  @Test
  void namedInputsAndOutputsWithTokenIds() throws Exception {
    OnnxModel m = textModel();
    assertEquals(List.of("ids", "mask"), m.inputNames());
    assertEquals(List.of("y", "pooled"), m.outputNames());
    Tensor ids = Tensor.of(new float[] {1, 4, 0, 2, 2, 3}, 2, 3), mask = Tensor.of(new float[] {1, 1, 0, 1, 0, 1}, 2, 3);
    Map<String, Tensor> out = m.run(Map.of("ids", ids, "mask", mask));
    // row 0: (emb1 + emb4) / 3 = ((1,1) + (4,5)) / 3; row 1: (emb2 + emb3) / 3 = ((2,2) + (3,3)) / 3
    Golden.assertClose("pooled", Tensor.of(new float[] {5f / 3, 2, 5f / 3, 5f / 3}, 2, 2), out.get("pooled"), 1e-6, 1e-6);
    Golden.assertClose("y", Tensor.of(new float[] {5f / 3 + 0.5f, -2, 5f / 3 + 0.5f, -5f / 3}, 2, 2), out.get("y"), 1e-6, 1e-6);
    assertEquals(List.of("emb.weight", "onnx__Gemm_7", "head_bias"), List.copyOf(m.namedParameters().keySet()),
        "legal names are kept, other characters become '_'");
    // Gradients reach the embedding rows that were used, and only those
    m.run(Map.of("ids", ids, "mask", mask)).get("y").sum().backward();
    float[] g = m.namedParameters().get("emb.weight").grad().toArray();
    assertEquals(0f, g[0]);   // row 0 was masked out
    assertNotEquals(0f, g[2]);
  }

  @Test
  void recycledArraysNeverHoldAValueSomeoneCanStillRead() throws Exception {
    // x -> Conv a -> Identity out1 (a view of a, returned); a -> Conv c -> Conv d (returned). a dies while out1 lives;
    // c dies and its array is reused by the next run's convolutions.
    Rng r = new Rng(3);
    long[] w = {16, 16, 3, 3};
    ModelProto mp = model(13, List.of(
            node("c1", "Conv", List.of("x", "w1"), List.of("a"), Graphs.ints("pads", 1, 1, 1, 1)),
            node("id", "Identity", List.of("a"), List.of("out1")),
            node("c2", "Conv", List.of("a", "w2"), List.of("c"), Graphs.ints("pads", 1, 1, 1, 1)),
            node("c3", "Conv", List.of("c", "w3"), List.of("d"), Graphs.ints("pads", 1, 1, 1, 1))),
        List.of(value("x", 1, 1, 16, 32, 32)), List.of("out1", "d"),
        List.of(floats("w1", w, Tensor.randn(r, 16 * 16 * 9).mul(0.1f).toArray()),
            floats("w2", w, Tensor.randn(r, 16 * 16 * 9).mul(0.1f).toArray()),
            floats("w3", w, Tensor.randn(r, 16 * 16 * 9).mul(0.1f).toArray())));
    OnnxModel m = Onnx.load(mp.toByteArray());
    m.eval();
    Tensor x1 = Tensor.randn(r, 1, 16, 32, 32), x2 = Tensor.randn(r, 1, 16, 32, 32);
    Map<String, Tensor> first, second, fresh;
    try (var off = GradMode.off()) {
      first = m.run(Map.of("x", x1));
      float[] out1 = first.get("out1").toArray(), d = first.get("d").toArray();
      second = m.run(Map.of("x", x2));
      m.run(Map.of("x", x1));
      assertEquals(java.util.Arrays.toString(out1), java.util.Arrays.toString(first.get("out1").toArray()),
          "a returned output is never recycled");
      assertEquals(java.util.Arrays.toString(d), java.util.Arrays.toString(first.get("d").toArray()));
    }
    fresh = Onnx.load(mp.toByteArray()).run(Map.of("x", x2));   // grad mode: nothing recycled (and no Winograd, hence 1e-5)
    Golden.assertClose("out1", fresh.get("out1"), second.get("out1"), 1e-5, 1e-5);
    Golden.assertClose("d", fresh.get("d"), second.get("d"), 1e-5, 1e-5);
    assertEquals(16f * 32 * 32, x1.size());
  }

  @Test
  void inputErrorsAreNamed() throws Exception {
    OnnxModel m = textModel();
    Tensor ids = Tensor.of(new float[] {1, 2, 3}, 1, 3);
    assertMessage(IllegalArgumentException.class, () -> m.forward(ids), "2 inputs [ids, mask]", "run(Map)");
    assertMessage(IllegalArgumentException.class, () -> m.run(Map.of("ids", ids)), "input \"mask\" is missing");
    assertMessage(IllegalArgumentException.class, () -> m.run(Map.of("ids", ids, "mask", ids, "extra", ids)),
        "\"extra\" is not an input");
    assertMessage(IllegalArgumentException.class, () -> m.run(Map.of("ids", ids.reshape(3), "mask", ids)),
        "input \"ids\" should have rank 2 [?, 3], got [3]");
    Tensor bad = Tensor.of(new float[] {1, 7, 0}, 1, 3);
    assertMessage(IllegalArgumentException.class, () -> m.run(Map.of("ids", bad, "mask", ids)), "node \"embed\" (Gather)",
        "index 7 at position 1 is out of range [-5, 5)");
    Tensor frac = Tensor.of(new float[] {1, 0.5f, 0}, 1, 3);
    assertMessage(IllegalArgumentException.class, () -> m.run(Map.of("ids", frac, "mask", ids)), "node \"embed\" (Gather)",
        "not a whole number");
  }

  @Test
  void batchNormFollowsTheModelsMode() {
    OnnxModel m = Fixtures.load("ops/batchnorm_eval.onnx");
    Tensor x = Tensor.randn(new Rng(1), 4, 4, 3, 3).mul(3f).add(2f);
    Tensor runningMean = Tensor.of(m.stateDict().get("running_mean").toArray(), 4);
    m.eval();
    Tensor yEval = m.forward(x);
    Golden.assertClose("eval keeps the statistics", runningMean, m.stateDict().get("running_mean"), 0, 0);
    m.train(true);
    Tensor yTrain = m.forward(x);
    // batch statistics: every channel of the output has the bias as its mean
    Tensor channelMean = yTrain.mean(false, 0, 2, 3);
    Golden.assertClose("batch-normalised", m.stateDict().get("bias"), channelMean, 1e-5, 1e-4);
    assertTrue(Fixtures.relErr(yEval, yTrain) > 0.1, "training mode uses batch statistics");
    float[] before = runningMean.toArray(), after = m.stateDict().get("running_mean").toArray(), mu = x.mean(false, 0, 2, 3).toArray();
    for (int c = 0; c < 4; c++) assertEquals(0.9f * before[c] + 0.1f * mu[c], after[c], 1e-5, "momentum 0.9 (PyTorch's 0.1)");
  }

  @Test
  void dropoutIsActiveOnlyInTraining() throws Exception {
    ModelProto mp = model(13, List.of(node("drop", "Dropout", List.of("x", "ratio"), List.of("y"))), List.of(value("x", 1, -1, 1000)),
        List.of("y"), List.of(floats("ratio", new long[] {}, 0.25f)));
    OnnxModel m = Onnx.load(mp.toByteArray());
    Tensor x = Tensor.ones(4, 1000);
    m.eval();
    Golden.assertClose("eval", x, m.forward(x), 0, 0);
    m.train(true);
    float[] y = m.forward(x).toArray();
    int zeros = 0;
    for (float v : y) {
      if (v == 0) zeros++;
      else assertEquals(1f / 0.75f, v, 1e-6);
    }
    assertEquals(1000, zeros, 120, "about a quarter dropped");
  }

  @Test
  void fusedInferenceMatchesTheRecordedPath() {
    for (String file : new String[] {"models/small_mobilenet_v2_train.onnx", "models/small_resnet.onnx"}) {
      OnnxModel m = Fixtures.load(file);
      m.eval();
      Tensor x = Tensor.randn(new Rng(2), 2, 3, 40, 40);
      Tensor slow = m.forward(x).detach();   // grad mode on: Conv, BatchNorm and activation one by one
      Tensor fast;
      try (var off = GradMode.off()) {
        fast = m.forward(x);   // BatchNorm folded into the weights, Winograd, activation in place
      }
      Golden.assertClose(file, slow, fast, 1e-5, 1e-4);
    }
  }

  @Test
  void cachedInferenceWeightsFollowEveryChange() {
    OnnxModel m = Fixtures.load("models/small_resnet_train.onnx");
    m.eval();
    Tensor x = Tensor.randn(new Rng(3), 1, 3, 32, 32);
    Tensor y0;
    try (var off = GradMode.off()) {
      y0 = m.forward(x);
      // edited in place, behind the model's back
      float[] w = m.namedParameters().get("layer2.0.conv2.weight").storage(), saved = w.clone();
      for (int i = 0; i < w.length; i++) w[i] *= -1;
      Tensor y1 = m.forward(x);
      assertTrue(Fixtures.relErr(y0, y1) > 1e-3, "an in-place edit changes the output: " + Fixtures.relErr(y0, y1));
      System.arraycopy(saved, 0, w, 0, w.length);
      Golden.assertClose("restored", y0, m.forward(x), 0, 0);
    }
    // an optimizer step after a recorded forward
    m.train(true);
    var opt = Optimizers.sgd(0.5).attach(m.parameters());
    org.neurite.ops.Functional.crossEntropy(m.forward(x), Tensor.of(new float[] {3}, 1)).backward();
    opt.step();
    m.eval();
    try (var off = GradMode.off()) {
      Tensor y2 = m.forward(x);
      m.loadStateDict(m.stateDict());
      Golden.assertClose("after a step", y2, m.forward(x), 0, 0);
      assertTrue(Fixtures.relErr(y0, y2) > 1e-3);
    }
  }

  @Test
  void constantSubgraphsAreFoldedAtLoadTime() {
    OnnxModel m = Fixtures.load("ops/conv2d_padded_even.onnx");   // 24 nodes, most of them computing Pad's pads
    assertTrue(m.stepCount() <= 3, "steps after folding: " + m.stepCount());
  }

  @Test
  void integerDivisionTruncates() throws Exception {
    ModelProto mp = model(13, List.of(node("div", "Div", List.of("a", "b"), List.of("y"))), List.of(value("a", 7, 4)), List.of("y"),
        List.of(Graphs.longs("b", new long[] {}, 2)));
    OnnxModel m = Onnx.load(mp.toByteArray());
    Golden.assertClose("div", Tensor.of(new float[] {3, -3, 0, 2}, 4), m.forward(Tensor.of(new float[] {7, -7, 1, 5}, 4)), 0, 0);
  }

  @Test
  void importedModelTrainsWithFit() {
    OnnxModel m = Fixtures.load("models/small_resnet_train.onnx");
    assertTrue(m.isBuilt(), "the graph declares static per-sample shapes");
    org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {3, 64, 64}, m.inputShape());
    org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {10}, m.outputShape());
    Rng r = new Rng(4);
    Tensor x = Tensor.randn(r, 16, 3, 32, 32), y = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5}, 16);
    m.compile(Optimizers.adam(3e-3), Losses.sparseCategoricalCrossentropy(true));
    var history = m.fit(x, y, Fit.epochs(5).batchSize(8).verbose(false));
    double[] loss = history.get("loss");
    assertTrue(loss[loss.length - 1] < loss[0] * 0.8, "the loss falls: " + java.util.Arrays.toString(loss));
  }
}
