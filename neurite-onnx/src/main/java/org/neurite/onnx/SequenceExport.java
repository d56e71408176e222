package org.neurite.onnx;

import static org.neurite.onnx.OnnxExport.floatAttr;
import static org.neurite.onnx.OnnxExport.intAttr;
import static org.neurite.onnx.OnnxExport.intsAttr;

import java.util.ArrayList;
import java.util.List;
import org.neurite.nn.Activation;
import org.neurite.nn.AttentionPooling;
import org.neurite.nn.Bidirectional;
import org.neurite.nn.Dense;
import org.neurite.nn.Embedding;
import org.neurite.nn.GRU;
import org.neurite.nn.GlobalAvgPool1D;
import org.neurite.nn.LSTM;
import org.neurite.nn.LayerNorm;
import org.neurite.nn.Module;
import org.neurite.nn.MultiHeadAttention;
import org.neurite.nn.PositionTable;
import org.neurite.nn.PositionalEmbedding;
import org.neurite.nn.PositionalEncoding;
import org.neurite.nn.RecurrentLayer;
import org.neurite.nn.SimpleRNN;
import org.neurite.nn.TransformerEncoderLayer;
import org.neurite.onnx.OnnxExport.Emitter;
import org.neurite.onnx.proto.OnnxProto.AttributeProto;
import org.neurite.onnx.proto.OnnxProto.TensorProto;
import org.neurite.tensor.Tensor;

/**
 * Neurite's sequence layers as ONNX nodes, for {@link OnnxExport}: Embedding (Gather), LSTM/GRU/SimpleRNN
 * and Bidirectional (the LSTM, GRU and RNN operators), GlobalAvgPool1D, AttentionPooling, LayerNorm
 * (LayerNormalization, opset 17), the position layers, self-attention MultiHeadAttention and
 * TransformerEncoderLayer, all on {@code [N, T, F]} with T free. Not the layers' maths: that is in
 * {@code neurite-core}; this file only spells it in ONNX.
 *
 * <p>Padding masks are computed in the graph from the token ids ({@code ids != paddingIdx}): the
 * recurrent operators get {@code sequence_lens} (the number of real tokens), attention a bias of -1e9
 * on padded keys, and the poolings a masked mean or softmax. sequence_lens assumes right padding, as
 * PyTorch's packed sequences and {@code TextClassifier.encode}: a padding id before a real token is
 * skipped by Neurite but not by the exported recurrent layers.
 *
 * <p>Dropout inside the recurrent stacks and Transformer layers acts only in training and is not
 * exported; a Dropout layer is (as for image models).
 */
final class SequenceExport {
  private SequenceExport() {}

  /** Bias added to the scores of padded keys: exp(-1e9 - max) is 0 in float32, and a row of them stays finite. */
  private static final float MASKED = -1e9f;

  // ---------------------------------------------------------------- Embedding and the padding mask

  /** A padding mask {@code ids != pad}, its derived values made on first use (so unused ones add no nodes). */
  static final class Mask {
    final String ids;
    final int pad;
    String real, count, lens, any, bias;

    Mask(String ids, int pad) {
      this.ids = ids;
      this.pad = pad;
    }
  }

  // y[n, t] = weight[ids[n, t]]: Gather on axis 0 with int64 ids (Cast first if the ids arrive as floats).
  static String embedding(Emitter e, Embedding emb, String p, String base, String x) {
    String ids = x;
    if (!e.int64.contains(ids)) {
      ids = e.op("Cast", base, List.of(x), intAttr("to", DType.INT64.code));
      e.int64.add(ids);
    }
    e.embeddingIds = ids;
    return e.op("Gather", base, List.of(e.init(p + "weight"), ids), intAttr("axis", 0));
  }

  /** The mask an Embedding hands on (null without a padding index); called right after {@link #embedding}. */
  static Mask maskOf(Emitter e, Embedding emb) {
    Integer pad = emb.config().paddingIdx();
    return pad == null ? null : new Mask(e.embeddingIds, pad);
  }

  /** 1 for a real token, 0 for padding: {@code [N, T]} float. */
  private static String real(Emitter e, Mask m) {
    if (m.real == null) {
      String pad = e.constant(e.fresh("mask/pad_id"), Tensor.scalar(m.pad), DType.INT64);
      String eq = e.op("Equal", "mask/", List.of(m.ids, pad));
      String not = e.op("Not", "mask/", List.of(eq));
      m.real = e.op("Cast", "mask/", List.of(not), intAttr("to", DType.FLOAT.code));
    }
    return m.real;
  }

  /** Real tokens per sequence, {@code [N, 1]} float. */
  private static String count(Emitter e, Mask m) {
    if (m.count == null) m.count = e.op("ReduceSum", "mask/", List.of(real(e, m), e.ints(1)), intAttr("keepdims", 1));
    return m.count;
  }

  /** sequence_lens for the recurrent operators: {@code [N]} int32. */
  private static String lens(Emitter e, Mask m) {
    if (m.lens == null) {
      String sum = e.op("ReduceSum", "mask/", List.of(real(e, m), e.ints(1)), intAttr("keepdims", 0));
      m.lens = e.op("Cast", "mask/", List.of(sum), intAttr("to", DType.INT32.code));
    }
    return m.lens;
  }

  /** 1 where a sequence has a real token, 0 where it is all padding: {@code [N, 1]}. */
  private static String any(Emitter e, Mask m) {
    if (m.any == null) m.any = e.op("Min", "mask/", List.of(count(e, m), e.scalar("mask/one", 1f)));
    return m.any;
  }

  /** 0 for a real key, -1e9 for padding: {@code [N, T]}, added to attention scores. */
  private static String bias(Emitter e, Mask m) {
    if (m.bias == null) {
      String off = e.op("Sub", "mask/", List.of(real(e, m), e.scalar("mask/one", 1f)));
      m.bias = e.op("Mul", "mask/", List.of(off, e.scalar("mask/big", -MASKED)));
    }
    return m.bias;
  }

  // ---------------------------------------------------------------- recurrent layers

  /**
   * A stack of {@code layers} ONNX LSTM/GRU/RNN nodes, time-major inside ({@code [T, N, F]}, layout 0,
   * opset 13's only one). Parameters stay Neurite's (PyTorch's) tensors under their names; the gate
   * rows are reordered in the graph by a Gather: PyTorch's LSTM i, f, g, o is ONNX's i, o, f, c, and
   * GRU r, z, n is z, r, h (with linear_before_reset=1, PyTorch's candidate). B is
   * {@code [bias_ih; bias_hh]}. A Bidirectional is one node per layer with direction=bidirectional,
   * W[0] from forward_layer and W[1] from backward_layer.
   */
  static String recurrent(Emitter e, RecurrentLayer r, Bidirectional bi, String p, String base, String x) {
    String op = r instanceof LSTM ? "LSTM" : r instanceof GRU ? "GRU" : "RNN";
    int[] order = r instanceof LSTM ? new int[] {0, 3, 1, 2} : r instanceof GRU ? new int[] {1, 0, 2} : new int[] {0};
    int h = r.units(), g = order.length, dirs = bi == null ? 1 : 2;
    List<String> prefixes = bi == null ? List.of(p) : List.of(p + "forward_layer.", p + "backward_layer.");
    long[] rows = new long[g * h], rows2 = new long[2 * g * h];
    for (int k = 0; k < g; k++)
      for (int j = 0; j < h; j++) rows[k * h + j] = (long) order[k] * h + j;
    for (int i = 0; i < g * h; i++) {
      rows2[i] = rows[i];
      rows2[g * h + i] = g * h + rows[i];
    }
    String lens = e.mask == null ? null : lens(e, e.mask);
    String seq = e.op("Transpose", base, List.of(x), intsAttr("perm", 1, 0, 2));   // [T, N, F]
    String yh = null;
    for (int l = 0; l < r.layers(); l++) {
      List<String> ws = new ArrayList<>(), rs = new ArrayList<>(), bs = new ArrayList<>();
      for (String dp : prefixes) {
        ws.add(gateRows(e, base, e.init(dp + "weight_ih_l" + l), g, rows));
        rs.add(gateRows(e, base, e.init(dp + "weight_hh_l" + l), g, rows));
        String b = e.op("Concat", base, List.of(e.init(dp + "bias_ih_l" + l), e.init(dp + "bias_hh_l" + l)), intAttr("axis", 0));
        bs.add(gateRows(e, base, b, g, rows2));
      }
      String w = stack(e, base, ws, dirs, g * h, -1), rr = stack(e, base, rs, dirs, g * h, h), b = stack(e, base, bs, dirs, 2 * g * h);
      List<String> in = new ArrayList<>(List.of(seq, w, rr, b));
      if (lens != null) in.add(lens);
      String name = e.fresh(base + op + "_l" + l);
      List<String> outs = new ArrayList<>(List.of(name + "_Y", name + "_Y_h"));
      if (op.equals("LSTM")) outs.add(name + "_Y_c");
      var n = e.node(op, name, in, outs).addAttribute(intAttr("hidden_size", h))
          .addAttribute(strAttr("direction", dirs == 2 ? "bidirectional" : "forward"));
      if (op.equals("GRU")) n.addAttribute(intAttr("linear_before_reset", 1));
      if (r instanceof SimpleRNN s && s.config().activation() != Activation.TANH) {
        String act = s.config().activation() == Activation.RELU ? "Relu" : "Sigmoid";
        n.addAttribute(stringsAttr("activations", dirs == 2 ? new String[] {act, act} : new String[] {act}));
      }
      // Y [T, dirs, N, H] to [T, N, dirs*H]: the next layer's input (both directions concatenated, as Neurite)
      seq = dirs == 1 ? e.op("Squeeze", base, List.of(outs.get(0), e.ints(1)))
          : e.op("Reshape", base, List.of(e.op("Transpose", base, List.of(outs.get(0)), intsAttr("perm", 0, 2, 1, 3)), e.ints(0, 0, -1)));
      yh = outs.get(1);
    }
    if (r.returnSequences()) return e.op("Transpose", base, List.of(seq), intsAttr("perm", 1, 0, 2));   // [N, T, dirs*H]
    // The top layer's final state: Y_h [dirs, N, H] to [N, dirs*H]
    return dirs == 1 ? e.op("Squeeze", base, List.of(yh, e.ints(0)))
        : e.op("Reshape", base, List.of(e.op("Transpose", base, List.of(yh), intsAttr("perm", 1, 0, 2)), e.ints(0, -1)));
  }

  /** The rows of a gate-stacked tensor in ONNX's gate order (no node for a single gate). */
  private static String gateRows(Emitter e, String base, String t, int gates, long[] rows) {
    return gates == 1 ? t : e.op("Gather", base, List.of(t, e.ints(rows)), intAttr("axis", 0));
  }

  /** One tensor per direction to {@code [dirs, shape...]}. */
  private static String stack(Emitter e, String base, List<String> parts, int dirs, long... shape) {
    String cat = parts.size() == 1 ? parts.get(0) : e.op("Concat", base, parts, intAttr("axis", 0));
    long[] s = new long[shape.length + 1];
    s[0] = dirs;
    System.arraycopy(shape, 0, s, 1, shape.length);
    return e.op("Reshape", base, List.of(cat, e.ints(s)));
  }

  // ---------------------------------------------------------------- poolings over time

  // mean_t x, or with a mask sum_t x m / max(1, sum_t m) (zeros for a sequence with no real step).
  static String meanOverTime(Emitter e, String base, String x) {
    if (e.mask == null) return e.op("ReduceMean", base, List.of(x), intsAttr("axes", 1), intAttr("keepdims", 0));
    String m3 = e.op("Unsqueeze", base, List.of(real(e, e.mask), e.ints(2)));   // [N, T, 1]
    String sum = e.op("ReduceSum", base, List.of(e.op("Mul", base, List.of(x, m3)), e.ints(1)), intAttr("keepdims", 0));
    String atLeast1 = e.op("Max", base, List.of(count(e, e.mask), e.scalar(base + "one", 1f)));
    return e.op("Div", base, List.of(sum, atLeast1));
  }

  // scores = V(tanh(W2(h))) [N, T]; probs = softmax over T (padded steps 0); context = sum_t probs[t] h[t]
  static String attentionPooling(Emitter e, AttentionPooling a, String p, String base, String h, String at)
      throws OnnxException {
    Module w2 = a.children().get("W2"), v = a.children().get("V");
    String scores = e.layer(v, p + "V.", e.layer(w2, p + "W2.", h, at), at);             // [N, T, 1]
    scores = e.op("Squeeze", base, List.of(scores, e.ints(2)));                          // [N, T]
    if (e.mask != null) scores = e.op("Add", base, List.of(scores, bias(e, e.mask)));
    String probs = e.op("Softmax", base, List.of(scores), intAttr("axis", -1));
    if (e.mask != null) probs = e.op("Mul", base, List.of(probs, any(e, e.mask)));        // all padding: 0, as Neurite
    String ctx = e.op("MatMul", base, List.of(e.op("Unsqueeze", base, List.of(probs, e.ints(1))), h));   // [N, 1, H]
    return e.op("Squeeze", base, List.of(ctx, e.ints(1)));
  }

  // ---------------------------------------------------------------- normalisation and positions

  static String layerNorm(Emitter e, LayerNorm ln, String p, String base, String x) {
    e.opset = Math.max(e.opset, OnnxExport.OPSET_LAYER_NORM);
    return e.op("LayerNormalization", base, List.of(x, e.init(p + "weight"), e.init(p + "bias")), intAttr("axis", -1),
        floatAttr("epsilon", ln.config().eps()));
  }

  // x + table[:T]: T read from x's shape, so the graph takes any length up to maxLen.
  static String positions(Emitter e, PositionTable pt, String p, String base, String x) {
    String table;
    if (pt instanceof PositionalEmbedding) {
      table = e.init(p + "weight");
    } else {
      // A Constant node, not an initializer: the sinusoids are not trained (not in Neurite's state_dict either).
      int maxLen = pt.config().maxLen(), d = pt.inputShape()[1];
      table = e.fresh(base + "sinusoids");
      TensorProto t = TensorCodec.encode(table, PositionalEncoding.table(maxLen, d), DType.FLOAT);
      e.node("Constant", table, List.of(), table).addAttribute(
          AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(t).build());
    }
    String shape = e.op("Shape", base, List.of(x));
    String len = e.op("Slice", base, List.of(shape, e.ints(1), e.ints(2), e.ints(0)));   // [T]
    String rows = e.op("Slice", base, List.of(table, e.ints(0), len, e.ints(0)));          // [T, D]
    return e.op("Add", base, List.of(x, rows));
  }

  // ---------------------------------------------------------------- attention

  /**
   * Self-attention, PyTorch's nn.MultiheadAttention: qkv = x in_proj_weight^T + in_proj_bias; per head
   * softmax(q k^T / sqrt(d) + mask) v; heads concatenated; out_proj. A padded key gets -1e9, and a
   * sequence with no real key gives zeros (Neurite's all-masked rows).
   */
  static String selfAttention(Emitter e, MultiHeadAttention mha, String p, String base, String x, String at)
      throws OnnxException {
    var c = mha.config();
    int dm = c.dModel(), heads = c.heads(), hd = dm / heads;
    String wt = e.op("Transpose", base, List.of(e.init(p + "in_proj_weight")), intsAttr("perm", 1, 0));
    String qkv = e.op("Add", base, List.of(e.op("MatMul", base, List.of(x, wt)), e.init(p + "in_proj_bias")));   // [N, T, 3E]
    String split = e.fresh(base + "Split");
    List<String> parts = List.of(split + "_q", split + "_k", split + "_v");
    e.node("Split", split, List.of(qkv, e.ints(dm, dm, dm)), parts).addAttribute(intAttr("axis", 2));
    String[] qkvHeads = new String[3];
    for (int i = 0; i < 3; i++) {
      String r = e.op("Reshape", base, List.of(parts.get(i), e.ints(0, 0, heads, hd)));          // [N, T, h, d]
      qkvHeads[i] = e.op("Transpose", base, List.of(r), i == 1 ? intsAttr("perm", 0, 2, 3, 1) : intsAttr("perm", 0, 2, 1, 3));
    }
    String scores = e.op("MatMul", base, List.of(qkvHeads[0], qkvHeads[1]));                     // [N, h, T, T]
    scores = e.op("Mul", base, List.of(scores, e.scalar(base + "scale", (float) (1 / Math.sqrt(hd)))));
    if (e.mask != null)
      scores = e.op("Add", base, List.of(scores, e.op("Unsqueeze", base, List.of(bias(e, e.mask), e.ints(1, 2)))));
    String probs = e.op("Softmax", base, List.of(scores), intAttr("axis", -1));
    if (e.mask != null) probs = e.op("Mul", base, List.of(probs, e.op("Unsqueeze", base, List.of(any(e, e.mask), e.ints(2, 3)))));
    String o = e.op("MatMul", base, List.of(probs, qkvHeads[2]));                                 // [N, h, T, d]
    o = e.op("Reshape", base, List.of(e.op("Transpose", base, List.of(o), intsAttr("perm", 0, 2, 1, 3)), e.ints(0, 0, dm)));
    return e.layer(mha.children().get("out_proj"), p + "out_proj.", o, at);
  }

  // post-norm: x = norm1(x + sa(x)); x = norm2(x + ffn(x)).  pre-norm: x = x + sa(norm1(x)); x = x + ffn(norm2(x)).
  static String encoder(Emitter e, TransformerEncoderLayer t, String p, String base, String x, String at)
      throws OnnxException {
    var kids = t.children();
    var c = t.config();
    LayerNorm norm1 = (LayerNorm) kids.get("norm1"), norm2 = (LayerNorm) kids.get("norm2");
    MultiHeadAttention sa = (MultiHeadAttention) kids.get("self_attn");
    if (c.normFirst()) {
      x = e.op("Add", base, List.of(x, selfAttention(e, sa, p + "self_attn.", base, layerNorm(e, norm1, p + "norm1.", base, x), at)));
      return e.op("Add", base, List.of(x, feedForward(e, t, p, base, layerNorm(e, norm2, p + "norm2.", base, x), at)));
    }
    x = layerNorm(e, norm1, p + "norm1.", base, e.op("Add", base, List.of(x, selfAttention(e, sa, p + "self_attn.", base, x, at))));
    return layerNorm(e, norm2, p + "norm2.", base, e.op("Add", base, List.of(x, feedForward(e, t, p, base, x, at))));
  }

  // linear2(act(linear1(x)))
  private static String feedForward(Emitter e, TransformerEncoderLayer t, String p, String base, String x, String at)
      throws OnnxException {
    Dense l1 = (Dense) t.children().get("linear1"), l2 = (Dense) t.children().get("linear2");
    String h = e.activation(t.config().activation(), base, e.layer(l1, p + "linear1.", x, at), at);
    return e.layer(l2, p + "linear2.", h, at);
  }

  // ---------------------------------------------------------------- attributes

  private static AttributeProto strAttr(String name, String v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
        .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
  }

  private static AttributeProto stringsAttr(String name, String... v) {
    AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRINGS);
    for (String s : v) b.addStrings(com.google.protobuf.ByteString.copyFromUtf8(s));
    return b.build();
  }
}
