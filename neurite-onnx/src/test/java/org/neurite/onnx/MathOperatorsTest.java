package org.neurite.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.neurite.onnx.Graphs.i;
import static org.neurite.onnx.Graphs.f;
import static org.neurite.onnx.Graphs.longs;
import static org.neurite.onnx.Graphs.model;
import static org.neurite.onnx.Graphs.node;
import static org.neurite.onnx.Graphs.unary;
import static org.neurite.onnx.Graphs.value;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.neurite.onnx.proto.OnnxProto.AttributeProto;
import org.neurite.onnx.proto.OnnxProto.ModelProto;
import org.neurite.onnx.proto.OnnxProto.TensorProto;
import org.neurite.tensor.Tensor;

/**
 * Trilu, CumSum, ReduceProd, ReduceLogSum, ReduceLogSumExp, Hardmax, TopK, ThresholdedRelu and the
 * trigonometric and hyperbolic functions, one small node each (ONNX's own node tests cover them further
 * where libonnx-testdata is installed).
 */
class MathOperatorsTest {
  private static final Tensor X = Tensor.of(new float[] {1, 4, 2, 3, -1, 5, 0, 2, 6, -2, 7, 1}, 3, 4);

  /** One node of op on x plus constant initializers (second and later inputs), at opset 18. */
  private static Tensor[] run(String op, Tensor x, List<TensorProto> consts, int outs, AttributeProto... attrs) throws Exception {
    List<String> in = new java.util.ArrayList<>(List.of("x")), out = new java.util.ArrayList<>();
    for (TensorProto t : consts) in.add(t.getName());
    for (int o = 0; o < outs; o++) out.add("y" + o);
    long[] dims = java.util.Arrays.stream(x.shape()).asLongStream().toArray();
    ModelProto m = model(18, List.of(node("n0", op, in, out, attrs)), List.of(value("x", 1, dims)), out, consts);
    Map<String, Tensor> r = Onnx.load(m.toByteArray()).run(Map.of("x", x));
    Tensor[] y = new Tensor[outs];
    for (int o = 0; o < outs; o++) y[o] = r.get("y" + o);
    return y;
  }

  @Test
  void triluKeepsTheUpperOrLowerTriangleFromDiagonalK() throws Exception {
    Tensor up = run("Trilu", X, List.of(longs("k", new long[] {}, 1)), 1)[0];
    assertArrayEquals(new float[] {0, 4, 2, 3, 0, 0, 0, 2, 0, 0, 0, 1}, up.toArray());
    Tensor low = run("Trilu", X, List.of(), 1, i("upper", 0))[0];
    assertArrayEquals(new float[] {1, 0, 0, 0, -1, 5, 0, 0, 6, -2, 7, 0}, low.toArray());
  }

  @Test
  void cumSumForwardBackwardAndExclusive() throws Exception {
    Tensor v = Tensor.of(new float[] {1, 2, 3, 4}, 4);
    assertArrayEquals(new float[] {1, 3, 6, 10}, run("CumSum", v, List.of(longs("a", new long[] {}, 0)), 1)[0].toArray());
    assertArrayEquals(new float[] {9, 7, 4, 0}, run("CumSum", v, List.of(longs("a", new long[] {}, 0)), 1,
        i("exclusive", 1), i("reverse", 1))[0].toArray());
    assertArrayEquals(new float[] {1, 5, 7, 10, -1, 4, 4, 6, 6, 4, 11, 12},
        run("CumSum", X, List.of(longs("a", new long[] {}, -1)), 1)[0].toArray());
  }

  @Test
  void productAndLogReductionsWithAxesAsAnInput() throws Exception {
    TensorProto axis1 = longs("axes", new long[] {1}, 1);
    assertArrayEquals(new float[] {24, 0, -84}, run("ReduceProd", X, List.of(axis1), 1, i("keepdims", 0))[0].toArray(), 0f);   // -0 is 0
    Tensor pos = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
    assertArrayEquals(new float[] {(float) Math.log(3), (float) Math.log(7)},
        run("ReduceLogSum", pos, List.of(axis1), 1, i("keepdims", 0))[0].toArray(), 1e-6f);
    Tensor big = Tensor.of(new float[] {1000, 1000, 0, 0}, 2, 2);   // exp(1000) overflows a float; the result must not
    assertArrayEquals(new float[] {1000 + (float) Math.log(2), (float) Math.log(2)},
        run("ReduceLogSumExp", big, List.of(axis1), 1, i("keepdims", 0))[0].toArray(), 1e-4f);
  }

  @Test
  void hardmaxIsAOneHotOfTheFirstMaximum() throws Exception {
    Tensor x = Tensor.of(new float[] {3, 1, 3, 0, 2, 5}, 2, 3);
    assertArrayEquals(new float[] {1, 0, 0, 0, 0, 1}, run("Hardmax", x, List.of(), 1)[0].toArray());
  }

  @Test
  void topKGivesValuesAndIndicesLargestOrSmallest() throws Exception {
    TensorProto k2 = longs("k", new long[] {1}, 2);
    Tensor[] top = run("TopK", X, List.of(k2), 2);
    assertArrayEquals(new float[] {4, 3, 5, 2, 7, 6}, top[0].toArray());
    assertArrayEquals(new float[] {1, 3, 1, 3, 2, 0}, top[1].toArray());
    Tensor[] low = run("TopK", X, List.of(k2), 2, i("largest", 0), i("axis", 0));
    assertArrayEquals(new float[] {-1, -2, 0, 1, 1, 4, 2, 2}, low[0].toArray());
    assertArrayEquals(new float[] {1, 2, 1, 2, 0, 0, 0, 1}, low[1].toArray());
  }

  @Test
  void thresholdedReluAndTheElementaryFunctions() throws Exception {
    Tensor x = Tensor.of(new float[] {-0.5f, 0.25f, 0.75f, 2f}, 4);
    Tensor y = Onnx.load(unary("ThresholdedRelu", new long[] {4}, f("alpha", 0.5f)).toByteArray()).run(Map.of("x", x)).get("y");
    assertArrayEquals(new float[] {0, 0, 0.75f, 2f}, y.toArray());
    Tensor s = Tensor.of(new float[] {-0.5f, 0.25f}, 2);
    Tensor at = Onnx.load(unary("Atanh", new long[] {2}).toByteArray()).run(Map.of("x", s)).get("y");
    assertArrayEquals(new float[] {(float) (0.5 * Math.log(0.5 / 1.5)), (float) (0.5 * Math.log(1.25 / 0.75))}, at.toArray(), 1e-6f);
    Tensor tan = Onnx.load(unary("Tan", new long[] {2}).toByteArray()).run(Map.of("x", s)).get("y");
    assertArrayEquals(new float[] {(float) Math.tan(-0.5), (float) Math.tan(0.25)}, tan.toArray(), 1e-6f);
  }
}
