package org.neurite.text.translate;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.nn.Seeds;
import org.neurite.text.Vocabulary;

class TranslatorTest {
  @TempDir Path dir;

  static Translator tiny(List<ParallelCorpus.Pair> pairs, boolean attention, int epochs) {
    Vocabulary src = ParallelCorpus.vocabulary(pairs, true, 1, 0), tgt = ParallelCorpus.vocabulary(pairs, false, 1, 0);
    Seeds.set(11);
    var model = new Seq2Seq(new Seq2Seq.Config(src.size(), tgt.size(), 8, 16, false, attention, 16, tgt.bos(), tgt.eos()));
    var trainer = new TranslationTrainer(model, new TranslationTrainer.Options(8, 1e-2f, 1.0, 0.1f, 1));
    List<int[]> s = new ArrayList<>(), t = new ArrayList<>();
    for (var p : pairs) {
      s.add(ParallelCorpus.encodeSource(src, p.source()));
      t.add(ParallelCorpus.encodeTarget(tgt, p.target()));
    }
    for (int e = 0; e < epochs; e++) trainer.epoch(s, t);
    return new Translator(model, src, tgt, false, 20);
  }

  @Test
  void readsTsvSplitsAndTranslatesAnyInput() throws IOException {
    Path tsv = dir.resolve("pairs.tsv");
    Files.writeString(tsv, "one\teins\ntwo\tzwei\n\nthree\tdrei\tCC-BY attribution\none two\teins zwei\n");
    var pairs = ParallelCorpus.readTsv(tsv, new org.neurite.text.Tokenizer());
    assertEquals(4, pairs.size());
    assertEquals(List.of("drei"), pairs.get(2).target());
    var tr = tiny(pairs, true, 60);
    assertEquals("eins zwei", tr.translate("one two").text());
    // unknown words, empty input, over-long input: no error, bounded output, one attention row per output token
    for (String in : new String[] {"xyzzy plugh", "", "one ".repeat(500)}) {
      for (int beam : new int[] {1, 3}) {
        var t = tr.translate(in, beam, 0.6);
        assertTrue(t.tokens().size() <= 20, in + ": " + t.tokens());
        assertEquals(tr.tokenize(in).size() + 1, t.sourceTokens().size());
        for (float[] row : t.attention()) assertEquals(t.sourceTokens().size(), row.length);
      }
    }
    assertEquals(List.of(Vocabulary.UNK, Vocabulary.UNK, Vocabulary.EOS), tr.translate("xyzzy plugh").sourceTokens());
  }

  @Test
  void tsvWithoutTabNamesTheLine() throws IOException {
    Path tsv = dir.resolve("bad.tsv");
    Files.writeString(tsv, "a\tb\nno tab here\n");
    var e = assertThrows(IOException.class, () -> ParallelCorpus.readTsv(tsv, null));
    assertTrue(e.getMessage().contains("bad.tsv:2"), e.getMessage());
  }

  @Test
  void saveLoadReproducesTranslations() throws IOException {
    var pairs = List.of(new ParallelCorpus.Pair(List.of("a", "b"), List.of("x", "y")),
        new ParallelCorpus.Pair(List.of("b"), List.of("y")), new ParallelCorpus.Pair(List.of("a"), List.of("x")));
    for (boolean attention : new boolean[] {true, false}) {
      var tr = tiny(pairs, attention, 3);
      Path m = dir.resolve("model-" + attention);
      tr.save(m);
      tr.save(m);   // replacing an existing directory
      var back = Translator.load(m);
      assertEquals(tr.sourceVocabulary(), back.sourceVocabulary());
      for (String s : List.of("a b", "b", "a a a", "")) {
        var x = tr.translate(s, 2, 0.0);
        var y = back.translate(s, 2, 0.0);
        assertEquals(x.text(), y.text());
        assertEquals(x.score(), y.score(), 1e-6);
      }
      try (var files = Files.list(dir)) {
        assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".")), "temporary directories left behind");
      }
    }
  }

  @Test
  void anLstmWithLuongAttentionSavesAndLoadsAndOldConfigsReadAsGru() throws IOException {
    var pairs = List.of(new ParallelCorpus.Pair(List.of("a", "b"), List.of("x", "y")),
        new ParallelCorpus.Pair(List.of("b"), List.of("y")), new ParallelCorpus.Pair(List.of("a"), List.of("x")));
    Vocabulary src = ParallelCorpus.vocabulary(pairs, true, 1, 0), tgt = ParallelCorpus.vocabulary(pairs, false, 1, 0);
    Seeds.set(12);
    var model = new Seq2Seq(new Seq2Seq.Config(src.size(), tgt.size(), 8, 16, true, true, 16, tgt.bos(), tgt.eos(), "lstm", "general"));
    var tr = new Translator(model, src, tgt, false, 20);
    tr.save(dir.resolve("lstm"));
    var back = Translator.load(dir.resolve("lstm"));
    assertEquals("lstm", ((Seq2Seq) back.model()).config().cell());
    for (String s : List.of("a b", "b", "")) assertEquals(tr.translate(s, 2, 0.0).text(), back.translate(s, 2, 0.0).text());
    // A config.json written before the cell and score existed reads as a GRU with additive attention.
    var gru = tiny(pairs, true, 1);
    gru.save(dir.resolve("old"));
    Path cfg = dir.resolve("old").resolve("config.json");
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var root = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(cfg.toFile());
    ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("config")).remove(List.of("cell", "score"));
    Files.writeString(cfg, json.writeValueAsString(root));
    assertFalse(Files.readString(cfg).contains("\"cell\""));
    assertEquals("additive", ((Seq2Seq) Translator.load(dir.resolve("old")).model()).config().score());
  }

  @Test
  void splitIsSeededAndDisjoint() {
    List<ParallelCorpus.Pair> pairs = new ArrayList<>();
    for (int i = 0; i < 100; i++) pairs.add(new ParallelCorpus.Pair(List.of("s" + i), List.of("t" + i)));
    var a = ParallelCorpus.split(pairs, 0.1, 0.2, 5);
    var b = ParallelCorpus.split(pairs, 0.1, 0.2, 5);
    assertEquals(a, b);
    assertEquals(10, a.valid().size());
    assertEquals(20, a.test().size());
    assertEquals(70, a.train().size());
    var all = new java.util.HashSet<>(a.train());
    all.addAll(a.valid());
    all.addAll(a.test());
    assertEquals(100, all.size());
    assertEquals(1, ParallelCorpus.filter(List.of(new ParallelCorpus.Pair(List.of("a"), List.of("b")),
        new ParallelCorpus.Pair(List.of("a", "b", "c"), List.of("b")), new ParallelCorpus.Pair(List.of(), List.of("b"))), 2).size());
  }

  @Test
  void readsTheBundledMulti30kSample() throws IOException {
    Path sample = Path.of("../data/multi30k-sample/train.en-de.tsv");
    Assumptions.assumeTrue(Files.exists(sample), "sample not found from " + Path.of("").toAbsolutePath());
    var pairs = ParallelCorpus.readTsv(sample, null);
    assertEquals(600, pairs.size());
    assertEquals("zwei", pairs.get(0).target().get(0));
    var v = ParallelCorpus.vocabulary(pairs, false, 1, 0);
    assertEquals(2, v.bos());
    assertEquals(3, v.eos());
  }
}
