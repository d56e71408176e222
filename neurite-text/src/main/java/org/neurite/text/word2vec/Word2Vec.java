package org.neurite.text.word2vec;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Word2Vec (Mikolov et al. 2013, "Efficient Estimation of Word Representations in Vector Space" and
 * "Distributed Representations of Words and Phrases"): learns a vector per word such that words in
 * similar contexts get similar vectors. Skip-gram or CBOW (mean or sum of the context), trained with
 * negative sampling and/or hierarchical softmax; the defaults are gensim's.
 *
 * <pre>{@code
 * var w2v = Word2Vec.builder().vectorSize(100).window(5).minCount(1).workers(4).build().train(sentences);
 * float[] love = w2v.wv().get("love");
 * w2v.wv().mostSimilar("love", 10);
 * }</pre>
 *
 * <p>Lifecycle: {@link #buildVocab} scans a corpus and allocates the weights (rows initialised uniform
 * in [-1/size, 1/size) as gensim 4 does, output rows zero); {@link #train} runs {@code epochs} passes over a corpus
 * (building the vocabulary first if there is none); {@link #updateVocab} adds the new words of another
 * corpus, keeping the trained rows, before training on it. The learning-rate schedule assumes the
 * corpus trained on is the one last scanned. Not thread-safe: train one model from one thread (it
 * starts its own {@code workers}).
 *
 * <p>Limits: each weight matrix is one Java array, so vocabulary size x vectorSize (rounded up to the
 * SIMD width) must stay under 2^31 floats (e.g. 20M words at size 100).
 */
public final class Word2Vec {
  /**
   * Everything that defines a training run.
   *
   * @param vectorSize dimensions of the word vectors (gensim {@code vector_size}, default 100)
   * @param window max distance between the centre word and a context word; each position uses a random
   *     window of 1..window (default 5)
   * @param minCount words seen fewer times are ignored (default 5)
   * @param maxVocabSize while counting, prune the rarest words whenever more than this many are held;
   *     0 = no limit (default 0)
   * @param maxFinalVocab raise minCount so that at most this many words are kept; 0 = no limit
   * @param sample downsampling threshold for frequent words, 0 = off (default 1e-3)
   * @param sg skip-gram when true, CBOW when false (default false, as gensim)
   * @param hs hierarchical softmax (default false)
   * @param negative noise words per positive example, 0 = no negative sampling (default 5)
   * @param nsExponent exponent of the unigram counts for negative sampling (default 0.75)
   * @param cbowMean CBOW averages the context vectors when true, sums them when false (default true)
   * @param alpha initial learning rate (default 0.025)
   * @param minAlpha learning rate at the end of the last epoch (default 0.0001)
   * @param epochs passes over the corpus (default 5)
   * @param workers training threads (default: the machine's cores)
   * @param seed random seed; with one worker the same seed gives the same vectors (default 1)
   * @param maxSentenceLength longer sentences are cut into pieces (default 10000)
   * @param progressSeconds log progress (System.Logger "org.neurite.text.word2vec", INFO) this often; 0 = never (default 5)
   */
  public record Config(int vectorSize, int window, int minCount, int maxVocabSize, int maxFinalVocab, double sample,
                       boolean sg, boolean hs, int negative, double nsExponent, boolean cbowMean, double alpha,
                       double minAlpha, int epochs, int workers, long seed, int maxSentenceLength,
                       double progressSeconds) {
    public Config {
      positive("vectorSize", vectorSize);
      positive("window", window);
      positive("epochs", epochs);
      positive("workers", workers);
      positive("maxSentenceLength", maxSentenceLength);
      atLeast0("minCount", minCount);
      atLeast0("maxVocabSize", maxVocabSize);
      atLeast0("maxFinalVocab", maxFinalVocab);
      atLeast0("negative", negative);
      if (!(sample >= 0)) throw new IllegalArgumentException("Word2Vec: sample (" + sample + ") must be >= 0");
      if (!(alpha > 0)) throw new IllegalArgumentException("Word2Vec: alpha (" + alpha + ") must be > 0");
      if (!(minAlpha >= 0 && minAlpha <= alpha))
        throw new IllegalArgumentException("Word2Vec: minAlpha (" + minAlpha + ") must be in [0, alpha=" + alpha + "]");
      if (!(progressSeconds >= 0))
        throw new IllegalArgumentException("Word2Vec: progressSeconds (" + progressSeconds + ") must be >= 0");
      if (!hs && negative == 0)
        throw new IllegalArgumentException("Word2Vec: negative=0 and hs=false leave nothing to train; set negative > 0 or hs=true");
    }

    private static void positive(String name, int v) {
      if (v < 1) throw new IllegalArgumentException("Word2Vec: " + name + " (" + v + ") must be >= 1");
    }

    private static void atLeast0(String name, int v) {
      if (v < 0) throw new IllegalArgumentException("Word2Vec: " + name + " (" + v + ") must be >= 0");
    }
  }

  /** What a call to {@link #train} did: tokens read, words trained on after subsampling, wall seconds. */
  public record TrainingStats(int epochs, long rawWords, long effectiveWords, double seconds) {
    /** Effective (trained-on) words per second, the figure gensim logs. */
    public double wordsPerSecond() {
      return seconds > 0 ? effectiveWords / seconds : 0;
    }
  }

  /** gensim's defaults, except {@code workers}, which defaults to the machine's cores. */
  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private int vectorSize = 100, window = 5, minCount = 5, maxVocabSize, maxFinalVocab, negative = 5, epochs = 5;
    private int workers = Runtime.getRuntime().availableProcessors(), maxSentenceLength = 10_000;
    private double sample = 1e-3, nsExponent = 0.75, alpha = 0.025, minAlpha = 0.0001, progressSeconds = 5;
    private boolean sg, hs, cbowMean = true;
    private long seed = 1;

    private Builder() {}

    public Builder vectorSize(int v) { vectorSize = v; return this; }
    public Builder window(int v) { window = v; return this; }
    public Builder minCount(int v) { minCount = v; return this; }
    public Builder maxVocabSize(int v) { maxVocabSize = v; return this; }
    public Builder maxFinalVocab(int v) { maxFinalVocab = v; return this; }
    public Builder sample(double v) { sample = v; return this; }
    /** Skip-gram. */
    public Builder sg() { sg = true; return this; }
    /** CBOW (the default). */
    public Builder cbow() { sg = false; return this; }
    public Builder hs(boolean v) { hs = v; return this; }
    public Builder negative(int v) { negative = v; return this; }
    public Builder nsExponent(double v) { nsExponent = v; return this; }
    public Builder cbowMean(boolean v) { cbowMean = v; return this; }
    public Builder alpha(double v) { alpha = v; return this; }
    public Builder minAlpha(double v) { minAlpha = v; return this; }
    public Builder epochs(int v) { epochs = v; return this; }
    public Builder workers(int v) { workers = v; return this; }
    public Builder seed(long v) { seed = v; return this; }
    public Builder maxSentenceLength(int v) { maxSentenceLength = v; return this; }
    public Builder progressSeconds(double v) { progressSeconds = v; return this; }

    public Word2Vec build() {
      return new Word2Vec(new Config(vectorSize, window, minCount, maxVocabSize, maxFinalVocab, sample, sg, hs, negative,
          nsExponent, cbowMean, alpha, minAlpha, epochs, workers, seed, maxSentenceLength, progressSeconds));
    }
  }

  private final Config config;
  private final int stride;
  private Vocab vocab;
  private long corpusWords;          // tokens in the corpus last scanned
  private float[] syn0, syn1neg, syn1;   // [V, stride]: input vectors, negative-sampling and Huffman-node outputs
  private KeyedVectors wv;
  private TrainingStats lastTraining;

  public Word2Vec(Config config) {
    this.config = config;
    this.stride = Kernels.stride(config.vectorSize());
  }

  public Config config() {
    return config;
  }

  /** The vocabulary; throws until {@link #buildVocab} or {@link #train} has run. */
  public Vocab vocab() {
    requireVocab("vocab");
    return vocab;
  }

  /** The word vectors, backed by the model's weights (they change as it trains). */
  public KeyedVectors wv() {
    requireVocab("wv");
    return wv;
  }

  /** Totals of the last {@link #train} call, or null. */
  public TrainingStats lastTraining() {
    return lastTraining;
  }

  public Word2Vec buildVocab(Iterable<? extends List<String>> sentences) {
    return buildVocab(Corpus.of(sentences));
  }

  public Word2Vec buildVocab(Path corpusFile) {
    return buildVocab(Corpus.lines(corpusFile));
  }

  /** Scans the corpus, keeps the words seen {@code minCount} times, and initialises fresh weights. */
  public Word2Vec buildVocab(Corpus corpus) {
    Corpus.Scan scan = scan(corpus);
    long min = Vocab.effectiveMinCount(scan.counts(), config.minCount(), config.maxFinalVocab());
    Vocab v = Vocab.build(scan.counts(), min);
    if (v.size() == 0)
      throw new IllegalArgumentException("Word2Vec.buildVocab: no word of " + corpus + " occurs minCount=" + min + " times ("
          + scan.words() + " tokens, " + scan.counts().size() + " distinct); lower minCount");
    checkSize(v.size());
    vocab = v;
    corpusWords = scan.words();
    syn0 = new float[v.size() * stride];
    initRows(syn0, 0, v.size());
    syn1neg = config.negative() > 0 ? new float[v.size() * stride] : null;
    syn1 = config.hs() ? new float[v.size() * stride] : null;
    wv = new KeyedVectors(v.words, v.table, syn0, config.vectorSize(), stride);
    return this;
  }

  public Word2Vec updateVocab(Iterable<? extends List<String>> sentences) {
    return updateVocab(Corpus.of(sentences));
  }

  public Word2Vec updateVocab(Path corpusFile) {
    return updateVocab(Corpus.lines(corpusFile));
  }

  /**
   * Adds the words of a further corpus (gensim's {@code build_vocab(update=True)}): known words keep
   * their trained rows and add the new counts; new words get fresh rows. Train on the corpus next.
   */
  public Word2Vec updateVocab(Corpus corpus) {
    requireVocab("updateVocab");
    Corpus.Scan scan = scan(corpus);
    Vocab v = vocab.extend(scan.counts(), Math.max(1, config.minCount()));
    checkSize(v.size());
    int old = vocab.size();
    vocab = v;
    corpusWords = scan.words();
    syn0 = java.util.Arrays.copyOf(syn0, v.size() * stride);
    initRows(syn0, old, v.size());
    if (syn1neg != null) syn1neg = java.util.Arrays.copyOf(syn1neg, v.size() * stride);
    if (syn1 != null) syn1 = java.util.Arrays.copyOf(syn1, v.size() * stride);
    wv = new KeyedVectors(v.words, v.table, syn0, config.vectorSize(), stride);
    return this;
  }

  public Word2Vec train(Iterable<? extends List<String>> sentences) {
    return train(Corpus.of(sentences));
  }

  public Word2Vec train(Path corpusFile) {
    return train(Corpus.lines(corpusFile));
  }

  /** Trains {@code epochs} passes over the corpus, building the vocabulary from it first if there is none. */
  public Word2Vec train(Corpus corpus) {
    if (vocab == null) buildVocab(corpus);
    Trainer t = new Trainer(config, vocab, corpusWords, syn0, syn1neg, syn1, stride);
    lastTraining = t.run(corpus, vocab);
    wv.invalidate();
    return this;
  }

  private Corpus.Scan scan(Corpus corpus) {
    Corpus.Scan scan = corpus.scan(config.maxSentenceLength(), config.maxVocabSize());
    if (scan.words() == 0)
      throw new IllegalArgumentException("Word2Vec: corpus " + corpus + " is empty; expected sentences of whitespace-separated words");
    return scan;
  }

  private void checkSize(int words) {
    if ((long) words * stride > Integer.MAX_VALUE - 16)
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "Word2Vec: %d words x %d floats per row exceed a Java array (2^31 floats); lower maxFinalVocab or vectorSize",
          words, stride));
  }

  /**
   * Rows [from, to) uniform in [-1/size, 1/size) as gensim 4 draws them (the C tool's range is half that;
   * gensim's gave CBOW about a point more analogy accuracy here), each row from its own seeded generator
   * so that rows do not depend on the vocabulary size.
   */
  private void initRows(float[] w, int from, int to) {
    int dim = config.vectorSize();
    for (int r = from; r < to; r++) {
      long x = Trainer.mix(config.seed() * 0x9E3779B97F4A7C15L ^ (r + 0x632BE59BD9B4E019L)) & Trainer.MASK48;
      for (int i = 0, o = r * stride; i < dim; i++) {
        x = (x * Trainer.LCG_MUL + Trainer.LCG_ADD) & Trainer.MASK48;
        w[o + i] = ((x >>> 24) / 8388608f - 1f) / dim;
      }
    }
  }

  private void requireVocab(String what) {
    if (vocab == null)
      throw new IllegalStateException("Word2Vec." + what + ": no vocabulary yet; call buildVocab(corpus) or train(corpus) first");
  }
}
