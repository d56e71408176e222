package org.neurite.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.neurite.testing.Errors.assertMessage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.autograd.GradMode;
import org.neurite.nn.AttentionPooling;
import org.neurite.nn.Bidirectional;
import org.neurite.nn.Dense;
import org.neurite.nn.Dropout;
import org.neurite.nn.Embedding;
import org.neurite.nn.GRU;
import org.neurite.nn.GlobalAvgPool1D;
import org.neurite.nn.LSTM;
import org.neurite.nn.LayerNorm;
import org.neurite.nn.Module;
import org.neurite.nn.MultiHeadAttention;
import org.neurite.nn.PositionalEmbedding;
import org.neurite.nn.PositionalEncoding;
import org.neurite.nn.Seeds;
import org.neurite.nn.Sequential;
import org.neurite.nn.SimpleRNN;
import org.neurite.nn.TransformerDecoderLayer;
import org.neurite.nn.TransformerEncoderLayer;
import org.neurite.onnx.proto.OnnxProto.ModelProto;
import org.neurite.onnx.proto.OnnxProto.TensorProto;
import org.neurite.testing.Golden;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * Export of the sequence layers, checked by importing the file again: the same outputs in evaluation
 * mode on right-padded token ids (full, partly padded and all-padding rows) and unpadded ones of
 * another length, the same parameter names; and the importer's sequence_lens on a graph small enough
 * to work out by hand. With {@code -Dneurite.onnx.exportDir=DIR} the exported files are kept there
 * (for {@code tools/onnx/check_models.py}).
 */
class SequenceExportTest {
  @TempDir
  Path tmp;

  private static final int VOCAB = 30;

  /** Right-padded ids [4, 7]: a full row, lengths 3 and 1, and a row of padding only. */
  private static Tensor paddedIds() {
    float[] v = {
        5, 3, 9, 12, 7, 2, 29,
        4, 8, 1, 0, 0, 0, 0,
        17, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0};
    return Tensor.of(v, 4, 7);
  }

  /** Ids [3, 5] without padding (another length than the model was built for). */
  private static Tensor fullIds() {
    Rng r = new Rng(5);
    float[] v = new float[15];
    for (int i = 0; i < v.length; i++) v[i] = 1 + (float) Math.floor(r.nextFloat() * (VOCAB - 1));
    return Tensor.of(v, 3, 5);
  }

  private static Tensor evalOut(Module m, Tensor x) {
    m.eval();
    try (var off = GradMode.off()) {
      return m.forward(x);
    }
  }

  /** Exports, re-imports and compares outputs on every input, and the parameter names. */
  private OnnxModel check(String what, Sequential s, int[] shape, Tensor... inputs) throws Exception {
    Path f = tmp.resolve("m.onnx");
    Onnx.export(s, shape, f);
    String keep = System.getProperty("neurite.onnx.exportDir");
    if (keep != null && !keep.isEmpty()) {
      Files.createDirectories(Path.of(keep));
      Files.copy(f, Path.of(keep, what + ".onnx"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    OnnxModel back = Onnx.load(f);
    assertEquals(s.namedParameters().keySet(), back.namedParameters().keySet(), what + ": state_dict names survive");
    for (Tensor x : inputs)
      Golden.assertClose(what + " on " + java.util.Arrays.toString(x.shape()), evalOut(s, x), evalOut(back, x), 1e-5, 1e-5);
    return back;
  }

  private static Embedding emb(int dim) {
    return new Embedding(VOCAB, dim).paddingIdx(0);
  }

  @Test
  void recurrentLayersRoundTripWithPadding() throws Exception {
    Seeds.set(31);
    check("lstm_stack", Sequential.of(emb(6), new LSTM(5).layers(2), new Dense(3).softmax()).input(7), new int[] {7},
        paddedIds(), fullIds());
    check("gru_mean", Sequential.of(emb(6), new GRU(5).returnSequences(true).layers(2), new GlobalAvgPool1D(), new Dense(3)).input(7),
        new int[] {7}, paddedIds(), fullIds());
    check("rnn_relu_sigmoid", Sequential.of(emb(6), new SimpleRNN(4).relu().returnSequences(true), new SimpleRNN(4).sigmoid(),
        new Dense(2)).input(7), new int[] {7}, paddedIds(), fullIds());
    check("bigru", Sequential.of(emb(6), new Bidirectional(new GRU(4)), new Dense(2)).input(7), new int[] {7},
        paddedIds(), fullIds());
    check("bilstm_stack_attention", Sequential.of(emb(6), new Bidirectional(new LSTM(4).returnSequences(true).layers(2)),
        new AttentionPooling(5), new Dropout(0.5f), new Dense(3).softmax()).input(7), new int[] {7}, paddedIds(), fullIds());
    check("birnn_sequences", Sequential.of(emb(6), new Bidirectional(new SimpleRNN(3).returnSequences(true)), new Dense(2)).input(7),
        new int[] {7}, paddedIds(), fullIds());
    // Without a padding index id 0 is a token like any other: no mask.
    check("lstm_no_padding_idx", Sequential.of(new Embedding(VOCAB, 6), new LSTM(4), new Dense(2)).input(7), new int[] {7},
        paddedIds(), fullIds());
  }

  @Test
  void transformerLayersRoundTripWithPadding() throws Exception {
    Seeds.set(32);
    OnnxModel back = check("transformer", Sequential.of(emb(8), new PositionalEmbedding(10), new TransformerEncoderLayer(8, 2, 16),
        new TransformerEncoderLayer(8, 4, 12).normFirst(true).gelu(), new GlobalAvgPool1D(), new Dense(3).softmax()).input(7),
        new int[] {7}, paddedIds(), fullIds());
    assertEquals(17, back.opset(), "LayerNormalization needs opset 17");
    check("mha_sequences", Sequential.of(emb(8), new PositionalEncoding(12), new MultiHeadAttention(8, 4), new LayerNorm(1e-3f),
        new AttentionPooling(4), new Dense(2)).input(7), new int[] {7}, paddedIds(), fullIds());
  }

  @Test
  void floatSequencesWithoutEmbedding() throws Exception {
    Seeds.set(33);
    Tensor x = Tensor.randn(new Rng(6), 3, 6, 4), shorter = Tensor.randn(new Rng(7), 2, 4, 4);
    OnnxModel back = check("float_lstm", Sequential.of(new LSTM(5).returnSequences(true), new Dense(2)).input(6, 4),
        new int[] {6, 4}, x, shorter);
    assertEquals(13, back.opset());
    check("float_transformer", Sequential.of(new PositionalEncoding(8), new TransformerEncoderLayer(4, 2, 8),
        new GlobalAvgPool1D()).input(6, 4), new int[] {6, 4}, x, shorter);
  }

  /** TextClassifier's three architectures (neurite-text's layer lists, sizes as there; neurite-onnx does not depend on it). */
  @Test
  void textClassifierArchitecturesExport() throws Exception {
    Seeds.set(34);
    int classes = 3, maxLen = 12;
    Sequential lstm = Sequential.of(emb(128), new LSTM(128), new Dropout(0.5f), new Dense(classes).softmax()).input(maxLen);
    Sequential bilstm = Sequential.of(emb(128), new Bidirectional(new LSTM(64).returnSequences(true)), new AttentionPooling(64),
        new Dropout(0.5f), new Dense(classes).softmax()).input(maxLen);
    Sequential transformer = Sequential.of(emb(64), new PositionalEmbedding(maxLen), new TransformerEncoderLayer(64, 4, 128),
        new TransformerEncoderLayer(64, 4, 128), new GlobalAvgPool1D(), new Dropout(0.3f), new Dense(classes).softmax()).input(maxLen);
    for (var c : Map.of("text_lstm", lstm, "text_bilstm_attention", bilstm, "text_transformer", transformer).entrySet())
      check(c.getKey(), c.getValue(), new int[] {maxLen}, paddedIds(), fullIds());
  }

  /** In training mode too: the re-imported recurrent and attention models give the same gradients, padding included. */
  @Test
  void reimportedSequenceModelsHaveTheSameGradients() throws Exception {
    Seeds.set(36);
    Sequential[] models = {
        Sequential.of(emb(6), new Bidirectional(new LSTM(4).returnSequences(true).layers(2)), new AttentionPooling(5), new Dense(3)).input(7),
        Sequential.of(emb(6), new GRU(5).returnSequences(true), new SimpleRNN(4), new Dense(3)).input(7),
        Sequential.of(emb(8), new PositionalEmbedding(7), new TransformerEncoderLayer(8, 2, 16).dropout(0f), new GlobalAvgPool1D(),
            new Dense(3)).input(7)};
    Tensor labels = Tensor.of(new float[] {0, 2, 1, 1}, 4);
    for (Sequential s : models) {
      Path f = tmp.resolve("g.onnx");
      Onnx.export(s, null, f);
      OnnxModel back = Onnx.load(f);
      for (Module m : List.of(s, back)) {
        m.train(true);
        m.zeroGrad();
        org.neurite.ops.Functional.crossEntropy(m.forward(paddedIds()), labels).backward();
      }
      for (var e : s.namedParameters().entrySet())
        Golden.assertClose(s + " " + e.getKey(), e.getValue().grad(), back.namedParameters().get(e.getKey()).grad(), 1e-5, 1e-4);
    }
  }

  @Test
  void tokenIdsAreInt64AndTheTimeAxisIsFree() throws Exception {
    Seeds.set(35);
    Path f = tmp.resolve("ids.onnx");
    Onnx.export(Sequential.of(emb(4), new GRU(3).returnSequences(true)).input(7), null, f);
    ModelProto m = Onnx.parse(Files.readAllBytes(f), f.toString());
    var in = m.getGraph().getInput(0).getType().getTensorType();
    assertEquals(DType.INT64.code, in.getElemType());
    assertEquals("T", in.getShape().getDim(1).getDimParam());
    assertEquals("T", m.getGraph().getOutput(0).getType().getTensorType().getShape().getDim(1).getDimParam());
    assertTrue(m.getGraph().getNodeList().stream().anyMatch(n -> n.getOpType().equals("GRU") && n.getInputCount() == 5),
        "the GRU gets sequence_lens");
  }

  @Test
  void layersWithoutAMappingAreNamed() {
    Sequential s = Sequential.of(emb(8), new TransformerDecoderLayer(8, 2, 16)).input(5);
    assertMessage(OnnxException.class, () -> Onnx.export(s, null, tmp.resolve("x.onnx")), "layers.1 TransformerDecoderLayer",
        "no ONNX mapping");
  }

  // ---------------------------------------------------------------- the importer's sequence_lens

  /**
   * A bidirectional Relu RNN with W = 1, R = 0.5 on x = 1 over 3 steps: h = 1, 1.5, 1.75 along each real
   * sequence. Lengths 3, 1 and 0: steps past a length output 0 and keep the state; the reverse direction
   * starts at each sequence's last real step.
   */
  @Test
  void importedRnnHonoursSequenceLens() throws Exception {
    OnnxModel m = Onnx.load(rnnWithLens().toByteArray());
    Tensor x = Tensor.ones(3, 3, 1);
    Map<String, Tensor> out = m.run(Map.of("x", x, "lens", Tensor.of(new float[] {3, 1, 0}, 3)));
    // Y [seq, dirs, batch, 1]
    float[] y = {
        1, 1, 0,   1.75f, 1, 0,
        1.5f, 0, 0, 1.5f, 0, 0,
        1.75f, 0, 0, 1, 0, 0};
    Golden.assertClose("Y", Tensor.of(y, 3, 2, 3, 1), out.get("y"), 0, 0);
    Golden.assertClose("Y_h", Tensor.of(new float[] {1.75f, 1, 0, 1.75f, 1, 0}, 2, 3, 1), out.get("yh"), 0, 0);
    assertMessage(IllegalArgumentException.class, () -> m.run(Map.of("x", x, "lens", Tensor.of(new float[] {3, 4, 0}, 3))),
        "sequence_lens[1] = 4.0", "[0, 3]");
  }

  private static ModelProto rnnWithLens() {
    TensorProto w = Graphs.floats("W", new long[] {2, 1, 1}, 1, 1), r = Graphs.floats("R", new long[] {2, 1, 1}, 0.5f, 0.5f);
    var act = org.neurite.onnx.proto.OnnxProto.AttributeProto.newBuilder().setName("activations")
        .setType(org.neurite.onnx.proto.OnnxProto.AttributeProto.AttributeType.STRINGS)
        .addStrings(com.google.protobuf.ByteString.copyFromUtf8("Relu")).addStrings(com.google.protobuf.ByteString.copyFromUtf8("Relu"))
        .build();
    var dir = org.neurite.onnx.proto.OnnxProto.AttributeProto.newBuilder().setName("direction")
        .setType(org.neurite.onnx.proto.OnnxProto.AttributeProto.AttributeType.STRING)
        .setS(com.google.protobuf.ByteString.copyFromUtf8("bidirectional")).build();
    return Graphs.model(13, List.of(Graphs.node("rnn", "RNN", List.of("x", "W", "R", "", "lens"), List.of("y", "yh"),
            Graphs.i("hidden_size", 1), act, dir)),
        List.of(Graphs.value("x", 1, 3, -1, 1), Graphs.value("lens", 6, -1)), List.of("y", "yh"), List.of(w, r));
  }
}
