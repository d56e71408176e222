package org.neurite.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.train.TensorDataset;

class SentencePolarityTest {
  @Test
  void bundledCopyHas5331OfEach() throws IOException {
    TextClassificationData d = SentencePolarity.load(SentencePolarity.bundledDir());
    assertEquals(10_662, d.size());
    assertEquals(SentencePolarity.LABELS, d.labels());
    assertArrayEquals(new int[] {5331, 5331}, d.classCounts());
    assertTrue(d.text(5331).startsWith("the rock is destined to be the 21st century's new"), d.text(5331));
    assertEquals("rt-polarity.pos:1", d.origin(5331));
    assertEquals(1, d.label(5331));
    // UTF-8 read correctly: accented words are single tokens
    assertTrue(d.texts().stream().anyMatch(t -> new Tokenizer().tokenize(t).contains("ladrón")));
  }

  @Test
  void fixedSplitIsStratified90to10AndReproducible() throws IOException {
    TextClassificationData.Split s = SentencePolarity.fixedSplit(42);
    assertArrayEquals(new int[] {533, 533}, s.test().classCounts());
    assertArrayEquals(new int[] {4798, 4798}, s.train().classCounts());
    Set<String> train = new HashSet<>();
    for (int i = 0; i < s.train().size(); i++) train.add(s.train().origin(i));
    for (int i = 0; i < s.test().size(); i++) assertTrue(!train.contains(s.test().origin(i)));
    assertEquals(s.test().texts(), SentencePolarity.fixedSplit(42).test().texts());

    Tokenizer tok = new Tokenizer();
    Vocabulary v = Vocabulary.builder().minCount(2).build(s.train().tokens(tok));
    TensorDataset ds = s.test().toDataset(tok, v, 56);
    assertArrayEquals(new int[] {1066, 56}, ds.inputs().shape());
    assertTrue(v.size() > 8000 && v.size() < 12000, v.toString());
  }

  @Test
  void missingFolderNamesTheFiles(@TempDir Path dir) {
    var e = assertThrows(IOException.class, () -> SentencePolarity.load(dir));
    assertEquals(dir + ": expected rt-polarity.pos and rt-polarity.neg, rt-polarity.neg is missing; the repository ships them "
        + "in data/rt-polarity", e.getMessage());
  }
}
