package org.neurite.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.io.ModelFiles;
import org.neurite.io.SafeTensors;
import org.neurite.nn.Flatten;
import org.neurite.nn.GlobalAvgPool2D;
import org.neurite.nn.Module;
import org.neurite.nn.Sequential;
import org.neurite.tensor.Tensor;
import org.neurite.train.Losses;

/**
 * The zoo's networks against torchvision's (tools/fixtures/make_zoo_fixtures.py): the same formula
 * fills both sides' weights by torchvision name, so matching outputs prove the architecture, the
 * layer order and the name mapping all at once.
 */
class ZooTest {
  static Map<String, Tensor> golden;

  @BeforeAll
  static void read() throws Exception {
    golden = SafeTensors.read(Path.of(ZooTest.class.getResource("zoo.safetensors").toURI()));
  }

  /** The fixture script's formula for the tensor torchvision calls {@code name}. */
  static Tensor formula(String name, int[] shape) {
    CRC32 crc = new CRC32();
    crc.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    long t = crc.getValue() % 997;
    int n = 1;
    for (int d : shape) n *= d;
    String leaf = name.substring(name.lastIndexOf('.') + 1);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      double h = 43758.5453 * Math.sin(12.9898 * i + 78.233 * t), s = 2 * (h - Math.floor(h)) - 1;
      v[i] = (float) switch (leaf) {
        case "weight" -> shape.length >= 2 ? s * Math.sqrt(3.0 / (n / shape[0])) : 1 + 0.1 * s;
        case "bias", "running_mean" -> 0.1 * s;
        case "running_var" -> 1 + 0.25 * (1 + s);
        default -> 0;   // num_batches_tracked
      };
    }
    return Tensor.of(v, shape);
  }

  static ZooModel filled(ZooModel z) {
    Map<String, Tensor> w = new HashMap<>();
    var state = z.model().stateDict();
    z.torchStateNames().forEach((mine, torch) -> w.put(torch, formula(torch, state.get(mine).shape())));
    return z.loadTorchWeights(w);
  }

  /** The classifier's input (the pooled or flattened features) and the logits, in evaluation mode. */
  static Tensor[] featuresAndLogits(Sequential m, Tensor x) {
    m.eval();
    List<Module> layers = m.layers();
    Tensor h = x, features = null;
    int head = layers.size() - 1;
    for (int i = 0; i < head; i++) {
      h = layers.get(i).forward(h);
      if (features == null && (layers.get(i) instanceof GlobalAvgPool2D || layers.get(i) instanceof Flatten)) features = h;
    }
    var p = layers.get(head).namedParameters();
    Tensor logits = h.matmul(p.get("weight").transpose(0, 1)).add(p.get("bias"));
    return new Tensor[] {features, logits};
  }

  static void assertClose(Tensor want, Tensor got, double rel, String what) {
    assertArrayEquals(want.shape(), got.shape(), what);
    float[] a = want.data(), b = got.data();
    double scale = 0;
    for (float v : a) scale = Math.max(scale, Math.abs(v));
    for (int i = 0; i < a.length; i++)
      assertEquals(a[i], b[i], rel * Math.max(scale, 1e-6), what + " [" + i + "] of " + a.length);
  }

  private void checkGolden(String name, ZooModel z) {
    filled(z);
    Tensor[] out = featuresAndLogits(z.model(), golden.get(name + "/x"));
    assertClose(golden.get(name + "/feat"), out[0], 1e-4, name + " features");
    assertClose(golden.get(name + "/logits"), out[1], 1e-4, name + " logits");
  }

  @Test
  void resnet18MatchesTorchvision() {
    checkGolden("resnet18", Zoo.resnet(18, 3, 64, 64, 10));
  }

  @Test
  void mobilenetV2MatchesTorchvision() {
    checkGolden("mobilenetv2", Zoo.mobilenetV2(1f, 3, 64, 64, 10));
  }

  @Test
  void vgg11BnMatchesTorchvisionFeatures() {
    checkGolden("vgg11_bn", Zoo.vgg(11, true, 3, 32, 32, 10));
  }

  @Test
  void resnet20MatchesTheReference() {
    checkGolden("resnet20", Zoo.resnet20(3, 32, 32, 10));
  }

  @Test
  void resnet20TrainingGradientsMatchPyTorch() {
    ZooModel z = filled(Zoo.resnet20(3, 32, 32, 10));
    Sequential m = z.model();
    m.train(true);
    Tensor out = m.forward(golden.get("resnet20_train/x"));
    Tensor loss = Losses.sparseCategoricalCrossentropy().compute(out, golden.get("resnet20_train/labels"), null);
    assertEquals(golden.get("resnet20_train/loss").item(), loss.item(), 1e-4);
    loss.backward();
    Map<String, String> names = z.torchStateNames();
    var params = m.namedParameters();
    int checked = 0;
    for (var e : names.entrySet()) {
      Tensor want = golden.get("resnet20_train/grad:" + e.getValue());
      if (want == null) continue;
      // PyTorch's own float32 gradients are within 1e-4 of the largest entry here, and no ReLU input is within
      // 5e-6 of its kink, where float32 rounding could flip a unit (the script picks such an input).
      assertClose(want, params.get(e.getKey()).grad(), 2e-4, "gradient of " + e.getValue());
      checked++;
    }
    assertEquals(7, checked);
  }

  @Test
  void parameterCountsAreTorchvisions() {
    assertEquals(11_689_512, Zoo.resnet18(1000).model().parameterCount());
    assertEquals(3_504_872, Zoo.mobilenetV2(1f, 3, 224, 224, 1000).model().parameterCount());
  }

  @Test
  void resnet34HasTorchvisionsParameterCount() {
    assertEquals(21_797_672, Zoo.resnet34(1000).model().parameterCount());
  }

  @Test
  void everyNameBuildsAndNamesEveryTensor() {
    for (String name : Zoo.NAMES) {
      boolean tiny = name.equals("seed-cnn") || name.equals("lenet");
      ZooModel z = Zoo.byName(name, 3, 32, 32, 7);
      assertEquals(7, z.model().outputShape()[0], name);
      if (!tiny) assertEquals(z.model().stateDict().size(), z.torchStateNames().size(), name);
    }
  }

  @Test
  void savedZooModelsLoadBackWithTheirPreprocessing(@TempDir Path dir) throws Exception {
    ZooModel z = filled(Zoo.mobilenetV2(0.5f, 3, 32, 32, 4));
    z.save(dir.resolve("m"), Map.of("classes", List.of("a", "b", "c", "d")));
    Sequential back = ModelFiles.load(dir.resolve("m"));
    Tensor x = golden.get("resnet20/x");
    assertArrayEquals(z.model().predict(x).data(), back.predict(x).data(), 1e-6f);
    var meta = ModelFiles.metadata(dir.resolve("m"));
    assertEquals("cifar10", meta.path("preprocessing").asText());
    assertEquals("mobilenetv2", meta.path("model").asText());
    assertEquals(0.4914, meta.path("mean").get(0).asDouble(), 1e-6);
  }

  @Test
  void weightsWithAMissingOrMisshapenTensorAreRefusedByName() {
    ZooModel z = Zoo.resnet20(3, 32, 32, 10);
    Map<String, Tensor> w = new HashMap<>();
    var state = z.model().stateDict();
    z.torchStateNames().forEach((mine, torch) -> w.put(torch, formula(torch, state.get(mine).shape())));
    w.put("fc.weight", Tensor.zeros(5, 64));
    var e = assertThrows(IllegalArgumentException.class, () -> z.loadTorchWeights(w));
    assertTrue(e.getMessage().contains("\"fc.weight\" has shape [5, 64]"), e.getMessage());
    w.remove("layer1.0.bn1.running_var");
    e = assertThrows(IllegalArgumentException.class, () -> z.loadTorchWeights(w));
    assertTrue(e.getMessage().contains("layer1.0.bn1.running_var"), e.getMessage());
    // A new classifier: skip torchvision's own.
    w.put("layer1.0.bn1.running_var", formula("layer1.0.bn1.running_var", new int[] {16}));
    z.loadTorchWeights(w, "fc");
  }
}
