package org.neurite.text.translate;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.autograd.GradMode;
import org.neurite.nn.Seeds;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.testing.Golden;
import org.neurite.text.Vocabulary;

/**
 * The Transformer translator: learns to reverse short sequences, incremental (cached) decoding agrees with
 * full recomputation, batched beam search with one-by-one, scheduled sampling runs, save/load through
 * {@link Translator}, shared embeddings, and any input translates.
 */
class TransformerSeq2SeqTest {
  static final int BOS = 2, EOS = 3, FIRST = 4, SYMBOLS = 8;
  static TransformerSeq2Seq model;
  static List<int[]> testSrc = new ArrayList<>(), testTgt = new ArrayList<>();
  @TempDir Path dir;

  static TransformerSeq2Seq.Config config(int v, boolean normFirst, boolean shared) {
    return new TransformerSeq2Seq.Config(v, v, 32, 4, 64, 2, 2, 0f, normFirst, shared, BOS, EOS);
  }

  @BeforeAll
  static void train() {
    Seeds.set(7);
    Rng rng = new Rng(1);
    List<int[]> src = new ArrayList<>(), tgt = new ArrayList<>();
    Seq2SeqTest.make(rng, 2000, src, tgt);
    Seq2SeqTest.make(rng, 50, testSrc, testTgt);
    model = new TransformerSeq2Seq(config(FIRST + SYMBOLS, false, false));
    var trainer = new TranslationTrainer(model, new TranslationTrainer.Options(32, 3e-3f, 1.0, 0f, 3));
    long t0 = System.nanoTime();
    double loss = 0;
    for (int e = 0; e < 20; e++) loss = trainer.epoch(src, tgt);
    System.out.printf("transformer reverse task: loss %.4f after %.1f s%n", loss, (System.nanoTime() - t0) / 1e9);
  }

  @Test
  void greedyReversesMostSequences() {
    var hyps = model.greedy(testSrc, 12);
    int exact = 0;
    for (int i = 0; i < hyps.size(); i++)
      if (Arrays.equals(hyps.get(i).ids(), Arrays.copyOfRange(testTgt.get(i), 1, testTgt.get(i).length))) exact++;
    System.out.println("transformer exact " + exact + "/50");
    assertTrue(exact >= 35, "exact " + exact + "/50");
  }

  @Test
  void cachedDecodingEqualsFullRecomputation() {
    var h = model.greedy(List.of(testSrc.get(3)), 12).get(0);
    // feed BOS + the decoded prefix through the full teacher-forced pass: its argmax at every position is the next token
    float[] in = new float[h.ids().length];
    in[0] = BOS;
    for (int j = 1; j < in.length; j++) in[j] = h.ids()[j - 1];
    model.eval();
    Tensor logits;
    try (var g = GradMode.off()) {
      logits = model.logits(Seq2Seq.pad(List.of(testSrc.get(3))), Tensor.of(in, 1, in.length)).logSoftmax(2);
    }
    double score = 0;
    for (int j = 0; j < in.length; j++) {
      float[] row = logits.slice(1, j, j + 1).contiguous().data();
      int best = 0;
      for (int k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
      assertEquals(h.ids()[j], best, "position " + j);
      score += row[best];
    }
    assertEquals(score, h.score(), 1e-3);
    // cross-attention rows: distributions over the source
    for (float[] row : h.attention()) {
      assertEquals(testSrc.get(3).length, row.length);
      double s = 0;
      for (float w : row) s += w;
      assertEquals(1.0, s, 1e-4);
    }
  }

  @Test
  void batchedBeamEqualsOneByOneAndNeverScoresBelowGreedy() {
    List<int[]> src = testSrc.subList(0, 8);
    int[] max = new int[src.size()];
    Arrays.fill(max, 12);
    var batch = model.beam(src, 4, 0.0, max);
    for (int i = 0; i < src.size(); i++) {
      var one = model.beam(src.get(i), 4, 0.0, 12);
      assertArrayEquals(one.ids(), batch.get(i).ids(), "sentence " + i);
      assertEquals(one.score(), batch.get(i).score(), 1e-3);
      assertTrue(one.score() >= model.greedy(List.of(src.get(i)), 12).get(0).score() - 1e-6);
    }
  }

  @Test
  void scheduledSamplingTrainsAndPreNormSharedEmbeddingsWork() {
    Seeds.set(9);
    Rng rng = new Rng(4);
    List<int[]> src = new ArrayList<>(), tgt = new ArrayList<>();
    Seq2SeqTest.make(rng, 300, src, tgt);
    var m = new TransformerSeq2Seq(config(FIRST + SYMBOLS, true, true));
    assertTrue(m.module().stateDict().containsKey("embed.weight"));
    assertFalse(m.module().stateDict().containsKey("src_embed.weight"));
    assertTrue(m.module().stateDict().containsKey("decoder.1.multihead_attn.in_proj_weight"));
    assertTrue(m.module().stateDict().containsKey("encoder_norm.weight"));
    var trainer = new TranslationTrainer(m, new TranslationTrainer.Options(32, 3e-3f, 1.0, 0.1f, 3,
        TranslationTrainer.TeacherForcing.parse("1:0.6"), 3));
    double first = trainer.epoch(src, tgt), last = first;
    for (int e = 0; e < 2; e++) last = trainer.epoch(src, tgt);
    assertTrue(Double.isFinite(last) && last < first, "loss " + first + " -> " + last);
    var e = assertThrows(IllegalArgumentException.class,
        () -> new TransformerSeq2Seq(new TransformerSeq2Seq.Config(10, 11, 8, 2, 16, 1, 1, 0f, false, true, BOS, EOS)));
    assertTrue(e.getMessage().contains("shared embeddings need one joint vocabulary"), e.getMessage());
  }

  @Test
  void saveLoadThroughTranslatorAndAnyInputTranslates() throws IOException {
    var pairs = List.of(new ParallelCorpus.Pair(List.of("a", "b"), List.of("x", "y")),
        new ParallelCorpus.Pair(List.of("b"), List.of("y")), new ParallelCorpus.Pair(List.of("a"), List.of("x")));
    Vocabulary src = ParallelCorpus.vocabulary(pairs, true, 1, 0), tgt = ParallelCorpus.vocabulary(pairs, false, 1, 0);
    Seeds.set(12);
    var m = new TransformerSeq2Seq(new TransformerSeq2Seq.Config(src.size(), tgt.size(), 16, 2, 32, 1, 2, 0.1f, false, false,
        tgt.bos(), tgt.eos()));
    List<int[]> s = new ArrayList<>(), t = new ArrayList<>();
    for (var p : pairs) {
      s.add(ParallelCorpus.encodeSource(src, p.source()));
      t.add(ParallelCorpus.encodeTarget(tgt, p.target()));
    }
    var trainer = new TranslationTrainer(m, new TranslationTrainer.Options(3, 1e-2f, 1.0, 0f, 1));
    for (int e = 0; e < 30; e++) trainer.epoch(s, t);
    var tr = new Translator(m, src, tgt, true, 20);
    assertEquals("x y", tr.translate("a b").text());
    Path d = dir.resolve("model");
    tr.save(d);
    var back = Translator.load(d);
    assertInstanceOf(TransformerSeq2Seq.class, back.model());
    assertEquals(m.config(), back.model().config());
    // unknown words, empty input, an input far longer than any in training (positions beyond the table's start size)
    for (String in : List.of("a b", "b", "zz top", "", "a ".repeat(300))) {
      for (int beam : new int[] {1, 3}) {
        var x = tr.translate(in, beam, 0.6);
        var y = back.translate(in, beam, 0.6);
        assertEquals(x.text(), y.text(), in);
        assertEquals(x.score(), y.score(), 1e-4);
        assertTrue(x.tokens().size() <= 20);
        for (float[] row : x.attention()) assertEquals(x.sourceTokens().size(), row.length);
      }
    }
    var batch = tr.translateAll(List.of("a b", "", "b"), 2, 3, 0.6);
    assertEquals(tr.translate("", 3, 0.6).text(), batch.get(1).text());
    Golden.assertClose("same weights", m.module().stateDict().get("out.weight"), back.model().module().stateDict().get("out.weight"), 0, 0);
  }
}
