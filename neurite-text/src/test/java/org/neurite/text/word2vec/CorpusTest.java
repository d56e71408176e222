package org.neurite.text.word2vec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokenizing files by byte ranges, and both corpus kinds feeding the same sentences. */
class CorpusTest {
  @TempDir
  Path dir;

  /** Every range split of the file yields each line once, whole, in order. */
  @Test
  void rangesTileTheFileByLines() throws IOException {
    Random r = new Random(3);
    StringBuilder text = new StringBuilder();
    List<List<String>> expected = new ArrayList<>();
    for (int line = 0; line < 200; line++) {
      List<String> words = new ArrayList<>();
      int n = r.nextInt(6);
      for (int i = 0; i < n; i++) {
        String w = "w" + r.nextInt(50) + (r.nextBoolean() ? "é" : "");
        words.add(w);
        text.append(w).append(r.nextBoolean() ? " " : " \t ");
      }
      expected.add(words);
      text.append(r.nextInt(10) == 0 ? "\r\n" : "\n");
    }
    text.append("last line without newline");
    expected.add(List.of("last", "line", "without", "newline"));
    Path f = Files.writeString(dir.resolve("c.txt"), text, StandardCharsets.UTF_8);
    long size = Files.size(f);
    for (long chunk : new long[] {1, 2, 7, 64, 1000, size}) {
      List<List<String>> got = new ArrayList<>();
      try (FileChannel ch = FileChannel.open(f)) {
        for (long start = 0; start < size; start += chunk) {
          LineTokenizer tok = new LineTokenizer(ch, f);
          tok.range(start, Math.min(size, start + chunk));
          List<String> cur = new ArrayList<>();
          for (int k; (k = tok.next()) != LineTokenizer.END; ) {
            if (k == LineTokenizer.TOKEN) cur.add(new String(tok.buf, tok.off(), tok.len(), StandardCharsets.UTF_8));
            else {
              got.add(cur);
              cur = new ArrayList<>();
            }
          }
          if (!cur.isEmpty()) got.add(cur);
        }
      }
      assertEquals(expected, got, "chunk " + chunk);
    }
  }

  /** Several workers claiming 1 MiB chunks of one file read every line exactly once. */
  @Test
  void workersShareAFileByChunks() throws IOException {
    StringBuilder text = new StringBuilder();
    for (int i = 0; text.length() < 3_500_000; i++) text.append("w").append(i % 1000).append(" x").append(i % 7).append('\n');
    Path f = Files.writeString(dir.resolve("big.txt"), text);
    Corpus c = Corpus.lines(f);
    Corpus.Scan scan = c.scan(10_000, 0);
    Vocab v = Vocab.build(scan.counts(), 1);
    long[] seen = new long[v.size()];
    long raw = 0;
    try (Corpus.Feed feed = c.feed(v, 10_000)) {
      List<Corpus.Source> workers = List.of(feed.source(), feed.source(), feed.source());
      Corpus.Batch b = new Corpus.Batch(10_000);
      for (boolean any = true; any; ) {
        any = false;
        for (Corpus.Source w : workers) {
          if (!w.next(b)) continue;
          any = true;
          raw += b.raw;
          for (int i = 0; i < b.words; i++) seen[b.ids[i]]++;
          assertEquals(b.words, b.ends[b.sentences - 1]);
        }
      }
    }
    assertEquals(scan.words(), raw);
    for (int i = 0; i < v.size(); i++) assertEquals(v.count(i), seen[i], v.word(i));
  }

  @Test
  void fileAndSentencesGiveTheSameBatches() throws IOException {
    List<List<String>> sentences = List.of(List.of("a", "b", "oov", "c"), List.of(), List.of("c", "c", "a", "b", "a"));
    Path f = Files.writeString(dir.resolve("s.txt"), "a b oov c\n\nc c a b a\n");
    Vocab v = Vocab.build(Corpus.lines(f).scan(3, 0).counts(), 1);
    assertEquals(List.of("a", "c", "b", "oov"), List.of(v.words));
    for (Corpus c : List.of(Corpus.lines(f), Corpus.of(sentences))) {
      Corpus.Scan s = c.scan(3, 0);
      assertEquals(9, s.words(), c.toString());
      assertEquals(4, s.sentences(), c.toString());   // cut at 3 tokens: "a b oov | c", "c c a | b a"
      Vocab small = Vocab.build(s.counts(), 2);          // drops "oov"
      try (Corpus.Feed feed = c.feed(small, 3)) {
        Corpus.Source src = feed.source();
        Corpus.Batch b = new Corpus.Batch(3);
        List<List<String>> got = new ArrayList<>();
        long raw = 0;
        while (src.next(b)) {
          raw += b.raw;
          for (int i = 0, from = 0; i < b.sentences; from = b.ends[i++]) {
            List<String> ws = new ArrayList<>();
            for (int j = from; j < b.ends[i]; j++) ws.add(small.word(b.ids[j]));
            got.add(ws);
          }
        }
        assertEquals(9, raw, c.toString());
        assertEquals(List.of(List.of("a", "b"), List.of("c"), List.of("c", "c", "a"), List.of("b", "a")), got, c.toString());
        assertFalse(src.next(b));
      }
    }
  }
}
