package org.neurite.onnx;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * torchvision's ResNet-18 and MobileNetV2 at 3x224x224 (random weights), against PyTorch: evaluation
 * outputs and one training step. The files are ~60 MB and not committed: {@code /usr/bin/python3
 * tools/onnx/export_torchvision.py --full} writes them to neurite-onnx/target/torchvision (or the
 * directory in the system property {@code neurite.onnx.zoo}); without them these tests are skipped.
 */
class ZooTest {
  private static Path dir() {
    String p = System.getProperty("neurite.onnx.zoo");
    return p != null ? Path.of(p) : Path.of("target", "torchvision");
  }

  private static void need(String name) {
    Path d = dir();
    assumeTrue(Files.exists(d.resolve(name + ".onnx")) && Files.exists(d.resolve(name + "_train.onnx"))
            && Files.exists(d.resolve(name + ".safetensors")),
        "skipped: " + name + " ONNX files are not in " + d.toAbsolutePath()
            + "; make them with /usr/bin/python3 tools/onnx/export_torchvision.py --full (needs python3-torchvision)");
  }

  @Test
  void resnet18() throws Exception {
    need("resnet18");
    ModelGolden g = new ModelGolden(dir(), "resnet18");
    g.checkEval();
    g.checkTrainingStep();
  }

  @Test
  void mobilenetV2() throws Exception {
    need("mobilenet_v2");
    ModelGolden g = new ModelGolden(dir(), "mobilenet_v2");
    g.checkEval();
    g.checkTrainingStep();
  }
}
