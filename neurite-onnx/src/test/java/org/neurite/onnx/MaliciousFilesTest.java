package org.neurite.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.neurite.onnx.Graphs.floats;
import static org.neurite.onnx.Graphs.model;
import static org.neurite.onnx.Graphs.node;
import static org.neurite.onnx.Graphs.value;
import static org.neurite.testing.Errors.assertMessage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.onnx.proto.OnnxProto.GraphProto;
import org.neurite.onnx.proto.OnnxProto.ModelProto;
import org.neurite.onnx.proto.OnnxProto.NodeProto;
import org.neurite.onnx.proto.OnnxProto.TensorProto;
import org.neurite.tensor.Tensor;

/**
 * Hostile and broken files: each must fail with a one-line {@link OnnxException} that says what is wrong,
 * before anything large is allocated and without reading outside the model's directory.
 */
class MaliciousFilesTest {
  @TempDir
  Path tmp;

  private Path write(String name, ModelProto m) throws Exception {
    Path p = tmp.resolve(name);
    Files.write(p, m.toByteArray());
    return p;
  }

  /** Identity of a float initializer: the graph's only output. */
  private static ModelProto withInitializer(TensorProto t) {
    return model(13, List.of(node("id", "Identity", List.of(t.getName()), List.of("y"))), List.of(), List.of("y"), List.of(t));
  }

  @Test
  void truncatedFile() throws Exception {
    byte[] full = Files.readAllBytes(Fixtures.path("models/small_resnet.onnx"));
    for (int cut : new int[] {full.length / 2, full.length - 1, 17}) {
      Path p = tmp.resolve("cut" + cut + ".onnx");
      Files.write(p, Arrays.copyOf(full, cut));
      assertMessage(OnnxException.class, () -> Onnx.load(p), "cut" + cut + ".onnx", "truncated or corrupt");
    }
  }

  @Test
  void emptyAndForeignFiles() throws Exception {
    Path empty = tmp.resolve("empty.onnx");
    Files.write(empty, new byte[0]);
    assertMessage(OnnxException.class, () -> Onnx.load(empty), "empty");
    Path text = tmp.resolve("text.onnx");
    Files.writeString(text, "{\"format_version\": 1}\n");
    assertMessage(OnnxException.class, () -> Onnx.load(text), "text.onnx");
    // A protobuf that parses but holds no graph (here: only a producer name).
    Path noGraph = write("nograph.onnx", ModelProto.newBuilder().setIrVersion(8).setProducerName("x").build());
    assertMessage(OnnxException.class, () -> Onnx.load(noGraph), "no graph");
  }

  @Test
  void hugeDeclaredLengthInTheProtobuf() throws Exception {
    // ModelProto.graph (field 7, length-delimited) claiming 2^31 - 1 bytes, followed by 3 bytes.
    byte[] b = {0x3A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 1, 2, 3};
    Path p = tmp.resolve("length.onnx");
    Files.write(p, b);
    assertMessage(OnnxException.class, () -> Onnx.load(p), "truncated or corrupt");
  }

  @Test
  void hugeDeclaredDimensions() throws Exception {
    // [10^9, 10^9]: more elements than any tensor can hold
    TensorProto huge = floats("w", new long[] {1_000_000_000L, 1_000_000_000L}, 1f);
    assertMessage(OnnxException.class, () -> Onnx.load(write("dims.onnx", withInitializer(huge))), "initializer \"w\"",
        "more elements than a tensor can hold");
    // [40000, 40000] fits an array (1.6e9 elements) but its 4 bytes of data do not back it: no 6.4 GB allocation
    TensorProto big = floats("w", new long[] {40_000, 40_000}, 1f);
    assertMessage(OnnxException.class, () -> Onnx.load(write("big.onnx", withInitializer(big))), "initializer \"w\"",
        "needs 6400000000 bytes of raw_data, the file holds 4");
    // typed data: 3 values for a million
    TensorProto typed = TensorProto.newBuilder().setName("w").setDataType(1).addDims(1_000_000).addFloatData(1).addFloatData(2)
        .addFloatData(3).build();
    assertMessage(OnnxException.class, () -> Onnx.load(write("typed.onnx", withInitializer(typed))), "needs 1000000 values",
        "holds 3");
    TensorProto negative = floats("w", new long[] {-4}, 1f);
    assertMessage(OnnxException.class, () -> Onnx.load(write("neg.onnx", withInitializer(negative))), "negative");
  }

  @Test
  void hugeShapeComputedByTheGraph() throws Exception {
    // ConstantOfShape of a constant [100000, 100000, 100] shape: folded at load time, refused before allocating
    ModelProto m = model(13, List.of(node("big", "ConstantOfShape", List.of("shape"), List.of("y"))), List.of(), List.of("y"),
        List.of(Graphs.longs("shape", new long[] {3}, 100_000, 100_000, 100)));
    assertMessage(OnnxException.class, () -> Onnx.load(write("cos.onnx", m)), "node \"big\" (ConstantOfShape)");
    // Expand of an input to a huge shape: refused when it runs
    ModelProto e = model(13, List.of(node("grow", "Expand", List.of("x", "shape"), List.of("y"))),
        List.of(value("x", 1, 1, 1)), List.of("y"), List.of(Graphs.longs("shape", new long[] {2}, 3_000_000_000L / 2, 1_000_000)));
    OnnxModel model = Onnx.load(write("expand.onnx", e));
    assertMessage(IllegalArgumentException.class, () -> model.forward(Tensor.ones(1, 1)), "node \"grow\" (Expand)");
  }

  @Test
  void broadcastingSmallInputsIntoAHugeOutputIsRefusedBeforeAllocating() throws Exception {
    // A tiny graph: Add of x [46000, 1] and its transpose [1, 46000] asks for 2.1e9 floats (8.5 GB)
    int n = 46_000;
    for (String op : List.of("Add", "Mul", "Equal", "Sum")) {
      ModelProto m = model(13, List.of(node("t", "Transpose", List.of("x"), List.of("xt")),
              node("grow", op, List.of("x", "xt"), List.of("y"))),
          List.of(value("x", 1, n, 1)), List.of("y"), List.of());
      OnnxModel model = Onnx.load(write(op + ".onnx", m));
      assertMessage(IllegalArgumentException.class, () -> model.forward(Tensor.zeros(n, 1)), "node \"grow\" (" + op + ")",
          "[46000, 46000]");
    }
  }

  @Test
  void cyclicGraph() throws Exception {
    ModelProto m = model(13, List.of(
        node("a", "Relu", List.of("t2"), List.of("t1")),
        node("b", "Add", List.of("t1", "x"), List.of("t2"))), List.of(value("x", 1, 2)), List.of("t2"), List.of());
    assertMessage(OnnxException.class, () -> Onnx.load(write("cycle.onnx", m)), "cycle", "node \"a\" (Relu)", "node \"b\" (Add)");
    ModelProto self = model(13, List.of(node("loop", "Relu", List.of("y"), List.of("y"))), List.of(), List.of("y"), List.of());
    assertMessage(OnnxException.class, () -> Onnx.load(write("self.onnx", self)), "cycle", "node \"loop\" (Relu)");
  }

  @Test
  void undefinedAndDuplicatedValues() throws Exception {
    ModelProto undefined = model(13, List.of(node("n", "Relu", List.of("nowhere"), List.of("y"))), List.of(), List.of("y"), List.of());
    assertMessage(OnnxException.class, () -> Onnx.load(write("undef.onnx", undefined)), "node \"n\" (Relu)", "\"nowhere\"",
        "not produced");
    ModelProto twice = model(13, List.of(node("a", "Relu", List.of("x"), List.of("y")), node("b", "Neg", List.of("x"), List.of("y"))),
        List.of(value("x", 1, 2)), List.of("y"), List.of());
    assertMessage(OnnxException.class, () -> Onnx.load(write("twice.onnx", twice)), "\"y\"", "already defined");
  }

  @Test
  void externalDataOutsideTheModelDirectoryIsNeverRead() throws Exception {
    Path secret = tmp.resolve("secret.bin");
    Files.write(secret, new byte[16]);
    Path dir = Files.createDirectories(tmp.resolve("model"));
    for (String location : new String[] {"../secret.bin", "sub/../../secret.bin", secret.toString(), "/etc/passwd"}) {
      Path p = dir.resolve("m.onnx");
      Files.write(p, withInitializer(external("w", location, 0, 16)).toByteArray());
      assertMessage(OnnxException.class, () -> Onnx.load(p), "initializer \"w\"", "outside the model's directory");
    }
    // A symbolic link inside the directory that points outside it
    Files.createSymbolicLink(dir.resolve("link.bin"), secret);
    Path p = dir.resolve("m.onnx");
    Files.write(p, withInitializer(external("w", "link.bin", 0, 16)).toByteArray());
    assertMessage(OnnxException.class, () -> Onnx.load(p), "links to", "outside the model's directory");
    // From bytes there is no directory at all
    assertMessage(OnnxException.class, () -> Onnx.load(withInitializer(external("w", "w.bin", 0, 16)).toByteArray()),
        "needs the model's directory");
  }

  @Test
  void externalDataInsideTheModelDirectoryIsRead() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("ok"));
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putFloat(9f).putFloat(9f);
    for (float v : new float[] {1, 2, 3, 4}) b.putFloat(v);
    Files.write(dir.resolve("weights.bin"), b.array());
    Path p = dir.resolve("m.onnx");
    Files.write(p, withInitializer(external("w", "weights.bin", 8, 16)).toByteArray());
    OnnxModel m = Onnx.load(p);
    assertArrayEquals(new float[] {1, 2, 3, 4}, m.run(Map.of()).get("y").toArray());
    // offset/length past the end of the file, and a length that does not match the shape
    Files.write(p, withInitializer(external("w", "weights.bin", 16, 16)).toByteArray());
    assertMessage(OnnxException.class, () -> Onnx.load(p), "lies outside weights.bin (24 bytes)");
    Files.write(p, withInitializer(external("w", "weights.bin", 0, 12)).toByteArray());
    assertMessage(OnnxException.class, () -> Onnx.load(p), "length 12 does not match the 16 bytes");
    Files.write(p, withInitializer(external("w", "missing.bin", 0, 16)).toByteArray());
    assertMessage(OnnxException.class, () -> Onnx.load(p), "\"missing.bin\" does not exist");
  }

  private static TensorProto external(String name, String location, long offset, long length) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1).addDims(4)
        .setDataLocation(TensorProto.DataLocation.EXTERNAL);
    t.addExternalDataBuilder().setKey("location").setValue(location);
    t.addExternalDataBuilder().setKey("offset").setValue(Long.toString(offset));
    t.addExternalDataBuilder().setKey("length").setValue(Long.toString(length));
    return t.build();
  }

  @Test
  void unknownOperatorNamesTheNode() throws Exception {
    ModelProto m = model(13, List.of(node("encoder/fancy_7", "FancyAttention", List.of("x"), List.of("y"))),
        List.of(value("x", 1, 2)), List.of("y"), List.of());
    assertMessage(OnnxException.class, () -> Onnx.load(write("op.onnx", m)), "node \"encoder/fancy_7\" (FancyAttention)",
        "operator FancyAttention (opset 13) is not supported");
    NodeProto custom = NodeProto.newBuilder().setName("q").setOpType("QuickGelu").setDomain("com.microsoft").addInput("x")
        .addOutput("y").build();
    ModelProto ms = model(13, List.of(custom), List.of(value("x", 1, 2)), List.of("y"), List.of());
    assertMessage(OnnxException.class, () -> Onnx.load(write("ms.onnx", ms)), "node \"q\" (QuickGelu)", "\"com.microsoft\"");
    // Control flow is not supported either, and says so
    ModelProto loop = model(13, List.of(node("loop", "Loop", List.of("x"), List.of("y"))), List.of(value("x", 1, 2)),
        List.of("y"), List.of());
    assertMessage(OnnxException.class, () -> Onnx.load(write("loop.onnx", loop)), "node \"loop\" (Loop)", "not supported");
  }

  @Test
  void unsupportedOpsetsAndAttributes() throws Exception {
    ModelProto m = Graphs.unary("Relu", new long[] {2});
    ModelProto future = m.toBuilder().setOpsetImport(0, m.getOpsetImport(0).toBuilder().setVersion(99)).build();
    assertMessage(OnnxException.class, () -> Onnx.load(write("future.onnx", future)), "opset 99 is not supported", "1 to 21");
    ModelProto ancient = m.toBuilder().setOpsetImport(0, m.getOpsetImport(0).toBuilder().setVersion(0)).build();
    assertMessage(OnnxException.class, () -> Onnx.load(write("old.onnx", ancient)), "opset 0 is not supported");
    ModelProto attr = Graphs.unary("LeakyRelu", new long[] {2}, Graphs.f("alpha", 0.2f), Graphs.f("beta", 1f));
    assertMessage(OnnxException.class, () -> Onnx.load(write("attr.onnx", attr)), "node \"n0\" (LeakyRelu)",
        "attribute \"beta\" is not supported");
    ModelProto conv4d = model(13, List.of(node("c4", "Conv", List.of("x", "w"), List.of("y"), Graphs.ints("kernel_shape", 1, 1, 1, 1))),
        List.of(value("x", 1, 1, 1, 2, 2, 2, 2)), List.of("y"), List.of(floats("w", new long[] {1, 1, 1, 1, 1, 1}, 1f)));
    assertMessage(OnnxException.class, () -> Onnx.load(write("conv4d.onnx", conv4d)), "node \"c4\" (Conv)", "4-D convolution");
  }

  @Test
  void deeplyNestedProtobufIsRefused() throws Exception {
    GraphProto g = GraphProto.newBuilder().setName("leaf").build();
    for (int i = 0; i < 200; i++) {
      NodeProto n = NodeProto.newBuilder().setOpType("If").addAttribute(org.neurite.onnx.proto.OnnxProto.AttributeProto.newBuilder()
          .setName("then_branch").setType(org.neurite.onnx.proto.OnnxProto.AttributeProto.AttributeType.GRAPH).setG(g)).build();
      g = GraphProto.newBuilder().addNode(n).build();
    }
    ModelProto m = ModelProto.newBuilder().setIrVersion(8).setGraph(g).build();
    Path p = tmp.resolve("deep.onnx");
    Files.write(p, m.toByteArray());
    assertMessage(OnnxException.class, () -> Onnx.load(p), "deep.onnx", "nesting");
  }
}
