package org.neurite.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.autograd.GradMode;
import org.neurite.nn.AttentionPooling;
import org.neurite.nn.Bidirectional;
import org.neurite.nn.Dense;
import org.neurite.nn.Embedding;
import org.neurite.nn.GRU;
import org.neurite.nn.GlobalAvgPool1D;
import org.neurite.nn.LSTM;
import org.neurite.nn.LayerNorm;
import org.neurite.nn.PositionalEmbedding;
import org.neurite.nn.PositionalEncoding;
import org.neurite.nn.Seeds;
import org.neurite.nn.Sequential;
import org.neurite.nn.SimpleRNN;
import org.neurite.nn.TransformerEncoderLayer;
import org.neurite.tensor.Tensor;

/** Text models (embeddings, recurrent and attention layers) save, load and predict as before. */
class SequenceModelFilesTest {
  @TempDir
  Path dir;

  /** Ids [3, 7] with right padding (0) so the masks matter. */
  private static Tensor ids() {
    return Tensor.of(new float[] {
        5, 9, 2, 7, 3, 0, 0,
        1, 4, 4, 8, 6, 2, 3,
        9, 0, 0, 0, 0, 0, 0}, 3, 7);
  }

  private void roundTrip(Sequential model) throws IOException {
    model.eval();
    Tensor before;
    try (var off = GradMode.off()) {
      before = model.forward(ids());
    }
    ModelFiles.save(model, dir.resolve("m"));
    Sequential back = ModelFiles.load(dir.resolve("m"));
    assertEquals(model.toString(), back.toString());
    assertEquals(model.stateDict().keySet(), back.stateDict().keySet());
    for (var e : model.stateDict().entrySet())   // the round trip itself: every weight bit for bit
      assertArrayEquals(e.getValue().toArray(), back.stateDict().get(e.getKey()).toArray(), 0f, e.getKey());
    back.eval();
    try (var off = GradMode.off()) {
      // Same weights, same input; only the summation order may differ, when the JIT has compiled a
      // kernel's lane reduction between the two passes (seen once: 1 ulp under heavy load).
      assertArrayEquals(before.data(), back.forward(ids()).data(), 1e-6f);
    }
  }

  @Test
  void bilstmWithAttentionPooling() throws IOException {
    Seeds.set(1);
    roundTrip(Sequential.of(new Embedding(10, 6).paddingIdx(0), new Bidirectional(new LSTM(5).returnSequences(true)),
        new AttentionPooling(4), new Dense(3).softmax()).input(7));
  }

  @Test
  void stackedGruAndSimpleRnn() throws IOException {
    Seeds.set(2);
    roundTrip(Sequential.of(new Embedding(10, 6).paddingIdx(0), new GRU(5).layers(2).dropout(0.2f).returnSequences(true),
        new SimpleRNN(4).sigmoid(), new Dense(2)).input(7));
  }

  @Test
  void transformerEncoder() throws IOException {
    Seeds.set(3);
    roundTrip(Sequential.of(new Embedding(10, 8).paddingIdx(0), new PositionalEmbedding(7), new PositionalEncoding(7),
        new TransformerEncoderLayer(8, 2, 16).dropout(0.1f).normFirst(true).gelu(), new LayerNorm(), new GlobalAvgPool1D(),
        new Dense(2).softmax()).input(7));
  }

  @Test
  void aBadSequenceConfigIsAClearError() throws IOException {
    Seeds.set(4);
    Sequential m = Sequential.of(new Embedding(10, 6), new LSTM(5), new Dense(2)).input(7);
    ModelFiles.save(m, dir.resolve("m"));
    Path cfg = dir.resolve("m").resolve(ModelFiles.CONFIG);
    Files.writeString(cfg, Files.readString(cfg).replace("\"units\" : 5", "\"units\" : \"many\""));
    IOException e = assertThrows(IOException.class, () -> ModelFiles.load(dir.resolve("m")));
    assertTrue(e.getMessage().contains("layers.1") && e.getMessage().contains("LSTM"), e.getMessage());
  }
}
