package org.neurite.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.neurite.nn.Activation;
import org.neurite.nn.ActivationLayer;
import org.neurite.nn.AvgPool2D;
import org.neurite.nn.BatchNorm;
import org.neurite.nn.Conv2D;
import org.neurite.nn.Dense;
import org.neurite.nn.Dropout;
import org.neurite.nn.Embedding;
import org.neurite.nn.Flatten;
import org.neurite.nn.GlobalAvgPool2D;
import org.neurite.nn.Layer;
import org.neurite.nn.MaxPool2D;
import org.neurite.nn.Module;
import org.neurite.nn.Padding;
import org.neurite.nn.Pool2D;
import org.neurite.nn.Residual;
import org.neurite.nn.Sequential;
import org.neurite.onnx.proto.OnnxProto.AttributeProto;
import org.neurite.onnx.proto.OnnxProto.GraphProto;
import org.neurite.onnx.proto.OnnxProto.ModelProto;
import org.neurite.onnx.proto.OnnxProto.NodeProto;
import org.neurite.onnx.proto.OnnxProto.TensorShapeProto;
import org.neurite.onnx.proto.OnnxProto.TypeProto;
import org.neurite.onnx.proto.OnnxProto.ValueInfoProto;
import org.neurite.tensor.Tensor;

/**
 * Neurite {@link Sequential} models to ONNX (opset 13, IR 7; opset 17, IR 8 when a LayerNorm needs
 * LayerNormalization): one or a few nodes per layer, parameters as initializers under their state_dict
 * names ({@code layers.0.weight}), a symbolic batch axis "N". The image layers are here; the sequence
 * layers (Embedding, recurrent, attention, Transformer) are in {@link SequenceExport}. Layers without an
 * ONNX mapping are an error naming them.
 *
 * <p>A model whose first layer is an {@link Embedding} takes int64 token ids {@code [N, T]}; a model
 * with sequence layers has a symbolic time axis "T". Padding masks travel as in {@link Sequential}: an
 * Embedding with a padding index gives the later layers a mask computed in the graph from the ids.
 */
final class OnnxExport {
  static final int OPSET = 13, IR_VERSION = 7, OPSET_LAYER_NORM = 17, IR_VERSION_LAYER_NORM = 8;

  private OnnxExport() {}

  static ModelProto export(Module model, int[] inputShape) throws OnnxException {
    List<Module> layers;
    String prefix;
    if (model instanceof Sequential s) {
      if (!s.isBuilt()) {
        if (inputShape == null) throw new OnnxException("export: the model is not built; pass its per-sample input shape");
        s.input(inputShape);
      }
      layers = s.layers();
      prefix = "layers.";
    } else if (model instanceof Layer l) {
      if (!l.isBuilt()) {
        if (inputShape == null) throw new OnnxException("export: the layer is not built; pass its per-sample input shape");
        l.buildFor(inputShape);
      }
      layers = List.of(l);
      prefix = null;
    } else {
      throw new OnnxException("export: " + model + " (" + model.getClass().getSimpleName() + ") cannot be exported; "
          + "export supports Sequential models of built-in layers and imported OnnxModels");
    }
    if (inputShape != null && !java.util.Arrays.equals(inputShape, model.inputShape()))
      throw new OnnxException("export: the model is built for input " + java.util.Arrays.toString(model.inputShape())
          + " per sample, not " + java.util.Arrays.toString(inputShape));
    Emitter e = new Emitter();
    boolean ids = layers.get(0) instanceof Embedding;
    e.sequences = layers.stream().anyMatch(Exporters::isSequenceLayer);
    if (ids) e.int64.add("input");
    String x = e.walk(layers, prefix, "input", prefix == null ? null : "");
    // The last value is the graph output.
    NodeProto.Builder last = e.nodes.isEmpty() ? null : e.nodes.get(e.nodes.size() - 1);
    if (last != null && last.getOutputList().contains(x) && !x.equals("input")) {
      for (int k = 0; k < last.getOutputCount(); k++) if (last.getOutput(k).equals(x)) last.setOutput(k, "output");
    } else {
      e.node("Identity", "output_identity", List.of(x), "output");
    }
    GraphProto.Builder g = GraphProto.newBuilder().setName("neurite");
    for (NodeProto.Builder n : e.nodes) g.addNode(n);
    Map<String, Tensor> state = model.stateDict();
    for (String name : e.initializers) {
      Tensor t = state.get(name);
      if (t == null) t = e.extra.get(name);
      g.addInitializer(TensorCodec.encode(name, t, e.types.getOrDefault(name, DType.FLOAT)));
    }
    // With sequence layers the time axis (the first per-sample axis) is free: "T".
    g.addInput(valueInfo("input", ids ? DType.INT64 : DType.FLOAT, model.inputShape(), e.sequences));
    g.addOutput(valueInfo("output", DType.FLOAT, model.outputShape(), e.sequences && e.timed));
    boolean ln = e.opset >= OPSET_LAYER_NORM;
    return ModelProto.newBuilder().setIrVersion(ln ? IR_VERSION_LAYER_NORM : IR_VERSION).setProducerName("neurite")
        .setProducerVersion("0.1.0")
        .addOpsetImport(org.neurite.onnx.proto.OnnxProto.OperatorSetIdProto.newBuilder().setDomain("").setVersion(e.opset))
        .setGraph(g).build();
  }

  private static ValueInfoProto valueInfo(String name, DType type, int[] perSample, boolean freeTime) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    s.addDimBuilder().setDimParam("N");
    for (int i = 0; i < perSample.length; i++)
      if (i == 0 && freeTime) s.addDimBuilder().setDimParam("T");
      else s.addDimBuilder().setDimValue(perSample[i]);
    return ValueInfoProto.newBuilder().setName(name)
        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.code).setShape(s)))
        .build();
  }

  /** Collects nodes and initializer names while walking the layers. */
  static final class Emitter {
    final List<NodeProto.Builder> nodes = new ArrayList<>();
    final List<String> initializers = new ArrayList<>();
    final Map<String, Tensor> extra = new java.util.LinkedHashMap<>();
    final Map<String, DType> types = new java.util.HashMap<>();
    final Map<String, String> intConstants = new java.util.HashMap<>();
    /** Values known to hold int64 (token ids). */
    final java.util.Set<String> int64 = new java.util.HashSet<>();
    int counter;
    int opset = OPSET;
    /** Whether the model has sequence layers (a symbolic time axis); whether the current value still has it. */
    boolean sequences, timed = true;
    /** The padding mask in force for MaskAware layers, or null. */
    SequenceExport.Mask mask;
    /** The int64 ids the last Embedding read (its mask's source). */
    String embeddingIds;

    String fresh(String base) {
      return base + "_" + counter++;
    }

    NodeProto.Builder node(String op, String name, List<String> in, String out) {
      NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addOutput(out);
      nodes.add(n);
      return n;
    }

    /** A node with several outputs. */
    NodeProto.Builder node(String op, String name, List<String> in, List<String> outs) {
      NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addAllOutput(outs);
      nodes.add(n);
      return n;
    }

    /** A one-output node named and valued after {@code base + op}; returns its output. */
    String op(String op, String base, List<String> in, AttributeProto... attrs) {
      String y = fresh(base + op);
      NodeProto.Builder n = node(op, y, in, y);
      for (AttributeProto a : attrs) n.addAttribute(a);
      return y;
    }

    String init(String name) {
      initializers.add(name);
      return name;
    }

    String constant(String name, Tensor t) {
      extra.put(name, t);
      return init(name);
    }

    String constant(String name, Tensor t, DType type) {
      types.put(name, type);
      return constant(name, t);
    }

    /**
     * A float scalar as a Constant node: an initializer that Add or Mul reads would import as a trainable
     * parameter, with a name Neurite's model does not have.
     */
    String scalar(String base, float v) {
      String y = fresh(base + "const");
      node("Constant", y, List.of(), y).addAttribute(AttributeProto.newBuilder().setName("value")
          .setType(AttributeProto.AttributeType.TENSOR).setT(TensorCodec.encode(y, Tensor.scalar(v), DType.FLOAT)).build());
      return y;
    }

    /** A shared int64 vector initializer (axes, shapes, split sizes, gather indices). */
    String ints(long... v) {
      String key = java.util.Arrays.toString(v);
      String name = intConstants.get(key);
      if (name == null) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = v[i];
        name = constant(fresh("const_ints"), Tensor.of(f, v.length), DType.INT64);
        intConstants.put(key, name);
      }
      return name;
    }

    /**
     * Layers in order, as {@link Sequential#forward}: a mask from an Embedding with a padding index goes
     * to the later layers until the time axis is gone. {@code prefix} is "layers." (or a branch's
     * prefix), null for a lone layer; {@code where} prefixes error locations.
     */
    String walk(List<Module> layers, String prefix, String x, String where) throws OnnxException {
      for (int i = 0; i < layers.size(); i++) {
        Module m = layers.get(i);
        String p = prefix == null ? "" : prefix + i + ".";
        String at = prefix == null ? m.toString() : where + prefix + i + " " + m;
        x = layer(m, p, x, at);
        if (m instanceof Embedding emb) mask = SequenceExport.maskOf(this, emb);
        else if (!m.keepsTimeAxis()) mask = null;   // the time axis is gone
        if (m.outputShape().length < m.inputShape().length) timed = false;
      }
      return x;
    }

    String layer(Module m, String p, String x, String at) throws OnnxException {
      String base = p.isEmpty() ? "" : p.substring(0, p.length() - 1) + "/";
      Exporters.Entry<?> entry = Exporters.of(m);
      if (entry == null)
        throw new OnnxException("export: " + at + " (" + m.getClass().getSimpleName() + ") has no ONNX mapping yet; exportable layers: "
            + Exporters.names());
      return entry.export(this, m, p, base, x, at);
    }

    String dense(Dense d, String p, String base, String x, String at) throws OnnxException {
      var c = d.config();
      String y = fresh(base + "Dense");
      if (d.inputShape().length == 1) {
        List<String> in = new ArrayList<>(List.of(x, init(p + "weight")));
        if (c.useBias()) in.add(init(p + "bias"));
        node("Gemm", base + "Gemm", in, y).addAttribute(intAttr("transB", 1));
      } else {
        String wt = fresh(base + "weight_t");
        node("Transpose", base + "Transpose", List.of(init(p + "weight")), wt).addAttribute(intsAttr("perm", 1, 0));
        String mm = c.useBias() ? fresh(base + "MatMul") : y;
        node("MatMul", base + "MatMul", List.of(x, wt), mm);
        if (c.useBias()) node("Add", base + "Add", List.of(mm, init(p + "bias")), y);
      }
      return activation(c.activation(), base, y, at);
    }

    String conv(Conv2D conv, String p, String base, String x, String at) throws OnnxException {
      var c = conv.config();
      int pad = c.paddingSize();
      List<String> in = new ArrayList<>(List.of(x, init(p + "weight")));
      if (c.useBias()) in.add(init(p + "bias"));
      String y = fresh(base + "Conv");
      node("Conv", base + "Conv", in, y).addAttribute(intsAttr("kernel_shape", c.kernelSize(), c.kernelSize()))
          .addAttribute(intsAttr("strides", c.stride(), c.stride()))
          .addAttribute(intsAttr("dilations", c.dilation(), c.dilation()))
          .addAttribute(intsAttr("pads", pad, pad, pad, pad)).addAttribute(intAttr("group", c.groups()));
      return activation(c.activation(), base, y, at);
    }

    String pool(Pool2D pool, String p, String base, String x, String at) {
      var c = pool.config();
      int pad = c.padding() == Padding.SAME ? c.poolSize() / 2 : 0;
      String op = pool instanceof MaxPool2D ? "MaxPool" : "AveragePool";
      String y = fresh(base + op);
      NodeProto.Builder n = node(op, base + op, List.of(x), y)
          .addAttribute(intsAttr("kernel_shape", c.poolSize(), c.poolSize()))
          .addAttribute(intsAttr("strides", c.stride(), c.stride())).addAttribute(intsAttr("pads", pad, pad, pad, pad));
      if (pool instanceof AvgPool2D) n.addAttribute(intAttr("count_include_pad", 0));   // Keras: padded cells do not count
      return y;
    }

    String flatten(Flatten f, String p, String base, String x, String at) {
      String y = fresh(base + "Flatten");
      node("Flatten", base + "Flatten", List.of(x), y).addAttribute(intAttr("axis", 1));
      return y;
    }

    String dropout(Dropout d, String p, String base, String x, String at) {
      String y = fresh(base + "Dropout");
      node("Dropout", base + "Dropout", List.of(x, constant(p + "ratio", Tensor.scalar(d.config().rate()))), y);
      return y;
    }

    String batchNorm(BatchNorm b, String p, String base, String x, String at) {
      var c = b.config();
      String y = fresh(base + "BatchNormalization");
      node("BatchNormalization", base + "BatchNormalization",
          List.of(x, init(p + "weight"), init(p + "bias"), init(p + "running_mean"), init(p + "running_var")), y)
          .addAttribute(floatAttr("epsilon", c.eps())).addAttribute(floatAttr("momentum", 1f - c.momentum()));
      return y;
    }

    String globalAvgPool(GlobalAvgPool2D g, String p, String base, String x, String at) {
      String y = fresh(base + "ReduceMean");
      node("ReduceMean", base + "ReduceMean", List.of(x), y).addAttribute(intsAttr("axes", 2, 3))
          .addAttribute(intAttr("keepdims", 0));
      return y;
    }

    String activationLayer(ActivationLayer a, String p, String base, String x, String at) throws OnnxException {
      return activation(a.activation(), base, x, at);
    }

    String residual(Residual r, String p, String base, String x, String at) throws OnnxException {
      String y = branch(r.body(), p + "body.layers.", x, at);
      String side = r.shortcut() == null ? x : branch(r.shortcut(), p + "shortcut.layers.", x, at);
      String sum = fresh(base + "Add");
      node("Add", base + "Add", List.of(y, side), sum);
      return activation(r.activation(), base, sum, at);
    }

    private String branch(Sequential s, String prefix, String x, String at) throws OnnxException {
      SequenceExport.Mask outer = mask;
      boolean outerTimed = timed;
      mask = null;   // a branch is its own Sequential: masks do not enter it
      x = walk(s.layers(), prefix, x, at + " ");
      mask = outer;
      timed = outerTimed;
      return x;
    }

    String activation(Activation a, String base, String x, String at) throws OnnxException {
      String op = switch (a) {
        case LINEAR -> null;
        case RELU -> "Relu";
        case RELU6 -> "Clip";
        case SIGMOID -> "Sigmoid";
        case TANH -> "Tanh";
        case SOFTPLUS -> "Softplus";
        case SOFTMAX -> "Softmax";
        case LOG_SOFTMAX -> "LogSoftmax";
        case GELU -> "Gelu";
      };
      if (op == null) return x;
      if (op.equals("Gelu")) {
        // Gelu is an operator only from opset 20: 0.5 x (1 + erf(x / sqrt 2))
        String d = fresh(base + "gelu_div"), e = fresh(base + "gelu_erf"), s = fresh(base + "gelu_add"),
            m = fresh(base + "gelu_mul"), y = fresh(base + "gelu");
        String sqrt2 = scalar(base + "gelu_sqrt2", (float) Math.sqrt(2)), one = scalar(base + "gelu_one", 1f),
            half = scalar(base + "gelu_half", 0.5f);
        node("Div", base + "gelu/Div", List.of(x, sqrt2), d);
        node("Erf", base + "gelu/Erf", List.of(d), e);
        node("Add", base + "gelu/Add", List.of(e, one), s);
        node("Mul", base + "gelu/Mul", List.of(x, s), m);
        node("Mul", base + "gelu/Mul_1", List.of(m, half), y);
        return y;
      }
      String y = fresh(base + op);
      List<String> in = op.equals("Clip")
          ? List.of(x, constant(fresh(base + "clip_min"), Tensor.scalar(0f)), constant(fresh(base + "clip_max"), Tensor.scalar(6f)))
          : List.of(x);
      NodeProto.Builder n = node(op, base + op, in, y);
      if (op.endsWith("Softmax")) n.addAttribute(intAttr("axis", -1));
      return y;
    }
  }

  static AttributeProto intAttr(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
  }

  static AttributeProto floatAttr(String name, float v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
  }

  static AttributeProto intsAttr(String name, long... v) {
    AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long x : v) b.addInts(x);
    return b.build();
  }
}
