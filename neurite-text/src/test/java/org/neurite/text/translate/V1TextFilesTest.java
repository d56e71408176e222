package org.neurite.text.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.neurite.text.TextClassifier;

/**
 * Text models written by format_version 1 (frozen in src/test/resources/org/neurite/text/v1 by the code
 * of commit 89ed704, before the shared versioned writer) keep loading and answer as they did then.
 */
class V1TextFilesTest {
  static Path fixture(String name) throws Exception {
    return Path.of(V1TextFilesTest.class.getResource("/org/neurite/text/v1/" + name).toURI());
  }

  @Test
  void aVersion1TranslatorTranslatesAsItDid() throws Exception {
    Translator.Translation t = Translator.load(fixture("translator")).translate("one two");
    assertEquals("eins zwei", t.text());
    assertEquals(-0.27045, t.score(), 1e-4);
    Translator.Translation tt = Translator.load(fixture("transformer-translator")).translate("one two");
    assertEquals("zwei zwei zwei zwei zwei", tt.text());
    assertEquals(-2.79034, tt.score(), 1e-4);
  }

  @Test
  void translatorsWriteThroughTheSharedVersionedWriter(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Translator.load(fixture("translator")).save(dir.resolve("t"));
    Path cfg = dir.resolve("t").resolve("config.json");
    String text = java.nio.file.Files.readString(cfg);
    assertEquals(true, text.startsWith("{\n  \"format_version\" : " + org.neurite.io.ModelFiles.FORMAT_VERSION + ","), text);
    assertEquals("eins zwei", Translator.load(dir.resolve("t")).translate("one two").text());
    java.nio.file.Files.writeString(cfg, text.replaceFirst("\"format_version\" : \\d+", "\"format_version\" : 99"));
    org.neurite.testing.Errors.assertMessage(java.io.IOException.class, () -> Translator.load(dir.resolve("t")),
        "format_version 99 is not supported", "reads 1..");
  }

  @Test
  void aVersion1TextClassifierClassifiesAsItDid() throws Exception {
    TextClassifier.Prediction p = TextClassifier.load(fixture("text-classifier")).classify("good film");
    assertEquals("pos", p.label());
    assertEquals(0.573f, p.probabilities().get("pos"), 1e-3f);
  }
}
