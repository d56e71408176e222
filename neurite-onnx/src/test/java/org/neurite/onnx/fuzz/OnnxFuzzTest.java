package org.neurite.onnx.fuzz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.neurite.autograd.GradMode;
import org.neurite.io.Heap;
import org.neurite.onnx.Onnx;
import org.neurite.onnx.OnnxModel;
import org.neurite.onnx.proto.OnnxProto.GraphProto;
import org.neurite.onnx.proto.OnnxProto.ModelProto;
import org.neurite.onnx.proto.OnnxProto.NodeProto;
import org.neurite.onnx.proto.OnnxProto.OperatorSetIdProto;
import org.neurite.onnx.proto.OnnxProto.StringStringEntryProto;
import org.neurite.onnx.proto.OnnxProto.TensorProto;
import org.neurite.onnx.proto.OnnxProto.TensorShapeProto;
import org.neurite.onnx.proto.OnnxProto.TypeProto;
import org.neurite.onnx.proto.OnnxProto.ValueInfoProto;
import org.neurite.tensor.Tensor;
import org.neurite.testing.Fuzzer;

/**
 * Fuzz target for the ONNX reader and executor: protobuf decoding, graph checks (cycles, undefined
 * values, declared sizes), external data beside the file, building the model, and then running it on
 * zeros of its declared input shapes. Seeds: the small ResNet-style export and a few operator graphs
 * made by tools/onnx/make_onnx_fixtures.py with PyTorch, in {@code src/test/resources/org/neurite/onnx/fuzz/onnx/},
 * and a graph whose weight lives in an external file. A malformed file must end in an OnnxException
 * (an IOException) with a one-line message; a graph that loads but cannot run, in an
 * IllegalArgumentException naming the node (passed on as an IOException for the fuzzer's contract).
 */
class OnnxFuzzTest {
  /** Inputs larger than this many elements are not run: the target tests the executor's checks, not its speed. */
  private static final long MAX_RUN_ELEMENTS = 1 << 16;

  @Test
  void onnx() throws IOException {
    Path dir = Fuzzer.scratch("model").getParent();
    Path file = dir.resolve("model.onnx");
    ByteBuffer w = ByteBuffer.allocate(4 * 64).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 64; i++) w.putFloat(i * 0.25f - 3);
    Files.write(dir.resolve("weights.bin"), w.array());
    List<byte[]> seeds = new ArrayList<>(Fuzzer.seeds(OnnxFuzzTest.class, "/org/neurite/onnx/fuzz/onnx"));
    seeds.add(externalData().toByteArray());
    Fuzzer.run("onnx", seeds, data -> {
      Files.write(file, data);
      OnnxModel model = Onnx.load(file);
      return run(model);
    }, "weights.bin", "location", "offset", "length", "MatMul", "Add", "Expand", "Reshape", "Gemm");
  }

  private static Object run(OnnxModel model) throws IOException {
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    for (OnnxModel.Input in : model.inputs()) {
      if (!in.type().equals("FLOAT")) return model.inputs().size();   // integer inputs carry ids or shapes: not guessed
      int[] shape = new int[in.dims().length];
      long n = 1;
      for (int k = 0; k < shape.length; k++) {
        shape[k] = (int) Math.max(1, Math.min(in.dims()[k], 64));
        n *= shape[k];
      }
      if (n > MAX_RUN_ELEMENTS) return model.inputs().size();
      feeds.put(in.name(), Tensor.zeros(shape));
    }
    model.eval();
    try (var off = GradMode.off()) {
      return model.run(feeds);
    } catch (Heap.TooLargeException e) {
      throw e;
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** y = x [1, 8] MatMul w [8, 8], w in weights.bin beside the model (ONNX external data). */
  private static ModelProto externalData() {
    TensorProto.Builder t = TensorProto.newBuilder().setName("w").setDataType(1).addDims(8).addDims(8)
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin"))
        .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue("0"))
        .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue("256"));
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    shape.addDimBuilder().setDimValue(1);
    shape.addDimBuilder().setDimValue(8);
    ValueInfoProto x = ValueInfoProto.newBuilder().setName("x")
        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))).build();
    GraphProto g = GraphProto.newBuilder().setName("external")
        .addNode(NodeProto.newBuilder().setName("mm").setOpType("MatMul").addInput("x").addInput("w").addOutput("y"))
        .addInput(x).addInitializer(t).addOutput(ValueInfoProto.newBuilder().setName("y")).build();
    return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g)
        .build();
  }
}
