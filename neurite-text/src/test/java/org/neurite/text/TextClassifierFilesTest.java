package org.neurite.text;

import static org.neurite.testing.Errors.assertMessage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.nn.Seeds;

/** A text model directory whose metadata contradicts its network fails in one line, not with an index error. */
class TextClassifierFilesTest {
  @TempDir
  Path dir;

  private Path saved() throws IOException {
    var data = TextClassificationData.of(List.of("pos", "neg"), List.of("good film", "bad film"));
    Vocabulary vocab = Vocabulary.builder().build(data.tokens());
    Seeds.set(1);
    Path d = dir.resolve("m");
    TextClassifier.create("lstm", vocab, data.labels(), 8, null).save(d);
    return d;
  }

  private static void classes(Path d, String... names) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = (ObjectNode) json.readTree(d.resolve("config.json").toFile());
    ArrayNode a = ((ObjectNode) root.get("metadata")).putArray("classes");
    for (String n : names) a.add(n);
    Files.writeString(d.resolve("config.json"), json.writeValueAsString(root));
  }

  @Test
  void noClassesOrTheWrongNumberOfClassesIsNamed() throws IOException {
    Path d = saved();
    TextClassifier.load(d);
    classes(d);
    assertMessage(IOException.class, () -> TextClassifier.load(d), "lists 0 classes", "at least 2");
    classes(d, "a", "b", "c");
    assertMessage(IOException.class, () -> TextClassifier.load(d), "gives [2] per text", "lists 3 classes");
  }
}
