package org.neurite.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.neurite.onnx.Graphs.i;
import static org.neurite.onnx.Graphs.ints;
import static org.neurite.onnx.Graphs.model;
import static org.neurite.onnx.Graphs.node;
import static org.neurite.onnx.Graphs.value;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.neurite.onnx.proto.OnnxProto.AttributeProto;
import org.neurite.tensor.Tensor;

/** Opsets 1 to 6 (PyTorch 0.3's exports): their attribute forms, and 3-D pooling, which those suites use. */
class OldOpsetsTest {
  private static Tensor run(int opset, String op, List<String> in, Map<String, Tensor> feeds, AttributeProto... attrs) throws Exception {
    var inputs = in.stream().map(n -> value(n, 1, toLongs(feeds.get(n).shape()))).toList();
    var m = model(opset, List.of(node("n0", op, in, List.of("y"), attrs)), inputs, List.of("y"), List.of());
    OnnxModel model = Onnx.load(m.toByteArray());
    model.eval();
    return model.run(feeds).get("y");
  }

  private static long[] toLongs(int[] s) {
    return java.util.Arrays.stream(s).asLongStream().toArray();
  }

  /** Opset 6 Add with broadcast=1, axis=1: B [3] meets A [2, 3, 2] at axis 1, not at the last axis. */
  @Test
  void broadcastAtAnAxis() throws Exception {
    Tensor a = Tensor.zeros(2, 3, 2), b = Tensor.of(new float[] {1, 2, 3}, 3);
    Tensor y = run(6, "Add", List.of("a", "b"), Map.of("a", a, "b", b), i("broadcast", 1), i("axis", 1));
    assertArrayEquals(new float[] {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}, y.toArray());
    // consumed_inputs (opsets < 6) is a memory hint and changes nothing
    Tensor z = run(1, "Mul", List.of("a", "b"), Map.of("a", Tensor.ones(2, 3), "b", Tensor.ones(2, 3).mul(2f)),
        ints("consumed_inputs", 0, 0));
    assertArrayEquals(new float[] {2, 2, 2, 2, 2, 2}, z.toArray());
  }

  /** Opset 6 PRelu: a 1-D slope is per channel (axis 1). */
  @Test
  void preluSlopePerChannel() throws Exception {
    Tensor x = Tensor.of(new float[] {-1, -1, -1, -1, 2, 2}, 1, 2, 3), s = Tensor.of(new float[] {0.5f, 0.25f}, 2);
    assertArrayEquals(new float[] {-0.5f, -0.5f, -0.5f, -0.25f, 2, 2}, run(6, "PRelu", List.of("x", "s"), Map.of("x", x, "s", s)).toArray());
  }

  /** MaxPool and AveragePool over [N, C, D, H, W] against a direct loop (padding, stride 2, valid-element means). */
  @Test
  void threeDimensionalPooling() throws Exception {
    int d = 3, h = 4, w = 5;
    float[] v = new float[2 * d * h * w];
    SplittableRandom r = new SplittableRandom(3);
    for (int k = 0; k < v.length; k++) v[k] = (float) r.nextDouble(-1, 1);
    Tensor x = Tensor.of(v, 1, 2, d, h, w);
    for (boolean max : new boolean[] {true, false}) {
      Tensor y = run(13, max ? "MaxPool" : "AveragePool", List.of("x"), Map.of("x", x), ints("kernel_shape", 2, 3, 2),
          ints("strides", 1, 2, 2), ints("pads", 1, 1, 0, 0, 1, 1));
      int od = d + 1 - 2 + 1, oh = (h + 2 - 3) / 2 + 1, ow = (w + 1 - 2) / 2 + 1;
      assertArrayEquals(new int[] {1, 2, od, oh, ow}, y.shape());
      float[] got = y.toArray();
      for (int c = 0, o = 0; c < 2; c++)
        for (int a = 0; a < od; a++)
          for (int b = 0; b < oh; b++)
            for (int e = 0; e < ow; e++, o++) {
              double best = Double.NEGATIVE_INFINITY, sum = 0;
              int n = 0;
              for (int p = a - 1; p < a + 1; p++)
                for (int q = 2 * b - 1; q < 2 * b + 2; q++)
                  for (int t = 2 * e; t < 2 * e + 2; t++) {
                    if (p < 0 || p >= d || q < 0 || q >= h || t >= w) continue;
                    float xv = v[((c * d + p) * h + q) * w + t];
                    best = Math.max(best, xv);
                    sum += xv;
                    n++;
                  }
              assertEquals(max ? best : sum / n, got[o], 1e-5, (max ? "max" : "avg") + " at " + o);
            }
    }
  }
}
