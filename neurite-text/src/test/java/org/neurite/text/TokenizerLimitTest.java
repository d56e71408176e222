package org.neurite.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Cutting while tokenising gives exactly the first tokens of the whole text, and reads little of a huge one. */
class TokenizerLimitTest {
  private static final String[] PIECES = {"don't", "3.14", "naïve", "e\u0301", "👩\u200d💻", "!!", "…", "مرحبا", "한국어", "x",
      "word", "\t", "\n", "  ", ",", "l'été", "1,000"};

  private static String text(Random r, int pieces) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < pieces; i++) b.append(PIECES[r.nextInt(PIECES.length)]).append(r.nextInt(4) == 0 ? "" : " ");
    return b.toString();
  }

  @Test
  void theLimitedTokensAreAPrefixOfTheWholeTokenization() {
    Random r = new Random(5);
    Tokenizer tok = new Tokenizer();
    for (int round = 0; round < 200; round++) {
      String s = text(r, 1 + r.nextInt(round < 100 ? 50 : 20_000));   // the long ones cross many chunk boundaries
      List<String> all = tok.tokenize(s);
      for (int limit : new int[] {0, 1, 7, 60, all.size(), all.size() + 3}) {
        List<String> cut = new ArrayList<>();
        tok.tokenize(s, cut, limit);
        assertEquals(all.subList(0, Math.min(limit, all.size())), cut, "round " + round + ", limit " + limit);
      }
    }
  }

  @Test
  void aHugeLineCutToAFewTokensIsCheap() {
    String huge = "great film ".repeat(10_000_000);   // 110 M characters
    var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    List<String> out = new ArrayList<>();
    new Tokenizer().tokenize(huge, out, 60);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertEquals(60, out.size());
    // The whole text would allocate its lower-cased copy (110 MB) and 20 M tokens; a chunk is 16 K characters.
    assertTrue(allocated < 10 << 20, "allocated " + allocated + " bytes");
    var data = TextClassificationData.of(List.of("pos", "neg"), List.of(huge, "bad"));
    Vocabulary v = Vocabulary.builder().build(data.tokens(new Tokenizer(), 60));
    assertEquals(60, data.encode(new Tokenizer(), v, 60).get(0).length - (v.bos() >= 0 ? 1 : 0) - (v.eos() >= 0 ? 1 : 0));
  }
}
