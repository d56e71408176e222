package org.neurite.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.neurite.text.word2vec.Evaluation;
import org.neurite.text.word2vec.KeyedVectors;
import org.neurite.text.word2vec.Word2Vec;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code neurite word2vec}: train word vectors on a text file (one sentence per line) and query or
 * evaluate vector files in the word2vec C text or binary format (or GloVe text). A thin shell over
 * {@code org.neurite.text.word2vec}; the options are the C tool's and gensim's.
 */
@Command(name = "word2vec", description = "Train word vectors, find similar words, solve analogies, evaluate.",
    subcommands = {Word2VecCommand.Train.class, Word2VecCommand.Similar.class, Word2VecCommand.Analogy.class,
        Word2VecCommand.Eval.class})
final class Word2VecCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 2;
  }

  @Command(name = "train", description = "Train vectors on a text file (one sentence per line, whitespace-separated words).")
  static final class Train implements Callable<Integer> {
    @Option(names = "--corpus", required = true, paramLabel = "FILE", description = "Training text.")
    Path corpus;

    @Option(names = "--out", required = true, paramLabel = "FILE",
        description = "Vectors to write: word2vec binary, or text when the name ends in .txt or .vec (or with --text).")
    Path out;

    @ArgGroup(exclusive = true)
    Arch arch;

    static final class Arch {
      @Option(names = "--sg", description = "Skip-gram.")
      boolean sg;

      @Option(names = "--cbow", description = "CBOW (the default).")
      boolean cbow;
    }

    @Option(names = "--size", defaultValue = "100", description = "Vector size.")
    int size;

    @Option(names = "--window", defaultValue = "5", description = "Max context distance.")
    int window;

    @Option(names = "--negative", defaultValue = "5", description = "Negative samples, 0 = none.")
    int negative;

    @Option(names = "--hs", description = "Hierarchical softmax.")
    boolean hs;

    @Option(names = "--sample", defaultValue = "1e-3", description = "Downsampling of frequent words, 0 = off.")
    double sample;

    @Option(names = "--min-count", defaultValue = "5", description = "Ignore words seen fewer times.")
    int minCount;

    @Option(names = "--epochs", defaultValue = "5", description = "Passes over the corpus.")
    int epochs;

    @Option(names = "--threads", description = "Training threads (default: the machine's cores).")
    Integer threads;

    @Option(names = "--alpha", defaultValue = "0.025", description = "Initial learning rate.")
    double alpha;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed.")
    long seed;

    @Option(names = "--text", description = "Write the text format whatever the file name.")
    boolean text;

    @picocli.CommandLine.Mixin
    Quiet quiet;

    @Override
    public Integer call() throws IOException {
      var b = Word2Vec.builder().vectorSize(size).window(window).negative(negative).hs(hs).sample(sample)
          .minCount(minCount).epochs(epochs).alpha(alpha).seed(seed);
      if (threads != null) b.workers(threads);
      if (quiet.on) b.progressSeconds(0);
      if (arch != null && arch.sg) b.sg();
      Word2Vec w2v = b.build();
      PrintStream o = System.out;
      w2v.buildVocab(Inputs.file("corpus file", corpus));
      o.printf(Locale.ROOT, "vocabulary: %d words (min count %d) from %s%n", w2v.vocab().size(), minCount, corpus);
      w2v.train(corpus);
      Word2Vec.TrainingStats st = w2v.lastTraining();
      o.printf(Locale.ROOT, "trained %s, %d epochs: %d words (%d after subsampling) in %.1f s, %.0f words/s%n",
          w2v.config().sg() ? "skip-gram" : "CBOW", epochs, st.rawWords(), st.effectiveWords(), st.seconds(),
          st.wordsPerSecond());
      String name = out.getFileName().toString();
      boolean asText = text || name.endsWith(".txt") || name.endsWith(".vec");
      w2v.wv().save(out, !asText);
      o.printf(Locale.ROOT, "wrote %s (%s, %d x %d)%n", out, asText ? "text" : "binary", w2v.wv().size(), size);
      return 0;
    }
  }

  @Command(name = "similar", description = "The words nearest to WORD by cosine similarity.")
  static final class Similar implements Callable<Integer> {
    @Option(names = "--vectors", required = true, paramLabel = "FILE", description = "word2vec text/binary or GloVe file.")
    Path vectors;

    @Option(names = "--top", defaultValue = "10", description = "How many.")
    int top;

    @Parameters(paramLabel = "WORD")
    String word;

    @Override
    public Integer call() throws IOException {
      print(KeyedVectors.load(Inputs.file("vectors file", vectors)).mostSimilar(word, top));
      return 0;
    }
  }

  @Command(name = "analogy", description = "A is to B as C is to ? (3CosAdd, or 3CosMul with --cosmul).")
  static final class Analogy implements Callable<Integer> {
    @Option(names = "--vectors", required = true, paramLabel = "FILE", description = "word2vec text/binary or GloVe file.")
    Path vectors;

    @Option(names = "--top", defaultValue = "5", description = "How many.")
    int top;

    @Option(names = "--cosmul", description = "Use 3CosMul instead of 3CosAdd.")
    boolean cosmul;

    @Parameters(arity = "3", paramLabel = "WORD", description = "A B C")
    List<String> words;

    @Override
    public Integer call() throws IOException {
      KeyedVectors kv = KeyedVectors.load(Inputs.file("vectors file", vectors));
      String a = words.get(0), b = words.get(1), c = words.get(2);
      System.out.printf(Locale.ROOT, "%s : %s :: %s : ?%n", a, b, c);
      print(cosmul ? kv.analogyCosMul(a, b, c, top) : kv.analogy(a, b, c, top));
      return 0;
    }
  }

  @Command(name = "eval", description = "Analogy accuracy (questions-words.txt) and word-similarity Spearman (WordSim-353).")
  static final class Eval implements Callable<Integer> {
    @Option(names = "--vectors", required = true, paramLabel = "FILE", description = "word2vec text/binary or GloVe file.")
    Path vectors;

    @Option(names = "--analogies", paramLabel = "FILE", description = "questions-words.txt-style file.")
    Path analogies;

    @Option(names = "--similarity", paramLabel = "FILE", description = "word1<TAB>word2<TAB>score file.")
    Path similarity;

    @Option(names = "--restrict-vocab", defaultValue = "300000", description = "Use the most frequent N words (gensim's default).")
    int restrict;

    @Override
    public Integer call() throws IOException {
      if (analogies == null && similarity == null)
        throw new IllegalArgumentException("word2vec eval: nothing to do; give --analogies FILE and/or --similarity FILE");
      KeyedVectors kv = KeyedVectors.load(Inputs.file("vectors file", vectors));
      PrintStream o = System.out;
      if (analogies != null) {
        Evaluation.Analogies r = Evaluation.analogies(kv, Inputs.file("analogies file", analogies), restrict, true);
        for (Evaluation.Section s : r.sections()) o.println("  " + s);
        o.println(r.total());
        o.printf(Locale.ROOT, "questions: %d, answered %d (%.1f%%), out of vocabulary %d%n", r.questions(),
            r.questions() - r.outOfVocabulary(), 100 * r.coverage(), r.outOfVocabulary());
      }
      if (similarity != null) {
        Evaluation.WordPairs p = Evaluation.wordPairs(kv, Inputs.file("similarity file", similarity), restrict, true);
        o.printf(Locale.ROOT, "%s: Spearman %.4f, Pearson %.4f over %d pairs (%d out of vocabulary)%n",
            similarity.getFileName(), p.spearman(), p.pearson(), p.pairs(), p.outOfVocabulary());
      }
      return 0;
    }
  }

  private static void print(List<KeyedVectors.Similar> result) {
    for (KeyedVectors.Similar s : result) System.out.printf(Locale.ROOT, "%-20s %.4f%n", s.word(), s.similarity());
  }
}
