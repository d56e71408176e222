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

/** Opsets 1 to 6 (PyTorch 0.3's exports): their attribute forms, and 3-D convolution and pooling, which those suites use. */
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

  /** Opset 1 Reshape takes its shape as an attribute; opset 1 Concat joins along axis 1 by default. */
  @Test
  void reshapeAttributeAndConcatDefaultAxis() throws Exception {
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    Tensor y = run(1, "Reshape", List.of("x"), Map.of("x", x), ints("shape", 0, 3, -1));
    assertArrayEquals(new int[] {2, 3, 1}, y.shape());
    Tensor z = run(3, "Concat", List.of("x", "x2"), Map.of("x", x, "x2", x));
    assertArrayEquals(new int[] {2, 6}, z.shape());
    assertArrayEquals(new float[] {1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6}, z.toArray());
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

  /** Conv over [N, C, D, H, W] (groups, stride, dilation, uneven padding) against a direct loop. */
  @Test
  void threeDimensionalConvolution() throws Exception {
    int c = 4, o = 2, d = 5, h = 4, w = 4, kd = 2, kh = 3, kw = 2;
    SplittableRandom r = new SplittableRandom(5);
    float[] xv = new float[c * d * h * w], wv = new float[o * 2 * kd * kh * kw];
    for (int k = 0; k < xv.length; k++) xv[k] = (float) r.nextDouble(-1, 1);
    for (int k = 0; k < wv.length; k++) wv[k] = (float) r.nextDouble(-1, 1);
    Tensor x = Tensor.of(xv, 1, c, d, h, w), wt = Tensor.of(wv, o, 2, kd, kh, kw), b = Tensor.of(new float[] {0.5f, -1}, o);
    // depth: stride 2, dilation 2, pads 1/0; height: pads 1/1; width: stride 2, pads 0/1
    Tensor y = run(13, "Conv", List.of("x", "w", "b"), Map.of("x", x, "w", wt, "b", b), Graphs.i("group", 2),
        ints("strides", 2, 1, 2), ints("dilations", 2, 1, 1), ints("pads", 1, 1, 0, 0, 1, 1));
    int od = (d + 1 - 3) / 2 + 1, oh = h + 2 - kh + 1, ow = (w + 1 - kw) / 2 + 1;
    assertArrayEquals(new int[] {1, o, od, oh, ow}, y.shape());
    float[] got = y.toArray();
    for (int m = 0, q = 0; m < o; m++)
      for (int a = 0; a < od; a++)
        for (int bb = 0; bb < oh; bb++)
          for (int e = 0; e < ow; e++, q++) {
            double s = b.toArray()[m];
            for (int ci = 0; ci < 2; ci++)
              for (int i = 0; i < kd; i++)
                for (int j = 0; j < kh; j++)
                  for (int t = 0; t < kw; t++) {
                    int p = a * 2 - 1 + 2 * i, u = bb - 1 + j, z = e * 2 + t;
                    if (p < 0 || p >= d || u < 0 || u >= h || z >= w) continue;
                    s += xv[(((m * 2 + ci) * d + p) * h + u) * w + z] * wv[(((m * 2 + ci) * kd + i) * kh + j) * kw + t];
                  }
            assertEquals(s, got[q], 1e-4, "y at " + q);
          }
  }
}
