package org.neurite.text.word2vec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.neurite.testing.Errors.assertMessage;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The word2vec text and binary formats and GloVe text: round trips, gensim interoperability in both
 * directions (fixtures from tools/fixtures/make_w2v_fixtures.py), and the errors for damaged files.
 */
class Word2VecFormatTest {
  // Keep in sync with make_w2v_fixtures.py.
  static final List<String> WORDS = List.of("the", "king", "queen", "café", "naïve", "日本");
  static final float[] VECTORS = {
      0.1f, -0.2f, 0.3f, -0.4f, 0.5f,
      1.0f, 2.0f, 3.0f, 4.0f, 5.0f,
      -1.5f, 2.25f, -3.125f, 1e-7f, 123456.78f,
      0.0f, -0.0f, 1e-30f, -1e30f, 0.333333f,
      3.14159265f, 2.71828182f, -1.41421356f, 0.5772156649f, 1.6180339887f,
      7.0f, -7.0f, 0.007f, -700.0f, 7e-5f};
  static final Path FIXTURES = Path.of("src/test/resources/org/neurite/text/word2vec");

  @TempDir
  Path dir;

  static KeyedVectors fixture() {
    return KeyedVectors.of(WORDS, VECTORS, 5);
  }

  static void assertFixture(KeyedVectors kv) {
    assertEquals(WORDS, kv.words());
    assertEquals(5, kv.vectorSize());
    for (int i = 0; i < WORDS.size(); i++)
      assertArrayEquals(Arrays.copyOfRange(VECTORS, 5 * i, 5 * i + 5), kv.get(WORDS.get(i)), WORDS.get(i));
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = Word2VecFormatTest.class.getResourceAsStream(name)) {
      if (in == null) throw new IOException("missing test resource " + name);
      return in.readAllBytes();
    }
  }

  @Test
  void readsGensimWrittenFiles() throws IOException {
    Path txt = Files.write(dir.resolve("g.txt"), resource("gensim.txt"));
    Path bin = Files.write(dir.resolve("g.bin"), resource("gensim.bin"));
    assertFixture(Word2VecFormat.readText(txt));
    assertFixture(Word2VecFormat.readBinary(bin));
    assertFixture(KeyedVectors.load(txt));
    assertFixture(KeyedVectors.load(bin));
  }

  /** Neurite still writes the bytes that make_w2v_fixtures.py verified in gensim. */
  @Test
  void writesTheFilesGensimWasCheckedOn() throws IOException {
    for (String name : List.of("neurite.txt", "neurite.bin")) {
      Path p = dir.resolve(name);
      fixture().save(p, name.endsWith(".bin"));
      byte[] written = Files.readAllBytes(p);
      if (Boolean.getBoolean("neurite.fixtures.write")) {   // regenerate: mvn test -Dneurite.fixtures.write=true
        Files.write(FIXTURES.resolve(name), written);
        continue;
      }
      assertArrayEquals(resource(name), written, name + " differs from the committed fixture");
      assertFixture(KeyedVectors.load(p));
    }
  }

  /** When gensim is installed, it loads a file Neurite has just written. */
  @Test
  void gensimLoadsWhatNeuriteWrites() throws Exception {
    Path script = Path.of("../tools/fixtures/make_w2v_fixtures.py").toAbsolutePath().normalize();
    Assumptions.assumeTrue(Files.exists(script) && new File("/usr/bin/python3").canExecute(), "no python3 or fixture script");
    Process probe = new ProcessBuilder("/usr/bin/python3", "-c", "import gensim").redirectErrorStream(true).start();
    Assumptions.assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0, "gensim is not installed");
    for (boolean binary : new boolean[] {false, true}) {
      Path p = dir.resolve(binary ? "fresh.bin" : "fresh.txt");
      fixture().save(p, binary);
      var cmd = new java.util.ArrayList<>(List.of("/usr/bin/python3", script.toString(), "--check", p.toString()));
      if (binary) cmd.add("--binary");
      Process py = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(py.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(py.waitFor(120, TimeUnit.SECONDS), "gensim check timed out");
      assertEquals(0, py.exitValue(), out);
      assertTrue(out.contains("identical"), out);
    }
  }

  @Test
  void readsGlove() throws IOException {
    Path p = Files.writeString(dir.resolve("glove.txt"), "the 0.1 -0.2\nof 1 2\n\nand 3e-2 4\n");
    KeyedVectors kv = KeyedVectors.load(p);
    assertEquals(List.of("the", "of", "and"), kv.words());
    assertArrayEquals(new float[] {0.03f, 4f}, kv.get("and"));
  }

  @Test
  void writesAtomically() throws IOException {
    Path p = dir.resolve("v.bin");
    Files.writeString(p, "old");
    fixture().save(p, true);
    assertFixture(KeyedVectors.load(p));
    try (var files = Files.list(dir)) {
      assertEquals(List.of("v.bin"), files.map(f -> f.getFileName().toString()).toList(), "no temp file left");
    }
    assertMessage(IllegalArgumentException.class,
        () -> KeyedVectors.of(List.of("a b"), new float[] {1}, 1).save(dir.resolve("w.txt"), false), "\"a b\" contains whitespace");
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "a failed write leaves nothing behind");
    }
  }

  @Test
  void damagedFilesNameWhatWasExpected() throws IOException {
    Path full = dir.resolve("full.bin");
    fixture().save(full, true);
    byte[] b = Files.readAllBytes(full);
    Path cut = Files.write(dir.resolve("cut.bin"), Arrays.copyOf(b, b.length - 10));
    assertMessage(IOException.class, () -> Word2VecFormat.readBinary(cut),
        "truncated word2vec binary file", "6 vectors of 5 float32", "inside vector 6");
    Path cutText = Files.writeString(dir.resolve("cut.txt"), "3 2\na 1 2\nb 3 4\n");
    assertMessage(IOException.class, () -> Word2VecFormat.readText(cutText), "header promises 3 vectors", "ends after 2");
    Path shortRow = Files.writeString(dir.resolve("short.txt"), "2 3\na 1 2 3\nb 1 2\n");
    assertMessage(IOException.class, () -> KeyedVectors.load(shortRow), "line 3", "expected a word and 3 numbers, got 3 fields");
    Path badNumber = Files.writeString(dir.resolve("nan.txt"), "1 2\na 1 x2\n");
    assertMessage(IOException.class, () -> Word2VecFormat.readText(badNumber), "\"x2\" is not a number");
    Path noHeader = Files.writeString(dir.resolve("nohead.bin"), "");
    assertMessage(IOException.class, () -> Word2VecFormat.readBinary(noHeader), "expected a header line", "an empty file");
    assertMessage(IOException.class, () -> KeyedVectors.load(dir.resolve("missing.bin")), "missing.bin does not exist");
  }
}
