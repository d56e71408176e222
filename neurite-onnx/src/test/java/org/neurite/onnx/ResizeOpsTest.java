package org.neurite.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.neurite.onnx.Graphs.i;
import static org.neurite.onnx.Graphs.longs;
import static org.neurite.onnx.Graphs.model;
import static org.neurite.onnx.Graphs.node;
import static org.neurite.onnx.Graphs.value;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.neurite.onnx.proto.OnnxProto.AttributeProto;
import org.neurite.onnx.proto.OnnxProto.TensorProto;
import org.neurite.tensor.Tensor;

/** Resize, DepthToSpace, SpaceToDepth and OneHot on hand-computed cases (ONNX's node tests cover the rest when installed). */
class ResizeOpsTest {
  private static Tensor run(String op, List<String> in, Tensor x, List<TensorProto> inits, AttributeProto... attrs) throws Exception {
    var m = model(13, List.of(node("n0", op, in, List.of("y"), attrs)), List.of(value("x", 1, java.util.Arrays.stream(x.shape()).asLongStream().toArray())), List.of("y"), inits);
    return Onnx.load(m.toByteArray()).run(Map.of("x", x)).get("y");
  }

  private static AttributeProto s(String name, String v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
        .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
  }

  @Test
  void bilinearHalfPixelUpsampling() throws Exception {
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
    Tensor y = run("Resize", List.of("x", "", "", "sizes"), x, List.of(longs("sizes", new long[] {4}, 1, 1, 4, 4)), s("mode", "linear"));
    assertArrayEquals(new float[] {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4},
        y.toArray(), 1e-6f);
    Tensor n = run("Resize", List.of("x", "", "", "sizes"), x, List.of(longs("sizes", new long[] {4}, 1, 1, 2, 4)),
        s("coordinate_transformation_mode", "asymmetric"), s("nearest_mode", "floor"));
    assertArrayEquals(new float[] {1, 1, 2, 2, 3, 3, 4, 4}, n.toArray());
    // tf_crop_and_resize: samples outside the input take extrapolation_value.
    Tensor t = run("Resize", List.of("x", "roi", "", "sizes"), x, List.of(Graphs.floats("roi", new long[] {8}, 0, 0, 0, 0, 1, 1, 0, 2),
        longs("sizes", new long[] {4}, 1, 1, 1, 3)), s("mode", "linear"), s("coordinate_transformation_mode", "tf_crop_and_resize"),
        Graphs.f("extrapolation_value", 9));
    assertArrayEquals(new float[] {1, 2, 9}, t.toArray(), 1e-6f);
    Exception e = assertThrows(Exception.class, () -> run("Resize", List.of("x", "", "scales"), x,
        List.of(Graphs.floats("scales", new long[] {4}, 1, 1, 1, -2))));
    assertTrue(e.getMessage().contains("Resize"), e.getMessage());
  }

  /** Opset 9's Upsample is Resize with X and scales only: asymmetric coordinates, nearest rounds down. */
  @Test
  void upsampleRepeatsNearestSamples() throws Exception {
    var m = model(9, List.of(node("n0", "Upsample", List.of("x", "scales"), List.of("y"))), List.of(value("x", 1, 1, 2)),
        List.of("y"), List.of(Graphs.floats("scales", new long[] {2}, 2, 1.5f)));
    Tensor y = Onnx.load(m.toByteArray()).run(Map.of("x", Tensor.of(new float[] {1, 2}, 1, 2))).get("y");
    assertArrayEquals(new int[] {2, 3}, y.shape());
    assertArrayEquals(new float[] {1, 1, 2, 1, 1, 2}, y.toArray());
  }

  @Test
  void depthToSpaceInBothModesAndSpaceToDepthUndoesDcr() throws Exception {
    Tensor x = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 1, 8, 1, 1);
    Tensor dcr = run("DepthToSpace", List.of("x"), x, List.of(), i("blocksize", 2));
    assertArrayEquals(new int[] {1, 2, 2, 2}, dcr.shape());
    assertArrayEquals(new float[] {0, 2, 4, 6, 1, 3, 5, 7}, dcr.toArray());
    Tensor crd = run("DepthToSpace", List.of("x"), x, List.of(), i("blocksize", 2), s("mode", "CRD"));
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, crd.toArray());
    Tensor back = run("SpaceToDepth", List.of("x"), dcr, List.of(), i("blocksize", 2));
    assertArrayEquals(new int[] {1, 8, 1, 1}, back.shape());
    assertArrayEquals(x.toArray(), back.toArray());
  }

  @Test
  void oneHotCountsNegativeIndicesFromTheEndAndLeavesOutOfRangeOff() throws Exception {
    Tensor idx = Tensor.of(new float[] {0, -1, 5}, 3);
    List<TensorProto> inits = List.of(longs("depth", new long[] {}, 4), Graphs.floats("values", new long[] {2}, 0, 3));
    Tensor y = run("OneHot", List.of("x", "depth", "values"), idx, inits);
    assertArrayEquals(new int[] {3, 4}, y.shape());
    assertArrayEquals(new float[] {3, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0}, y.toArray());
    Tensor t = run("OneHot", List.of("x", "depth", "values"), idx, inits, i("axis", 0));
    assertArrayEquals(new float[] {3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0}, t.toArray());
  }
}
