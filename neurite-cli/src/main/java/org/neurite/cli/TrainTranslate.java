package org.neurite.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.neurite.autograd.GradMode;
import org.neurite.nn.Seeds;
import org.neurite.tensor.Tensor;
import org.neurite.text.Tokenizer;
import org.neurite.text.Vocabulary;
import org.neurite.text.translate.Bleu;
import org.neurite.text.translate.ParallelCorpus;
import org.neurite.text.translate.Seq2Seq;
import org.neurite.text.translate.TransformerSeq2Seq;
import org.neurite.text.translate.TranslationModel;
import org.neurite.text.translate.TranslationTrainer;
import org.neurite.text.translate.Translator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code neurite train translate}: train a GRU encoder-decoder (with or without additive attention) or a
 * Transformer encoder-decoder on sentence pairs, report validation loss per epoch and test BLEU (greedy and
 * beam), and save the model.
 */
@Command(name = "translate", description = "Train a translation model (GRU or LSTM encoder-decoder with optional additive or multiplicative attention, or a Transformer).")
final class TrainTranslate implements Callable<Integer> {
  @Option(names = "--pairs", required = true, paramLabel = "FILE.tsv|multi30k:DIR[:SRC-TGT]",
      description = "source<TAB>target lines (split 90/5/5 with --seed), or Multi30k's tok/ files (train, val, test_2016_flickr; default en-de).")
  String pairs;

  @Option(names = "--arch", defaultValue = "gru-attention", description = "gru-attention (default), gru (no attention), lstm-attention, lstm or transformer.")
  String arch;

  @Option(names = "--score", defaultValue = "additive", description = "RNN attention score: additive (Bahdanau; default), general or dot (Luong).")
  String score;

  @Option(names = "--heads", defaultValue = "4", description = "Transformer: attention heads (must divide --embed).") int heads;
  @Option(names = "--ff", defaultValue = "512", description = "Transformer: feed-forward width.") int ff;
  @Option(names = "--layers", defaultValue = "3", description = "Transformer: encoder and decoder layers each.") int layers;
  @Option(names = "--dropout", defaultValue = "0.1", description = "Transformer: dropout.") float dropout;
  @Option(names = "--norm-first", description = "Transformer: pre-norm layers (default post-norm).") boolean normFirst;
  @Option(names = "--shared-embeddings", description = "Transformer: one vocabulary and one embedding table for both sides.")
  boolean sharedEmbeddings;
  @Option(names = "--teacher-forcing", defaultValue = "1.0", paramLabel = "START[:END]",
      description = "Ratio of reference tokens fed to the decoder, going linearly from START (first epoch) to END (last); below 1 the model's own argmax is fed otherwise (scheduled sampling). Default 1.0.")
  String teacherForcing;

  @Option(names = "--unidirectional", description = "A one-way encoder (default: bidirectional).")
  boolean unidirectional;

  @Option(names = "--embed", defaultValue = "128", description = "Embedding width (the Transformer's d_model).") int embed;
  @Option(names = "--hidden", defaultValue = "256", description = "Recurrent state width.") int hidden;
  @Option(names = "--attention-units", defaultValue = "128", description = "Width of the attention's hidden layer.") int attentionUnits;
  @Option(names = "--epochs", defaultValue = "10", description = "Passes over the training data.") int epochs;
  @Option(names = "--minutes", defaultValue = "0", description = "Stop training after this many minutes (0: no limit).") double minutes;
  @Option(names = "--batch-size", defaultValue = "64", description = "Samples per training step.") int batchSize;
  @Option(names = "--lr", defaultValue = "2e-3", description = "Adam's learning rate.") float lr;
  @Option(names = "--clip", defaultValue = "1.0", description = "Gradient-norm clipping (0: off).") double clip;
  @Option(names = "--label-smoothing", defaultValue = "0.1", description = "Spread this much of each target over all classes.") float smoothing;
  @Option(names = "--max-len", defaultValue = "30", description = "Drop training pairs with a side longer than this (tokens).") int maxLen;
  @Option(names = "--min-count", defaultValue = "2", description = "Vocabulary: tokens seen fewer times become <unk>.") int minCount;
  @Option(names = "--limit", defaultValue = "0", description = "Use at most this many training pairs (0: all).") int limit;
  @Option(names = "--eval-limit", defaultValue = "0", description = "Evaluate BLEU on at most this many test pairs (0: all).") int evalLimit;
  @Option(names = "--beam", defaultValue = "5", description = "Beam width for the beam-search BLEU (1: greedy only).") int beam;
  @Option(names = "--alpha", defaultValue = "0.6", description = "GNMT length penalty for beam search.") double alpha;
  @Option(names = "--tokens", defaultValue = "neurite", description = "TSV tokenisation: neurite (Neurite's tokenizer, lower case; default) or whitespace (pre-tokenised text).") String tokens;
  @Option(names = "--seed", defaultValue = "1", description = "Random seed: weights, shuffling, augmentation.") long seed;

  @Option(names = "--out", required = true, description = "Output folder: model/ and results.txt.")
  Path out;

  @picocli.CommandLine.Mixin
  Quiet quiet;

  @Override
  public Integer call() throws Exception {
    return run(this);
  }

  record Data(List<ParallelCorpus.Pair> train, List<ParallelCorpus.Pair> valid, List<ParallelCorpus.Pair> test, boolean whitespace) {}

  static Data load(String spec, int maxLen, long seed, boolean neuriteTokenizer) throws IOException {
    if (spec.startsWith("multi30k:")) {
      String[] parts = spec.substring("multi30k:".length()).split(":");
      Path dir = Path.of(parts[0]);
      String[] langs = (parts.length > 1 ? parts[1] : "en-de").split("-");
      if (langs.length != 2) throw new IllegalArgumentException("--pairs " + spec + ": expected multi30k:DIR[:SRC-TGT], e.g. multi30k:data/multi30k:en-de");
      return new Data(ParallelCorpus.filter(ParallelCorpus.multi30k(dir, "train", langs[0], langs[1]), maxLen),
          ParallelCorpus.multi30k(dir, "val", langs[0], langs[1]), ParallelCorpus.multi30k(dir, "test_2016_flickr", langs[0], langs[1]), true);
    }
    Path file = Path.of(spec);
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException("--pairs " + spec + ": no such file; expected FILE.tsv or multi30k:DIR");
    var all = ParallelCorpus.readTsv(file, neuriteTokenizer ? new Tokenizer() : null);
    var split = ParallelCorpus.split(all, 0.05, 0.05, seed);
    return new Data(ParallelCorpus.filter(split.train(), maxLen), split.valid(), split.test(), !neuriteTokenizer);
  }

  static Integer run(TrainTranslate o) throws Exception {
    if (!List.of("gru-attention", "gru", "lstm-attention", "lstm", "transformer").contains(o.arch))
      throw new IllegalArgumentException("--arch " + o.arch + ": expected gru-attention, gru, lstm-attention, lstm or transformer");
    if (!List.of("additive", "general", "dot").contains(o.score))
      throw new IllegalArgumentException("--score " + o.score + ": expected additive, general or dot");
    if (o.sharedEmbeddings && !o.arch.equals("transformer"))
      throw new IllegalArgumentException("--shared-embeddings: only for --arch transformer");
    var tf = TranslationTrainer.TeacherForcing.parse(o.teacherForcing);
    Seeds.set(o.seed);
    if (!o.tokens.equals("neurite") && !o.tokens.equals("whitespace"))
      throw new IllegalArgumentException("--tokens " + o.tokens + ": expected neurite or whitespace");
    Data d = load(o.pairs, o.maxLen, o.seed, o.tokens.equals("neurite"));
    List<ParallelCorpus.Pair> train = d.train();
    if (o.limit > 0 && train.size() > o.limit) train = train.subList(0, o.limit);
    Vocabulary src, tgt;
    if (o.sharedEmbeddings) src = tgt = jointVocabulary(train, o.minCount);
    else {
      src = ParallelCorpus.vocabulary(train, true, o.minCount, 0);
      tgt = ParallelCorpus.vocabulary(train, false, o.minCount, 0);
    }
    TranslationModel model = o.arch.equals("transformer")
        ? new TransformerSeq2Seq(new TransformerSeq2Seq.Config(src.size(), tgt.size(), o.embed, o.heads, o.ff, o.layers, o.layers,
            o.dropout, o.normFirst, o.sharedEmbeddings, tgt.bos(), tgt.eos()))
        : new Seq2Seq(new Seq2Seq.Config(src.size(), tgt.size(), o.embed, o.hidden, !o.unidirectional,
            o.arch.endsWith("-attention"), o.attentionUnits, tgt.bos(), tgt.eos(), o.arch.startsWith("lstm") ? "lstm" : "gru", o.score));
    if (!o.quiet.on) System.out.printf(Locale.ROOT, "%s: %d training pairs, vocabularies %d / %d, %,d parameters%n", model, train.size(), src.size(),
        tgt.size(), model.module().parameterCount());
    List<int[]> s = new ArrayList<>(), t = new ArrayList<>(), vs = new ArrayList<>(), vt = new ArrayList<>();
    encode(train, src, tgt, s, t);
    encode(d.valid(), src, tgt, vs, vt);
    var trainer = new TranslationTrainer(model, new TranslationTrainer.Options(o.batchSize, o.lr, o.clip, o.smoothing, o.seed, tf, o.epochs));
    var translator = new Translator(model, src, tgt, d.whitespace(), Math.max(o.maxLen * 2, 50));
    long start = System.nanoTime();
    StringBuilder log = new StringBuilder();
    long deadline = o.minutes > 0 ? start + (long) (o.minutes * 6e10) : Long.MAX_VALUE;
    for (int e = 1; e <= o.epochs; e++) {
      double ratio = trainer.teacherForcingRatio();
      double loss = trainer.epoch(s, t, deadline);
      double valid = validLoss(model, vs, vt, o.batchSize);
      double min = (System.nanoTime() - start) / 6e10;
      String line = String.format(Locale.ROOT, "epoch %d: train loss %.4f, valid loss %.4f (no smoothing), %.1f min", e, loss, valid, min)
          + (tf.equals(TranslationTrainer.TeacherForcing.ALWAYS) ? "" : String.format(Locale.ROOT, ", teacher forcing %.3f", ratio));
      if (!o.quiet.on) System.out.println(line);
      log.append(line).append('\n');
      translator.save(o.out.resolve("model"));
      if (System.nanoTime() - deadline > 0) break;
    }
    List<ParallelCorpus.Pair> test = d.test();
    if (o.evalLimit > 0 && test.size() > o.evalLimit) test = test.subList(0, o.evalLimit);
    List<String> inputs = new ArrayList<>(), refs = new ArrayList<>(), greedy = new ArrayList<>(), beamed = new ArrayList<>();
    for (var p : test) {
      inputs.add(String.join(" ", p.source()));
      refs.add(String.join(" ", p.target()));
    }
    // the test inputs are already tokens: a whitespace translator reads them back unchanged
    var evalTranslator = new Translator(model, src, tgt, true, Math.max(o.maxLen * 2, 50));
    greedy.addAll(EvalCommand.translate(evalTranslator, inputs, 64, 1, 0.0));
    String g = "test BLEU greedy (" + test.size() + " sentences): " + Bleu.corpus(greedy, refs);
    System.out.println(g);
    log.append(g).append('\n');
    if (o.beam > 1) {
      beamed.addAll(EvalCommand.translate(evalTranslator, inputs, 32, o.beam, o.alpha));
      String b = "test BLEU beam " + o.beam + " alpha " + o.alpha + ": " + Bleu.corpus(beamed, refs);
      System.out.println(b);
      log.append(b).append('\n');
    }
    for (int i = 0; i < Math.min(3, test.size()); i++)
      log.append("src: ").append(inputs.get(i)).append("\nref: ").append(refs.get(i)).append("\nhyp: ").append(greedy.get(i)).append('\n');
    org.neurite.io.AtomicFiles.writeString(o.out.resolve("results.txt"), log);
    System.out.println("model written to " + o.out.resolve("model"));
    return 0;
  }

  static void encode(List<ParallelCorpus.Pair> pairs, Vocabulary src, Vocabulary tgt, List<int[]> s, List<int[]> t) {
    for (var p : pairs) {
      s.add(ParallelCorpus.encodeSource(src, p.source()));
      t.add(ParallelCorpus.encodeTarget(tgt, p.target()));
    }
  }

  /** One vocabulary over both sides, for shared embeddings. */
  static Vocabulary jointVocabulary(List<ParallelCorpus.Pair> pairs, int minCount) {
    List<List<String>> seqs = new ArrayList<>();
    for (var p : pairs) {
      seqs.add(p.source());
      seqs.add(p.target());
    }
    return Vocabulary.builder().minCount(minCount).unk(true).bos(true).eos(true).build(seqs);
  }

  static double validLoss(TranslationModel model, List<int[]> s, List<int[]> t, int batch) {
    if (s.isEmpty()) return Double.NaN;
    model.module().eval();
    double total = 0;
    int n = 0;
    int[] order = new int[s.size()];
    for (int i = 0; i < order.length; i++) order[i] = i;
    try (var g = GradMode.off()) {
      for (int from = 0; from < order.length; from += batch) {
        Tensor[] b = TranslationTrainer.batch(s, t, order, from, Math.min(order.length, from + batch));
        total += model.loss(b[0], b[1], b[2], 0f, 1.0, null).item();
        n++;
      }
    }
    model.module().train(true);
    return total / n;
  }
}
