package org.neurite.onnx;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.neurite.onnx.proto.OnnxProto.AttributeProto;
import org.neurite.onnx.proto.OnnxProto.GraphProto;
import org.neurite.onnx.proto.OnnxProto.ModelProto;
import org.neurite.onnx.proto.OnnxProto.NodeProto;
import org.neurite.onnx.proto.OnnxProto.OperatorSetIdProto;
import org.neurite.onnx.proto.OnnxProto.TensorProto;
import org.neurite.onnx.proto.OnnxProto.TensorShapeProto;
import org.neurite.onnx.proto.OnnxProto.TypeProto;
import org.neurite.onnx.proto.OnnxProto.ValueInfoProto;

/** Small ONNX graphs built in tests, with the generated protobuf classes (onnx.helper's Java cousin). */
final class Graphs {
  private Graphs() {}

  static NodeProto node(String name, String op, List<String> in, List<String> out, AttributeProto... attrs) {
    NodeProto.Builder b = NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(in).addAllOutput(out);
    for (AttributeProto a : attrs) b.addAttribute(a);
    return b.build();
  }

  static ValueInfoProto value(String name, int elemType, long... dims) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long d : dims) {
      if (d < 0) s.addDimBuilder().setDimParam("N");
      else s.addDimBuilder().setDimValue(d);
    }
    return ValueInfoProto.newBuilder().setName(name)
        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(s))).build();
  }

  static TensorProto floats(String name, long[] dims, float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : v) b.putFloat(x);
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1).setRawData(ByteString.copyFrom(b.array()));
    for (long d : dims) t.addDims(d);
    return t.build();
  }

  static TensorProto longs(String name, long[] dims, long... v) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(7);
    for (long d : dims) t.addDims(d);
    for (long x : v) t.addInt64Data(x);
    return t.build();
  }

  static ModelProto model(int opset, List<NodeProto> nodes, List<ValueInfoProto> inputs, List<String> outputs,
                          List<TensorProto> inits) {
    GraphProto.Builder g = GraphProto.newBuilder().setName("test").addAllNode(nodes).addAllInput(inputs).addAllInitializer(inits);
    for (String o : outputs) g.addOutput(ValueInfoProto.newBuilder().setName(o));
    return ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(g).build();
  }

  /** y = op(x) for a float input x of the given dims. */
  static ModelProto unary(String op, long[] dims, AttributeProto... attrs) {
    return model(13, List.of(node("n0", op, List.of("x"), List.of("y"), attrs)), List.of(value("x", 1, dims)), List.of("y"),
        List.of());
  }

  static AttributeProto ints(String name, long... v) {
    return OnnxExport.intsAttr(name, v);
  }

  static AttributeProto i(String name, long v) {
    return OnnxExport.intAttr(name, v);
  }

  static AttributeProto f(String name, float v) {
    return OnnxExport.floatAttr(name, v);
  }

  static AttributeProto tensor(String name, TensorProto t) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(t).build();
  }
}
