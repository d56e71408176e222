package org.neurite.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.neurite.testing.Errors.assertMessage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.nn.AttentionPooling;
import org.neurite.nn.Bidirectional;
import org.neurite.nn.Dense;
import org.neurite.nn.Embedding;
import org.neurite.nn.GRU;
import org.neurite.nn.GlobalAvgPool1D;
import org.neurite.nn.LSTM;
import org.neurite.nn.LayerNorm;
import org.neurite.nn.MultiHeadAttention;
import org.neurite.nn.PositionalEmbedding;
import org.neurite.nn.Seeds;
import org.neurite.nn.Sequential;
import org.neurite.nn.TransformerEncoderLayer;

/**
 * The parameter estimate that guards the heap before a config is built is exact for every saveable
 * sequence layer: a config cannot declare a 2e8-position table that the estimate does not see.
 */
class EstimateTest {
  @TempDir
  Path dir;

  private static long estimate(Sequential m) {
    return ModelFiles.estimateParameters(ModelFiles.config(m));
  }

  @Test
  void recurrentStacksAndBidirectionalLayersAreCountedExactly() {
    Seeds.set(1);
    Sequential m = Sequential.of(new Embedding(500, 24), new LSTM(20).layers(2).returnSequences(true),
        new Bidirectional(new GRU(12).returnSequences(true)), new AttentionPooling(9), new Dense(3)).input(15);
    assertEquals(m.parameterCount(), estimate(m));
    Sequential last = Sequential.of(new Embedding(100, 8), new Bidirectional(new LSTM(6).layers(3)), new Dense(2)).input(7);
    assertEquals(last.parameterCount(), estimate(last));
  }

  @Test
  void attentionAndTransformerLayersAreCountedExactly() {
    Seeds.set(1);
    Sequential m = Sequential.of(new Embedding(300, 32), new PositionalEmbedding(40), new TransformerEncoderLayer(32, 4, 64),
        new MultiHeadAttention(32, 4), new LayerNorm(), new GlobalAvgPool1D(), new Dense(5)).input(40);
    assertEquals(m.parameterCount(), estimate(m));
  }

  @Test
  void aConfigDeclaringAHugePositionTableFailsBeforeBuilding() throws IOException {
    Path m = Files.createDirectories(dir.resolve("pe"));
    Files.writeString(m.resolve("config.json"), "{\"format_version\":1,\"class\":\"Sequential\",\"input_shape\":[10],"
        + "\"layers\":[{\"class\":\"Embedding\",\"config\":{\"vocab\":10,\"dim\":64,\"padding_idx\":null,\"frozen\":false}},"
        + "{\"class\":\"PositionalEmbedding\",\"config\":{\"max_len\":60000000}}]}");
    Files.write(m.resolve("model.safetensors"), new byte[] {2, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
    assertMessage(IOException.class, () -> ModelFiles.load(m), "config.json", "3840000640 parameters", "-Xmx");
  }

  @Test
  void aConfigOfMoreLayersThanAnyNetworkHasIsRefused() throws IOException {
    Path m = Files.createDirectories(dir.resolve("deep"));
    String flat = "{\"class\":\"Flatten\",\"config\":{}},";
    String layers = flat.repeat(ModelFiles.MAX_LAYERS + 1);
    Files.writeString(m.resolve("config.json"), "{\"format_version\":1,\"class\":\"Sequential\",\"input_shape\":[3],\"layers\":["
        + layers.substring(0, layers.length() - 1) + "]}");
    Files.write(m.resolve("model.safetensors"), new byte[] {2, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
    assertMessage(IOException.class, () -> ModelFiles.load(m), "10001 layers", "at most 10000");
  }
}
