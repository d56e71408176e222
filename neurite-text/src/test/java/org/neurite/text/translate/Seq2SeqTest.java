package org.neurite.text.translate;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.neurite.nn.Seeds;
import org.neurite.tensor.Rng;
import org.neurite.ops.Losses;
import org.neurite.tensor.Tensor;

/** Learns to reverse short sequences, then checks the decoders against each other. */
class Seq2SeqTest {
  static final int BOS = 2, EOS = 3, FIRST = 4, SYMBOLS = 8;   // ids 0 PAD, 1 UNK, 2 BOS, 3 EOS, 4.. symbols
  static Seq2Seq model;
  static List<int[]> testSrc = new ArrayList<>(), testTgt = new ArrayList<>();

  static void make(Rng rng, int n, List<int[]> src, List<int[]> tgt) {
    for (int i = 0; i < n; i++) {
      int len = 2 + rng.nextInt(4);
      int[] x = new int[len + 1], y = new int[len + 2];
      for (int j = 0; j < len; j++) x[j] = FIRST + rng.nextInt(SYMBOLS);
      x[len] = EOS;
      y[0] = BOS;
      for (int j = 0; j < len; j++) y[1 + j] = x[len - 1 - j];
      y[len + 1] = EOS;
      src.add(x);
      tgt.add(y);
    }
  }

  @BeforeAll
  static void train() {
    Seeds.set(7);
    Rng rng = new Rng(1);
    List<int[]> src = new ArrayList<>(), tgt = new ArrayList<>();
    make(rng, 2000, src, tgt);
    make(rng, 50, testSrc, testTgt);
    int v = FIRST + SYMBOLS;
    model = new Seq2Seq(new Seq2Seq.Config(v, v, 16, 48, true, true, 32, BOS, EOS));
    var trainer = new TranslationTrainer(model, new TranslationTrainer.Options(32, 1e-2f, 1.0, 0f, 3));
    long t0 = System.nanoTime();
    double loss = 0;
    for (int e = 0; e < 4; e++) loss = trainer.epoch(src, tgt);
    System.out.printf("reverse task: loss %.4f after %.1f s%n", loss, (System.nanoTime() - t0) / 1e9);
  }

  @Test
  void greedyReversesMostSequences() {
    var hyps = model.greedy(testSrc, 12);
    int exact = 0;
    for (int i = 0; i < hyps.size(); i++)
      if (Arrays.equals(hyps.get(i).ids(), Arrays.copyOfRange(testTgt.get(i), 1, testTgt.get(i).length))) exact++;
    assertTrue(exact >= 40, "exact " + exact + "/50");
  }

  @Test
  void attentionRowsAreDistributionsOverTheSource() {
    var h = model.greedy(List.of(testSrc.get(0)), 12).get(0);
    assertEquals(h.ids().length, h.attention().length);
    for (float[] row : h.attention()) {
      assertEquals(testSrc.get(0).length, row.length);
      double s = 0;
      for (float w : row) s += w;
      assertEquals(1.0, s, 1e-4);
    }
  }

  @Test
  void batchedGreedyEqualsOneByOne() {
    var batch = model.greedy(testSrc.subList(0, 10), 12);
    for (int i = 0; i < 10; i++) {
      var one = model.greedy(List.of(testSrc.get(i)), 12).get(0);
      assertArrayEquals(one.ids(), batch.get(i).ids());
      assertEquals(one.score(), batch.get(i).score(), 1e-3);
    }
  }

  @Test
  void beamWidthOneIsGreedy() {
    for (int i = 0; i < 10; i++) {
      var g = model.greedy(List.of(testSrc.get(i)), 12).get(0);
      var b = model.beam(testSrc.get(i), 1, 0.0, 12);
      assertArrayEquals(g.ids(), b.ids());
      assertEquals(g.score(), b.score(), 1e-9);
    }
  }

  @Test
  void beamNeverScoresBelowGreedy() {
    for (int i = 0; i < 20; i++) {
      var g = model.greedy(List.of(testSrc.get(i)), 12).get(0);
      for (int w : new int[] {2, 3, 5}) {
        var b = model.beam(testSrc.get(i), w, 0.0, 12);
        assertTrue(b.score() >= g.score() - 1e-6, "width " + w + ": beam " + b.score() + " < greedy " + g.score());
        assertEquals(b.ids().length, b.attention().length);
      }
    }
  }

  @Test
  void batchedBeamEqualsOneByOne() {
    List<int[]> src = testSrc.subList(0, 12);
    int[] max = new int[src.size()];
    for (int i = 0; i < max.length; i++) max[i] = 4 + i % 9;   // per-sentence limits, some cutting the output short
    for (int w : new int[] {2, 5}) {
      var batch = model.beam(src, w, 0.6, max);
      for (int i = 0; i < src.size(); i++) {
        var one = model.beam(src.get(i), w, 0.6, max[i]);
        assertArrayEquals(one.ids(), batch.get(i).ids(), "width " + w + ", sentence " + i);
        assertEquals(one.score(), batch.get(i).score(), 1e-3);
        assertEquals(batch.get(i).ids().length, batch.get(i).attention().length);
        for (float[] row : batch.get(i).attention()) assertEquals(src.get(i).length, row.length);
      }
    }
  }

  @Test
  void teacherForcingScheduleDecaysLinearlyPerEpoch() {
    var tf = TranslationTrainer.TeacherForcing.parse("1.0:0.5");
    assertEquals(1.0, tf.ratio(1, 6), 1e-12);
    assertEquals(0.9, tf.ratio(2, 6), 1e-12);
    assertEquals(0.5, tf.ratio(6, 6), 1e-12);
    assertEquals(0.5, tf.ratio(9, 6), 1e-12);   // past the planned epochs: stays at END
    assertEquals(0.7, TranslationTrainer.TeacherForcing.parse("0.7").ratio(3, 5), 1e-12);
    assertEquals("1.0:0.5", tf.toString());
    var e = assertThrows(IllegalArgumentException.class, () -> TranslationTrainer.TeacherForcing.parse("1.5"));
    assertTrue(e.getMessage().contains("must be in [0, 1]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TranslationTrainer.TeacherForcing.parse("a:b"));
    assertTrue(e.getMessage().contains("--teacher-forcing a:b: expected START[:END]"), e.getMessage());
  }

  @Test
  void scheduledSamplingAtRatioOneIsTeacherForcingAndLearnsBelowIt() {
    Tensor[] b = TranslationTrainer.batch(testSrc, testTgt, new int[] {0, 1, 2, 3}, 0, 4);
    // ratio 1 is the one-op teacher-forced path; the step-by-step path with every token forced agrees with it
    model.eval();
    Tensor full = model.logits(b[0], b[1]);
    Tensor stepwise = model.logits(b[0], b[1], 1 - 1e-12, new Rng(1));   // (almost) always the reference, step by step
    org.neurite.testing.Golden.assertClose("step by step", full, stepwise, 1e-4, 1e-4);
    model.train(true);
    Seeds.set(8);
    Rng rng = new Rng(2);
    List<int[]> src = new ArrayList<>(), tgt = new ArrayList<>();
    make(rng, 600, src, tgt);
    int v = FIRST + SYMBOLS;
    var m = new Seq2Seq(new Seq2Seq.Config(v, v, 16, 32, true, true, 16, BOS, EOS));
    var trainer = new TranslationTrainer(m, new TranslationTrainer.Options(32, 1e-2f, 1.0, 0f, 3,
        TranslationTrainer.TeacherForcing.parse("1.0:0.5"), 3));
    double first = 0, last = 0;
    for (int e = 1; e <= 3; e++) {
      assertEquals(1.0 - 0.25 * (e - 1), trainer.teacherForcingRatio(), 1e-12);
      last = trainer.epoch(src, tgt);
      if (e == 1) first = last;
    }
    assertTrue(Double.isFinite(last) && last < first, "loss " + first + " -> " + last);
  }

  /** The LSTM cell and Luong's scores learn the same task; batched beam search and greedy agree with their own one-by-one runs. */
  @org.junit.jupiter.params.ParameterizedTest(name = "{0}, {1}, bidirectional={2}")
  @org.junit.jupiter.params.provider.CsvSource({"lstm, additive, true", "lstm, general, true", "gru, dot, false", "gru, general, true"})
  void lstmAndLuongAttentionLearnToReverse(String cell, String score, boolean bidirectional) {
    Seeds.set(7);
    Rng rng = new Rng(1);
    List<int[]> src = new ArrayList<>(), tgt = new ArrayList<>();
    make(rng, 2000, src, tgt);
    int v = FIRST + SYMBOLS;
    var m = new Seq2Seq(new Seq2Seq.Config(v, v, 16, 48, bidirectional, true, 32, BOS, EOS, cell, score));
    var trainer = new TranslationTrainer(m, new TranslationTrainer.Options(32, 1e-2f, 1.0, 0f, 3));
    for (int e = 0; e < 5; e++) trainer.epoch(src, tgt);
    var hyps = m.greedy(testSrc, 12);
    int exact = 0;
    for (int i = 0; i < hyps.size(); i++)
      if (Arrays.equals(hyps.get(i).ids(), Arrays.copyOfRange(testTgt.get(i), 1, testTgt.get(i).length))) exact++;
    assertTrue(exact >= 35, cell + "/" + score + ": exact " + exact + "/50");
    var beams = m.beam(testSrc.subList(0, 6), 3, 0.6, new int[] {12, 12, 12, 12, 12, 12});
    for (int i = 0; i < 6; i++) assertArrayEquals(m.beam(testSrc.get(i), 3, 0.6, 12).ids(), beams.get(i).ids());
    assertTrue(m.toString().startsWith("Seq2Seq(" + cell + "-attention"), m.toString());
  }

  @Test
  void aDotScoreWithABidirectionalEncoderIsRefused() {
    var e = assertThrows(IllegalArgumentException.class, () -> new Seq2Seq(new Seq2Seq.Config(10, 10, 4, 8, true, true, 4, BOS, EOS,
        "gru", "dot")));
    assertTrue(e.getMessage().contains("use the general score or a unidirectional encoder"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Seq2Seq(new Seq2Seq.Config(10, 10, 4, 8, true, true, 4, BOS, EOS,
        "rnn", "additive")));
    assertTrue(e.getMessage().contains("cell \"rnn\" is not gru or lstm"), e.getMessage());
  }

  @Test
  void untrainedModelDecodesEmptyAndLongInputsWithinMaxLength() {
    Seeds.set(3);
    var m = new Seq2Seq(new Seq2Seq.Config(10, 10, 4, 8, false, false, 0, BOS, EOS));
    int[] longSrc = new int[300];
    Arrays.fill(longSrc, 5);
    longSrc[299] = EOS;
    var hyps = m.greedy(List.of(new int[] {EOS}, longSrc), 7);
    for (var h : hyps) assertTrue(h.ids().length <= 7 && h.ids().length >= 1);
    assertEquals(0, hyps.get(0).attention()[0].length);   // no attention: empty rows
    assertTrue(m.beam(new int[] {EOS}, 4, 0.6, 7).ids().length <= 7);
  }

  @Test
  void sequenceLossIgnoresPadAndMatchesPlainCrossEntropy() {
    Rng rng = new Rng(5);
    Tensor logits = Tensor.randn(rng, 4, 6).requiresGrad(true);
    Tensor labels = Tensor.of(new float[] {2, 0, 5, 0}, 4);
    Tensor loss = Losses.crossEntropy(logits, labels, 0, 0f);
    loss.backward();
    Tensor kept = Tensor.of(new float[] {2, 5}, 2);
    Tensor ref = org.neurite.ops.Losses.softmaxCrossEntropy(logits.detach().indexSelect(0, 0, 2), kept);
    assertEquals(ref.item(), loss.item(), 1e-6);
    float[] g = logits.grad().data();
    for (int j = 0; j < 6; j++) {
      assertEquals(0f, g[6 + j]);   // ignored rows: no gradient
      assertEquals(0f, g[18 + j]);
    }
    // label smoothing: loss = (1-eps) nll + eps * mean_j(-logp_j), PyTorch's definition
    Tensor x = Tensor.of(new float[] {1f, 2f, 3f}, 1, 3);
    float eps = 0.1f;
    double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    double nll = lse - 2, uniform = ((lse - 1) + (lse - 2) + (lse - 3)) / 3;
    assertEquals((1 - eps) * nll + eps * uniform, Losses.crossEntropy(x, Tensor.of(new float[] {1}, 1), 0, eps).item(), 1e-5);
  }

  @Test
  void sequenceLossGradientMatchesFiniteDifferences() {
    Rng rng = new Rng(9);
    float[] x0 = Tensor.randn(rng, 3, 5).data();
    Tensor labels = Tensor.of(new float[] {1, 0, 4}, 3);
    Tensor x = Tensor.of(x0.clone(), 3, 5).requiresGrad(true);
    Losses.crossEntropy(x, labels, 0, 0.2f).backward();
    float[] g = x.grad().data();
    double h = 1e-2;
    for (int i = 0; i < x0.length; i++) {
      float[] p = x0.clone(), m = x0.clone();
      p[i] += (float) h;
      m[i] -= (float) h;
      double num = (Losses.crossEntropy(Tensor.of(p, 3, 5), labels, 0, 0.2f).item()
          - Losses.crossEntropy(Tensor.of(m, 3, 5), labels, 0, 0.2f).item()) / (2 * h);
      assertEquals(num, g[i], 2e-3, "grad " + i);
    }
  }
}
