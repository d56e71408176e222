package org.neurite.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.neurite.onnx.Graphs.model;
import static org.neurite.onnx.Graphs.node;
import static org.neurite.onnx.Graphs.value;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.neurite.tensor.Tensor;

/** Nodes whose optional inputs are cut short, or whose shapes only the fed tensors tell (ONNX's node tests found both). */
class OptionalInputsTest {
  /** Clip with a min and no max has two inputs; the max input must read as absent, not out of bounds. */
  @Test
  void clipWithOnlyAMin() throws Exception {
    var m = model(13, List.of(node("n0", "Clip", List.of("x", "lo"), List.of("y"))),
        List.of(value("x", 1, 4), value("lo", 1)), List.of("y"), List.of());
    Tensor y = Onnx.load(m.toByteArray()).run(Map.of("x", Tensor.of(new float[] {-2, -0.5f, 0.5f, 9}, 4), "lo", Tensor.scalar(0f))).get("y");
    assertArrayEquals(new float[] {0, 0, 0.5f, 9}, y.toArray());
  }

  /** A 1-D ConvTranspose whose weight is a graph input: the input's rank, not a guess of 2-D, decides. */
  @Test
  void oneDimensionalConvTransposeWithAWeightFedAtRunTime() throws Exception {
    var m = model(13, List.of(node("n0", "ConvTranspose", List.of("x", "w"), List.of("y"))),
        List.of(value("x", 1, 1, 1, 3), value("w", 1, 1, 2, 3)), List.of("y"), List.of());
    Tensor x = Tensor.of(new float[] {0, 1, 2}, 1, 1, 3), w = Tensor.ones(1, 2, 3);
    Tensor y = Onnx.load(m.toByteArray()).run(Map.of("x", x, "w", w)).get("y");
    // y[t] = sum of x[i] for the i with t - i in 0..2: the full transposed convolution of [0, 1, 2] with [1, 1, 1].
    assertArrayEquals(new int[] {1, 2, 5}, y.shape());
    assertArrayEquals(new float[] {0, 1, 3, 3, 2, 0, 1, 3, 3, 2}, y.toArray());
  }
}
