package org.neurite.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabularyTest {
  @TempDir Path dir;

  // counts: a 4, b 3, c 3, d 2, e 1
  private static final List<List<String>> DOCS = List.of(
      List.of("a", "b", "c", "a"), List.of("c", "b", "a", "d"), List.of("e", "a", "b", "c", "d"));

  @Test
  void mostFrequentFirstAfterSpecials() {
    Vocabulary v = Vocabulary.builder().build(DOCS);
    assertEquals(List.of("<pad>", "<unk>", "a", "b", "c", "d", "e"), v.tokens());
    assertEquals(0, v.pad());
    assertEquals(1, v.unk());
    assertEquals(-1, v.bos());
    assertEquals(2, v.specials());
    assertEquals(7, v.size());
    assertEquals("Vocabulary(7 tokens, specials [<pad>, <unk>])", v.toString());
  }

  @Test
  void tiesAreBrokenByTokenOrderWhateverTheInputOrder() {
    List<List<String>> reversed = new ArrayList<>();
    for (List<String> d : DOCS) {
      List<String> r = new ArrayList<>(d);
      Collections.reverse(r);
      reversed.add(0, r);
    }
    Vocabulary v = Vocabulary.builder().build(DOCS), w = Vocabulary.builder().build(reversed);
    assertEquals(v, w);
    assertEquals(3, v.indexOf("b"));   // b and c both seen 3 times: b first
    assertEquals(4, v.indexOf("c"));
  }

  @Test
  void minCountAndMaxSize() {
    assertEquals(List.of("<pad>", "<unk>", "a", "b", "c"), Vocabulary.builder().minCount(3).build(DOCS).tokens());
    // maxSize counts the specials: 4 entries leave room for a and b
    assertEquals(List.of("<pad>", "<unk>", "a", "b"), Vocabulary.builder().maxSize(4).build(DOCS).tokens());
    assertEquals(List.of("<pad>", "<unk>"), Vocabulary.builder().minCount(10).build(DOCS).tokens());
    var e = assertThrows(IllegalArgumentException.class, () -> Vocabulary.builder().maxSize(1).build(DOCS));
    assertEquals("Vocabulary: maxSize (1) must be >= the 2 special tokens [<pad>, <unk>] (0: no limit)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Vocabulary.builder().minCount(0));
    assertEquals("Vocabulary: minCount (0) must be >= 1", e.getMessage());
  }

  @Test
  void specialsAreConfigurable() {
    Vocabulary v = Vocabulary.builder().bos(true).eos(true).build(DOCS);
    assertEquals(List.of("<pad>", "<unk>", "<bos>", "<eos>", "a"), v.tokens().subList(0, 5));
    assertEquals(2, v.bos());
    assertEquals(3, v.eos());
    assertArrayEquals(new int[] {2, 4, 1, 3}, v.encode(List.of("a", "zzz"), true));
    assertArrayEquals(new int[] {4, 1}, v.encode(List.of("a", "zzz")));

    Vocabulary noUnk = Vocabulary.builder().unk(false).eos(true).build(DOCS);
    assertEquals(List.of("<pad>", "<eos>", "a"), noUnk.tokens().subList(0, 3));
    assertEquals(-1, noUnk.unk());
    assertEquals(1, noUnk.eos());
    // without UNK, unknown tokens are skipped (Keras' Tokenizer without oov_token)
    assertArrayEquals(new int[] {2, 3}, noUnk.encode(List.of("a", "zzz", "b")));
  }

  @Test
  void aCorpusTokenSpelledLikeASpecialGetsNoIdOfItsOwn() {
    Vocabulary v = Vocabulary.builder().build(List.of(List.of("<unk>", "<bos>", "x")));
    assertEquals(List.of("<pad>", "<unk>", "x"), v.tokens());
    assertArrayEquals(new int[] {1, 1, 2}, v.encode(List.of("<unk>", "<bos>", "x")));
  }

  @Test
  void encodeAndDecode() {
    Vocabulary v = Vocabulary.builder().build(DOCS);
    int[] ids = v.encode(List.of("a", "never-seen", "e"));
    assertArrayEquals(new int[] {2, 1, 6}, ids);
    assertEquals(List.of("a", "<unk>", "e"), v.decode(new int[] {2, 1, 6, 0, 0}));
    assertEquals(1, v.id("never-seen"));
    assertEquals(-1, v.indexOf("never-seen"));
    assertEquals("c", v.token(4));
    var e = assertThrows(IndexOutOfBoundsException.class, () -> v.decode(new int[] {7}));
    assertEquals("Vocabulary: id 7 out of range [0, 7)", e.getMessage());
  }

  @Test
  void saveLoadRoundTrip() throws IOException {
    Vocabulary v = Vocabulary.builder().bos(true).build(List.of(List.of("héllo", "世", "don't", "héllo")));
    Path f = dir.resolve("sub/vocab.txt");
    v.save(f);
    assertEquals("<pad>\n<unk>\n<bos>\nhéllo\ndon't\n世\n", Files.readString(f, StandardCharsets.UTF_8));
    Vocabulary w = Vocabulary.load(f);
    assertEquals(v, w);
    assertEquals(v.tokens(), w.tokens());
    assertEquals(2, w.bos());
    assertEquals(-1, w.eos());
    try (var s = Files.list(f.getParent())) {
      assertEquals(1, s.count(), "no temp file left beside the vocabulary");
    }
  }

  @Test
  void corruptFilesAreClearErrors() throws IOException {
    Path f = dir.resolve("v.txt");
    Files.writeString(f, "");
    var e = assertThrows(IOException.class, () -> Vocabulary.load(f));
    assertEquals(f + ": expected a vocabulary (one token per line, <pad> first), found an empty file", e.getMessage());

    Files.writeString(f, "<pad>\n<unk>\nthe\n\nfilm\n");
    e = assertThrows(IOException.class, () -> Vocabulary.load(f));
    assertEquals(f + ":4: expected a token, found an empty line; the file is not a saved vocabulary", e.getMessage());

    Files.writeString(f, "the\nfilm\n");
    e = assertThrows(IOException.class, () -> Vocabulary.load(f));
    assertEquals(f + ": expected <pad> as the first token (id 0), found \"the\" (a corrupt or foreign vocabulary file?)", e.getMessage());

    Files.writeString(f, "<pad>\n<unk>\nthe\nfilm\nthe\n");
    e = assertThrows(IOException.class, () -> Vocabulary.load(f));
    assertEquals(f + ": token \"the\" appears twice (ids 2 and 4) (a corrupt or foreign vocabulary file?)", e.getMessage());

    Files.writeString(f, "<pad>\nthe\n<unk>\n");
    e = assertThrows(IOException.class, () -> Vocabulary.load(f));
    assertTrue(e.getMessage().startsWith(f + ": special token <unk> at id 2; expected the specials first"), e.getMessage());

    Files.write(f, new byte[] {'<', 'p', 'a', 'd', '>', '\n', (byte) 0xE9, '\n'});   // Latin-1, not UTF-8
    e = assertThrows(IOException.class, () -> Vocabulary.load(f));
    assertTrue(e.getMessage().startsWith(f + ": expected UTF-8 text"), e.getMessage());

    Path missing = dir.resolve("nope.txt");
    e = assertThrows(IOException.class, () -> Vocabulary.load(missing));
    assertEquals(missing + ": no such file", e.getMessage());
  }

  @Test
  void tokensThatCannotBeStoredAreRejected() {
    var e = assertThrows(IllegalArgumentException.class, () -> Vocabulary.builder().add(List.of("a\nb")));
    assertEquals("Vocabulary: token \"a\\nb\" cannot be stored; expected a non-empty token without line breaks", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Vocabulary.builder().add(List.of("")));
    assertEquals("Vocabulary: token \"\" cannot be stored; expected a non-empty token without line breaks", e.getMessage());
  }
}
