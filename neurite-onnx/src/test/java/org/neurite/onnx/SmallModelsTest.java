package org.neurite.onnx;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The committed narrow ResNet and MobileNetV2 (tools/onnx/export_torchvision.py --small): torchvision's
 * building blocks and operator set at 3x32x32, batch 2. Evaluation outputs of the eval-mode export
 * (BatchNorm folded, constants folded) and of the training-mode export, then one SGD training step
 * with every parameter's gradient compared with PyTorch's before and after the step.
 */
class SmallModelsTest {
  private static final Path DIR = Fixtures.path("models/small_resnet.onnx").getParent();

  @Test
  void smallResNetEval() throws Exception {
    new ModelGolden(DIR, "small_resnet").checkEval();
  }

  @Test
  void smallResNetTrainingStep() throws Exception {
    new ModelGolden(DIR, "small_resnet").checkTrainingStep();
  }

  @Test
  void smallMobileNetV2Eval() throws Exception {
    new ModelGolden(DIR, "small_mobilenet_v2").checkEval();
  }

  @Test
  void smallMobileNetV2TrainingStep() throws Exception {
    new ModelGolden(DIR, "small_mobilenet_v2").checkTrainingStep();
  }
}
