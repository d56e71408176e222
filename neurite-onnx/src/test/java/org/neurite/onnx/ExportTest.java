package org.neurite.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.neurite.testing.Errors.assertMessage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.autograd.GradMode;
import org.neurite.io.SafeTensors;
import org.neurite.nn.Activation;
import org.neurite.nn.ActivationLayer;
import org.neurite.nn.AvgPool2D;
import org.neurite.nn.BatchNorm;
import org.neurite.nn.Conv2D;
import org.neurite.nn.Dense;
import org.neurite.nn.Dropout;
import org.neurite.nn.Flatten;
import org.neurite.nn.GlobalAvgPool2D;
import org.neurite.nn.Layer;
import org.neurite.nn.MaxPool2D;
import org.neurite.nn.Module;
import org.neurite.nn.Padding;
import org.neurite.nn.Residual;
import org.neurite.nn.Seeds;
import org.neurite.nn.Sequential;
import org.neurite.optim.Optimizers;
import org.neurite.testing.Golden;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * Export of Neurite models, checked by importing the file again: the same outputs in evaluation mode, the
 * same gradients in training mode, for every exportable layer; an imported model written back with its
 * trained weights; and a model directory from convert.
 */
class ExportTest {
  @TempDir
  Path tmp;

  /** A CNN with every exportable image layer and non-trivial BatchNorm statistics. */
  private static Sequential cnn() {
    Seeds.set(11);
    Sequential s = Sequential.of(
        new Conv2D(4, 3).padding(Padding.SAME).relu(), new BatchNorm(), new MaxPool2D(2),
        new Conv2D(6, 3).stride(2).dilation(1).useBias(false).activation(Activation.TANH),
        new AvgPool2D(2, 1, Padding.SAME), new Conv2D(6, 3).groups(2).padding(Padding.SAME), new BatchNorm(0.2f, 1e-3f),
        new ActivationLayer(Activation.GELU), new GlobalAvgPool2D(), new Dense(5).activation(Activation.SIGMOID),
        new Dropout(0.3f), new Dense(3).softmax()).input(3, 12, 12);
    // Train a little so that the running statistics are not the defaults.
    s.compile(Optimizers.sgd(0.05), org.neurite.train.Losses.sparseCategoricalCrossentropy());
    Rng r = new Rng(3);
    s.fit(Tensor.randn(r, 16, 3, 12, 12), Tensor.of(new float[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0}, 16),
        org.neurite.train.Fit.epochs(2).batchSize(8));
    return s;
  }

  private static Sequential mlp() {
    Seeds.set(12);
    return Sequential.of(new Flatten(), new Dense(8).relu(), new Dense(6, false).activation(Activation.SOFTPLUS),
        new Dense(4).activation(Activation.LOG_SOFTMAX)).input(2, 5);
  }

  private static Sequential sequenceDense() {
    Seeds.set(13);
    return Sequential.of(new Dense(7).tanh(), new ActivationLayer(Activation.RELU), new Dense(3)).input(4, 6);
  }

  private Tensor evalOut(Module m, Tensor x) {
    m.eval();
    try (var off = GradMode.off()) {
      return m.forward(x);
    }
  }

  private OnnxModel roundTrip(Module m, int[] shape) throws Exception {
    Path f = tmp.resolve("m.onnx");
    Onnx.export(m, shape, f);
    return Onnx.load(f);
  }

  @Test
  void everyExportableLayerRoundTripsInEvaluation() throws Exception {
    Object[][] cases = {{cnn(), new int[] {3, 12, 12}}, {mlp(), new int[] {2, 5}}, {sequenceDense(), new int[] {4, 6}}};
    for (Object[] c : cases) {
      Sequential s = (Sequential) c[0];
      int[] shape = (int[]) c[1];
      OnnxModel back = roundTrip(s, shape);
      int[] batch = new int[shape.length + 1];
      batch[0] = 3;
      System.arraycopy(shape, 0, batch, 1, shape.length);
      Tensor x = Tensor.randn(new Rng(7), batch);
      Golden.assertClose(s.toString(), evalOut(s, x), evalOut(back, x), 1e-6, 1e-5);
      assertEquals(13, back.opset());
    }
  }

  @Test
  void reimportedModelHasTheSameParametersAndGradients() throws Exception {
    Sequential s = mlp();
    OnnxModel back = roundTrip(s, new int[] {2, 5});
    Map<String, Tensor> mine = s.namedParameters(), theirs = back.namedParameters();
    assertEquals(mine.keySet(), theirs.keySet(), "state_dict names survive the round trip");
    Tensor x = Tensor.randn(new Rng(8), 4, 2, 5), labels = Tensor.of(new float[] {0, 3, 1, 2}, 4);
    for (Module m : List.of(s, back)) {
      m.train(true);
      m.zeroGrad();
      org.neurite.ops.Functional.crossEntropy(m.forward(x), labels).backward();
    }
    for (String k : mine.keySet()) Golden.assertClose(k, mine.get(k).grad(), theirs.get(k).grad(), 1e-6, 1e-5);
  }

  @Test
  void batchNormTrainsTheSameAfterTheRoundTrip() throws Exception {
    Seeds.set(14);
    Sequential s = Sequential.of(new Conv2D(4, 3).relu(), new BatchNorm(0.3f, 1e-5f), new Flatten(), new Dense(2)).input(2, 5, 5);
    OnnxModel back = roundTrip(s, new int[] {2, 5, 5});
    Tensor x = Tensor.randn(new Rng(9), 6, 2, 5, 5), labels = Tensor.of(new float[] {0, 1, 1, 0, 1, 0}, 6);
    for (Module m : List.of(s, back)) {
      m.train(true);
      m.zeroGrad();
      org.neurite.ops.Functional.crossEntropy(m.forward(x), labels).backward();
    }
    Map<String, Tensor> a = s.stateDict(), b = back.stateDict();
    for (String k : List.of("layers.1.running_mean", "layers.1.running_var"))
      Golden.assertClose(k, a.get(k), b.get(k), 1e-6, 1e-5);
    for (String k : s.namedParameters().keySet())
      Golden.assertClose(k, s.namedParameters().get(k).grad(), back.namedParameters().get(k).grad(), 1e-6, 1e-4);
  }

  @Test
  void residualNetworksRoundTripWithTheirNames() throws Exception {
    Seeds.set(21);
    Sequential s = Sequential.of(new Conv2D(8, 3).stride(2).padding(1).useBias(false), new BatchNorm(),
        new ActivationLayer(Activation.RELU6),
        new Residual(Sequential.of(new Conv2D(8, 3).padding(1).groups(8).useBias(false), new BatchNorm(),
            new ActivationLayer(Activation.RELU6), new Conv2D(8, 1).useBias(false), new BatchNorm())),
        new Residual(Sequential.of(new Conv2D(12, 3).stride(2).padding(1)), Sequential.of(new Conv2D(12, 1).stride(2))).relu(),
        new GlobalAvgPool2D(), new Dense(3).softmax()).input(3, 9, 9);
    for (Tensor t : s.stateDict().values()) {   // BatchNorm statistics away from 0 and 1, so eval mode shows them
      float[] v = t.storage();
      for (int i = 0; i < v.length; i++) v[i] += 0.1f * (i % 5) + (t.rank() == 1 ? 0.2f : 0f);
    }
    OnnxModel back = roundTrip(s, new int[] {3, 9, 9});
    assertEquals(s.namedParameters().keySet(), back.namedParameters().keySet());
    Tensor x = Tensor.randn(new Rng(3), 2, 3, 9, 9).mul(3f);
    Golden.assertClose("residual net", evalOut(s, x), evalOut(back, x), 1e-6, 1e-5);
  }

  @Test
  void unsupportedLayerIsNamed() {
    Layer custom = new Layer() {
      @Override
      protected Tensor compute(Tensor x) {
        return x;
      }

      @Override
      public String toString() {
        return "MyLayer()";
      }
    };
    Sequential s = Sequential.of(new Dense(3), custom);
    assertMessage(OnnxException.class, () -> Onnx.export(s, new int[] {4}, tmp.resolve("x.onnx")), "layers.1 MyLayer()",
        "no ONNX mapping");
    assertMessage(OnnxException.class, () -> Onnx.export(Sequential.of(new Dense(2)).input(3), new int[] {4}, tmp.resolve("y.onnx")),
        "built for input [3]");
  }

  @Test
  void importedModelIsWrittenBackWithItsTrainedWeights() throws Exception {
    OnnxModel m = Fixtures.load("models/small_resnet_train.onnx");
    Tensor x = Tensor.randn(new Rng(10), 2, 3, 32, 32), labels = Tensor.of(new float[] {1, 7}, 2);
    m.train(true);
    var opt = Optimizers.sgd(0.1).attach(m.parameters());
    org.neurite.ops.Functional.crossEntropy(m.forward(x), labels).backward();
    opt.step();
    Path f = tmp.resolve("trained.onnx");
    Onnx.export(m, null, f);
    OnnxModel back = Onnx.load(f);
    Golden.assertClose("trained model", evalOut(m, x), evalOut(back, x), 0, 0);
    for (var e : m.stateDict().entrySet())
      Golden.assertClose(e.getKey(), e.getValue(), back.stateDict().get(e.getKey()), 0, 0);
  }

  @Test
  void convertWritesANeuriteModelDirectory() throws Exception {
    Path dir = tmp.resolve("resnet_dir");
    Onnx.convert(Fixtures.path("models/small_mobilenet_v2_train.onnx"), dir);
    assertTrue(Files.exists(dir.resolve("config.json")) && Files.exists(dir.resolve("model.safetensors"))
        && Files.exists(dir.resolve("model.onnx")));
    String cfg = Files.readString(dir.resolve("config.json"));
    assertTrue(cfg.contains("\"class\" : \"OnnxModel\"") && cfg.contains("\"format_version\" : " + org.neurite.io.ModelFiles.FORMAT_VERSION), cfg);
    OnnxModel original = Fixtures.load("models/small_mobilenet_v2_train.onnx"), loaded = Onnx.load(dir);
    Map<String, Tensor> weights = SafeTensors.read(dir.resolve("model.safetensors"));
    assertEquals(original.stateDict().keySet(), weights.keySet());
    assertNotNull(weights.get("features.0.0.weight"), "PyTorch state_dict names");
    assertTrue(Files.size(dir.resolve("model.onnx")) < Files.size(Fixtures.path("models/small_mobilenet_v2_train.onnx")) / 4,
        "the graph refers to the weights instead of copying them");
    Tensor x = Tensor.randn(new Rng(11), 2, 3, 32, 32);
    Golden.assertClose("converted", evalOut(original, x), evalOut(loaded, x), 0, 0);
    // Converting again over the directory replaces it.
    Onnx.convert(Fixtures.path("models/small_resnet.onnx"), dir);
    Golden.assertClose("replaced", evalOut(Fixtures.load("models/small_resnet.onnx"), x), evalOut(Onnx.load(dir), x), 0, 0);
    // The directory gets the permissions of any new directory here (the umask's), not a temporary one's 0700,
    // and no temporary sibling is left behind.
    Path plain = Files.createDirectory(tmp.resolve("plain"));
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(dir));
    try (var siblings = Files.list(tmp)) {
      assertEquals(List.of(), siblings.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList());
    }
  }

  @Test
  void runWritesTheFirstOutputAsNpy() throws Exception {
    Path in = tmp.resolve("x.npy"), out = tmp.resolve("y.npy");
    Tensor x = Tensor.randn(new Rng(12), 2, 3, 32, 32);
    org.neurite.io.Npy.write(in, x);
    Onnx.run(Fixtures.path("models/small_resnet.onnx"), in, out);
    Golden.assertClose("run", evalOut(Fixtures.load("models/small_resnet.onnx"), x), org.neurite.io.Npy.read(out), 0, 0);
    // One sample at a time where the graph's batch axis is free: the same outputs, joined.
    Tensor x3 = Tensor.randn(new Rng(13), 3, 3, 32, 32);
    org.neurite.io.Npy.write(in, x3);
    Onnx.run(Fixtures.path("models/small_resnet.onnx"), in, out, 1);
    Golden.assertClose("run batch 1", evalOut(Fixtures.load("models/small_resnet.onnx"), x3), org.neurite.io.Npy.read(out), 1e-5, 1e-5);
  }
}
