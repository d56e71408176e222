package org.neurite.text.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.neurite.testing.Errors.assertMessage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.nn.Seeds;

/** Broken or hostile translation model directories fail in one line that says what is wrong. */
class TranslatorFilesTest {
  @TempDir
  Path dir;

  private Path saved() throws IOException {
    var pairs = List.of(new ParallelCorpus.Pair(List.of("one"), List.of("eins")), new ParallelCorpus.Pair(List.of("two"), List.of("zwei")));
    Path d = dir.resolve("m");
    TranslatorTest.tiny(pairs, true, 1).save(d);
    return d;
  }

  private static void edit(Path d, java.util.function.Consumer<ObjectNode> change) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = (ObjectNode) json.readTree(d.resolve("config.json").toFile());
    change.accept(root);
    Files.writeString(d.resolve("config.json"), json.writeValueAsString(root));
  }

  @Test
  void aConfigWithoutItsConfigBlockSaysSo() throws IOException {
    Path d = saved();
    edit(d, r -> r.remove("config"));
    assertMessage(IOException.class, () -> Translator.load(d), "config.json", "expected a \"config\" object");
  }

  @Test
  void sizesThatDisagreeWithTheVocabulariesAreRefused() throws IOException {
    Path d = saved();
    edit(d, r -> ((ObjectNode) r.get("config")).put("sourceVocab", 200_000_000));
    assertMessage(IOException.class, () -> Translator.load(d), "config declares 200000000");
  }

  @Test
  void aHugeDeclaredModelFailsBeforeAllocating() throws IOException {
    Path d = saved();
    edit(d, r -> ((ObjectNode) r.get("config")).put("hidden", 1_000_000).put("embedDim", 1_000_000));
    assertMessage(IOException.class, () -> Translator.load(d), "more than 2^33 parameters");
    edit(d, r -> r.remove("metadata"));
    assertMessage(IOException.class, () -> Translator.load(d), "metadata.source_vocab", "found no tokens");
  }

  @Test
  void theBoundCoversWhatTheModelsBuild() {
    Seeds.set(1);
    for (var k : List.of(new Seq2Seq.Config(300, 400, 16, 32, true, true, 24, 1, 2),
        new Seq2Seq.Config(300, 400, 16, 32, false, false, 0, 1, 2, "lstm", "general"),
        new Seq2Seq.Config(300, 400, 16, 32, false, true, 24, 1, 2, "lstm", "dot"))) {
      long real = new Seq2Seq(k).module().parameterCount(), bound = Translator.parameterBound(k);
      assertEquals(real, bound, k.toString());
    }
    var t = new TransformerSeq2Seq.Config(300, 400, 32, 4, 64, 2, 2, 0f, false, false, 1, 2);
    long real = new TransformerSeq2Seq(t).module().parameterCount(), bound = Translator.parameterBound(t);
    assertEquals(real, bound, t.toString());
  }
}
