package org.neurite.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.neurite.io.SafeTensors;
import org.neurite.tensor.Tensor;

/**
 * PyTorch's seed CNN weights (tools/fixtures/torch_seed_cnn.py) load into the Neurite model by name
 * and give PyTorch's predictions.
 */
class SeedCnnTorchTest {
  static Sequential seedCnn() {
    return Sequential.of(
        new Conv2D(32, 3).relu(), new MaxPool2D(2),
        new Conv2D(64, 3).relu(), new MaxPool2D(2),
        new Conv2D(128, 3).relu(), new MaxPool2D(2),
        new Flatten(), new Dense(512).relu(), new Dense(10).softmax())
        .input(1, 28, 28);
  }

  @Test
  void pytorchStateDictGivesPytorchPredictions() throws Exception {
    Map<String, Tensor> f = SafeTensors.read(Path.of(getClass().getResource("seed_cnn_torch.safetensors").toURI()));
    Map<String, Tensor> weights = new LinkedHashMap<>(f);
    Tensor x = weights.remove("input"), expected = weights.remove("probs");
    Sequential model = seedCnn();
    model.loadStateDict(weights);
    float[] got = model.predict(x).data(), want = expected.data();
    assertEquals(want.length, got.length);
    for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 2e-6, "probability " + i);
  }

  @Test
  void summaryCountsParametersLikeKeras() {
    String s = seedCnn().summary();
    // conv 320 + 18,496 + 73,856, dense 66,048 + 5,130
    assertTrue(s.contains("Total params: 163,850"), s);
    assertTrue(s.contains("(None, 128, 1, 1)"), s);
  }

  @Test
  void wrongInputNamesTheLayerAndHints() {
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> seedCnn().forward(Tensor.zeros(28, 28)));
    assertTrue(e.getMessage().startsWith("layers.0 Conv2D(32, kernel=3, activation=relu): expected input [N, 1, 28, 28], got [28, 28]"),
        e.getMessage());
  }

  @Test
  void loadStateDictNamesTheMisshapenTensor() throws IOException {
    Sequential model = seedCnn();
    Map<String, Tensor> state = new LinkedHashMap<>(model.stateDict());
    state.put("layers.7.weight", Tensor.zeros(512, 64));
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> model.loadStateDict(state));
    assertEquals("load: tensor \"layers.7.weight\" has shape [512, 64], the model expects [512, 128]", e.getMessage());
  }
}
