package org.neurite.text.word2vec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Vocabulary rules (gensim's), subsampling probabilities, the Huffman tree and the negative-sampling table. */
class VocabTest {
  static WordTable counts(Object... wordCount) {
    WordTable t = new WordTable();
    for (int i = 0; i < wordCount.length; i += 2) t.add((String) wordCount[i], ((Number) wordCount[i + 1]).longValue());
    return t;
  }

  @Test
  void minCountSortsByFrequencyTiesInFirstSeenOrder() {
    Vocab v = Vocab.build(counts("b", 3, "a", 5, "rare", 1, "c", 3, "d", 2), 2);
    assertEquals(List.of("a", "b", "c", "d"), List.of(v.words));
    assertEquals(5, v.count(0));
    assertEquals(2, v.indexOf("c"));
    assertEquals(-1, v.indexOf("rare"));
    assertEquals(13, v.totalCount());
  }

  @Test
  void maxFinalVocabRaisesMinCountAsGensim() {
    WordTable t = counts("a", 10, "b", 8, "c", 8, "d", 3, "e", 1);
    // gensim: the 3rd-most-frequent count (8) + 1 = 9 keeps only "a" when max_final_vocab = 2.
    assertEquals(9, Vocab.effectiveMinCount(t, 1, 2));
    assertEquals(4, Vocab.effectiveMinCount(t, 1, 3));
    assertEquals(5, Vocab.effectiveMinCount(t, 5, 3));
    assertEquals(1, Vocab.effectiveMinCount(t, 1, 0));
  }

  @Test
  void maxVocabSizePrunesRareWordsWhileCounting() {
    List<List<String>> s = new ArrayList<>();
    for (int i = 0; i < 50; i++) s.add(List.of("common", "w" + i));
    Corpus.Scan scan = Corpus.of(s).scan(10_000, 10);
    assertTrue(scan.counts().size() <= 11, "held " + scan.counts().size());
    assertEquals(100, scan.words());
    assertTrue(scan.counts().find("common") >= 0);
  }

  @Test
  void updateKeepsOldIndicesAndAppendsNewWords() {
    Vocab v = Vocab.build(counts("a", 5, "b", 3), 1);
    Vocab u = v.extend(counts("c", 2, "b", 4, "d", 7, "e", 1), 2);
    assertEquals(List.of("a", "b", "d", "c"), List.of(u.words));
    assertEquals(7, u.count(1));   // 3 + 4
  }

  @Test
  void sampleIntsFollowGensimFormula() {
    long[] c = {1000, 100, 10, 1};
    int[] s = Trainer.sampleInts(c, 1e-2);   // threshold = 0.01 * 1111 = 11.11
    double t = 11.11;
    for (int i = 0; i < c.length; i++) {
      double p = Math.min(1, (Math.sqrt(c[i] / t) + 1) * t / c[i]);
      assertEquals(p, (s[i] & 0xFFFFFFFFL) / 4294967296.0, 1e-9);
    }
    assertEquals(0xFFFFFFFFL, s[3] & 0xFFFFFFFFL);   // rare words always kept
  }

  @Test
  void huffmanCodesArePrefixFreeOptimalAndPointAtInnerNodes() {
    long[] counts = {45, 13, 12, 16, 9, 5};   // CLRS's example: optimal cost 224
    Huffman h = Huffman.build(counts);
    long cost = 0;
    double kraft = 0;
    Set<String> codes = new HashSet<>();
    for (int w = 0; w < counts.length; w++) {
      int len = h.start[w + 1] - h.start[w];
      cost += len * counts[w];
      kraft += Math.pow(2, -len);
      StringBuilder sb = new StringBuilder();
      for (int d = h.start[w]; d < h.start[w + 1]; d++) {
        sb.append(h.codes[d]);
        assertTrue(h.points[d] >= 0 && h.points[d] < counts.length - 1);
      }
      codes.add(sb.toString());
      assertEquals(counts.length - 2, h.points[h.start[w]], "every path starts at the root");
    }
    assertEquals(224, cost);
    assertEquals(1.0, kraft, 1e-12);
    for (String a : codes) for (String b : codes) assertTrue(a.equals(b) || !b.startsWith(a), a + " prefixes " + b);
    assertEquals(1, h.start[1] - h.start[0], "the most frequent word gets the shortest code");
  }

  @Test
  void huffmanNeedsNoSortedCounts() {
    Huffman sorted = Huffman.build(new long[] {9, 5, 3, 1});
    Huffman shuffled = Huffman.build(new long[] {3, 9, 1, 5});
    assertEquals(sorted.start[1] - sorted.start[0], shuffled.start[2] - shuffled.start[1]);
    assertEquals(sorted.start[4] - sorted.start[3], shuffled.start[3] - shuffled.start[2]);
  }

  @Test
  void unigramTableDrawsCountsToTheThreeQuarters() {
    long[] c = {1000, 300, 50, 7, 1};
    UnigramTable t = new UnigramTable(c, 0.75);
    int draws = 2_000_000;
    int[] hist = new int[c.length];
    long r = 12345;
    for (int i = 0; i < draws; i++) {
      r = (r * Trainer.LCG_MUL + Trainer.LCG_ADD) & Trainer.MASK48;
      long r1 = r >>> 16;
      r = (r * Trainer.LCG_MUL + Trainer.LCG_ADD) & Trainer.MASK48;
      hist[t.draw(r1, r >>> 16)]++;
    }
    double z = 0;
    for (long x : c) z += Math.pow(x, 0.75);
    for (int i = 0; i < c.length; i++) {
      double p = Math.pow(c[i], 0.75) / z, sd = Math.sqrt(draws * p * (1 - p));
      assertEquals(draws * p, hist[i], 5 * sd + 1, "word " + i);
    }
  }
}
