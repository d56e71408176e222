package org.neurite.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.neurite.kernels.Parallel;
import org.neurite.nn.Seeds;
import org.neurite.text.Vocabulary;
import org.neurite.text.translate.Bleu;
import org.neurite.text.translate.ParallelCorpus;
import org.neurite.text.translate.Seq2Seq;
import org.neurite.text.translate.TranslationTrainer;
import org.neurite.text.translate.Translator;

/**
 * {@code neurite bench translate}: the GRU-attention translator trained end to end, as
 * {@code tools/peers/translate_gru_attention.py} trains its PyTorch twin: training sentences/s (median over
 * epochs, validation excluded), then test BLEU greedy and beam. Not a micro-benchmark: one run is one
 * training, and its BLEU is the check that both sides learned the same thing.
 *
 * <p>Data: Multi30k's pre-tokenised files ({@code multi30k:DIR[:SRC-TGT]}): train filtered to
 * {@code maxLen} tokens a side and cut to {@code limit} pairs, test_2016_flickr cut to {@code evalLimit}.
 * The params of every line hold the vocabulary sizes and parameter count, so a line pairs with the
 * peer's only when both built the same network.
 *
 * <p>Not thread-safe: a benchmark run sets the process-wide kernel thread count and times the whole
 * machine; run one at a time.
 */
public final class TranslateBench {
  private TranslateBench() {}

  /**
   * The settings shared with the peer script, flag for flag.
   *
   * @param pairs {@code multi30k:DIR[:SRC-TGT]} (default en-de)
   * @param limit training pairs (0: all)
   * @param evalLimit test pairs (0: all)
   * @param epochs training epochs
   * @param embed embedding width
   * @param hidden GRU width
   * @param attentionUnits additive attention width
   * @param attention whether the decoder attends (the gru-attention architecture)
   * @param bidirectional whether the encoder is bidirectional
   * @param batchSize sentence pairs per batch
   * @param lr Adam's learning rate
   * @param clip the gradient-norm clip
   * @param smoothing label smoothing
   * @param teacherForcing the teacher-forcing ratio, {@code START[:END]} over the epochs
   * @param maxLen the longest sentence kept, in tokens
   * @param minCount the fewest occurrences of a vocabulary word
   * @param beam beam width
   * @param alpha beam-search length penalty
   * @param seed the seed of weights, batch order and sampling
   */
  public record Settings(String pairs, int limit, int evalLimit, int epochs, int embed, int hidden, int attentionUnits,
      boolean attention, boolean bidirectional, int batchSize, float lr, double clip, float smoothing, String teacherForcing,
      int maxLen, int minCount, int beam, double alpha, long seed) {}

  /**
   * Trains and evaluates the translator, printing one line per measurement.
   *
   * @param h the harness that prints the JSON lines
   * @param s the settings
   * @param threads kernel threads (the process-wide count is set to it)
   * @throws IOException if the corpus cannot be read
   * @throws IllegalArgumentException if {@code pairs} is not {@code multi30k:DIR[:SRC-TGT]}
   */
  public static void run(Harness h, Settings s, int threads) throws IOException {
    Parallel.setThreads(threads);
    if (!s.pairs().startsWith("multi30k:"))
      throw new IllegalArgumentException("bench translate: --pairs " + s.pairs() + ": expected multi30k:DIR[:SRC-TGT]");
    String[] parts = s.pairs().substring("multi30k:".length()).split(":");
    Path dir = Path.of(parts[0]);
    String[] langs = (parts.length > 1 ? parts[1] : "en-de").split("-");
    Seeds.set(s.seed());
    List<ParallelCorpus.Pair> train = ParallelCorpus.filter(ParallelCorpus.multi30k(dir, "train", langs[0], langs[1]), s.maxLen());
    if (s.limit() > 0 && train.size() > s.limit()) train = train.subList(0, s.limit());
    List<ParallelCorpus.Pair> test = ParallelCorpus.multi30k(dir, "test_2016_flickr", langs[0], langs[1]);
    if (s.evalLimit() > 0 && test.size() > s.evalLimit()) test = test.subList(0, s.evalLimit());
    Vocabulary src = ParallelCorpus.vocabulary(train, true, s.minCount(), 0), tgt = ParallelCorpus.vocabulary(train, false, s.minCount(), 0);
    var model = new Seq2Seq(new Seq2Seq.Config(src.size(), tgt.size(), s.embed(), s.hidden(), s.bidirectional(), s.attention(),
        s.attentionUnits(), tgt.bos(), tgt.eos()));
    List<int[]> ids = new ArrayList<>(), tids = new ArrayList<>();
    for (var p : train) {
      ids.add(ParallelCorpus.encodeSource(src, p.source()));
      tids.add(ParallelCorpus.encodeTarget(tgt, p.target()));
    }
    var tf = TranslationTrainer.TeacherForcing.parse(s.teacherForcing());
    var trainer = new TranslationTrainer(model, new TranslationTrainer.Options(s.batchSize(), s.lr(), s.clip(), s.smoothing(), s.seed(),
        tf, s.epochs()));
    Map<String, Object> params = Harness.params("arch", s.attention() ? "gru-attention" : "gru", "pairs",
        "multi30k:" + langs[0] + "-" + langs[1], "train", train.size(), "test", test.size(), "src_vocab", src.size(),
        "tgt_vocab", tgt.size(), "params", model.parameterCount(), "embed", s.embed(), "hidden", s.hidden(),
        "attention_units", s.attention() ? s.attentionUnits() : 0, "bidirectional", s.bidirectional(), "batch", s.batchSize(),
        "lr", Double.parseDouble(Float.toString(s.lr())), "clip", s.clip(),
        "label_smoothing", Double.parseDouble(Float.toString(s.smoothing())), "teacher_forcing", s.teacherForcing(),
        "epochs", s.epochs(), "max_len", s.maxLen(), "min_count", s.minCount(), "optimizer", "Adam");
    double[] rates = new double[s.epochs()], others = new double[s.epochs()];
    double loss = 0;
    for (int e = 0; e < s.epochs(); e++) {
      Harness.NoiseMeter meter = new Harness.NoiseMeter();
      long t0 = System.nanoTime();
      loss = trainer.epoch(ids, tids);
      double dt = (System.nanoTime() - t0) / 1e9;
      others[e] = meter.stop()[0];
      rates[e] = train.size() / dt;
      System.err.printf(java.util.Locale.ROOT, "# epoch %d: loss %.4f, %.1f sentences/s%n", e + 1, loss, rates[e]);
    }
    double[] sorted = rates.clone();
    java.util.Arrays.sort(sorted);
    Harness.Stats st = new Harness.Stats(Harness.median(rates), sorted[0], sorted[sorted.length - 1], rates.length, 1,
        0, Harness.round(Harness.median(others), 3), 0);
    h.emit("translate_train", params, "sentences/s", st, threads, Map.of("train_loss", Harness.round(loss, 4)));

    List<String> inputs = new ArrayList<>(), refs = new ArrayList<>();
    for (var p : test) {
      inputs.add(String.join(" ", p.source()));
      refs.add(String.join(" ", p.target()));
    }
    var translator = new Translator(model, src, tgt, true, Math.max(s.maxLen() * 2, 50));
    long t0 = System.nanoTime();
    List<String> greedy = new ArrayList<>();
    for (var t : translator.translateAll(inputs, 64)) greedy.add(t.text());
    double tg = (System.nanoTime() - t0) / 1e9;
    h.emit("translate_bleu_greedy", params, "BLEU", Harness.single(Bleu.corpus(greedy, refs).bleu()), threads,
        Map.of("decode_sentences_per_s", Harness.round(inputs.size() / Math.max(tg, 1e-9), 1)));
    if (s.beam() > 1) {
      t0 = System.nanoTime();
      List<String> beamed = new ArrayList<>();
      for (var t : translator.translateAll(inputs, 64, s.beam(), s.alpha())) beamed.add(t.text());
      double tb = (System.nanoTime() - t0) / 1e9;
      Map<String, Object> bp = new java.util.LinkedHashMap<>(params);
      bp.put("beam", s.beam());
      bp.put("alpha", s.alpha());
      h.emit("translate_bleu_beam", bp, "BLEU", Harness.single(Bleu.corpus(beamed, refs).bleu()), threads,
          Map.of("decode_sentences_per_s", Harness.round(inputs.size() / Math.max(tb, 1e-9), 1)));
    }
  }
}
