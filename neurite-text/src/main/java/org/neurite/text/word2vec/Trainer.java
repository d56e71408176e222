package org.neurite.text.word2vec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The training loop of {@link Word2Vec}, as the word2vec C tool writes it: skip-gram or CBOW, with
 * negative sampling and/or hierarchical softmax, frequent-word subsampling, a randomly shrunk window,
 * and a learning rate decaying linearly from {@code alpha} to {@code minAlpha} over all epochs. Where
 * gensim departs from the C tool (subsampling formula, CBOW-sum error split, no update for saturated
 * scores, initial range) it follows gensim, the peer it is measured against.
 *
 * <p>Threads: {@code workers} platform threads, each pulling batches of about 10,000 words from the
 * corpus and updating the shared weight arrays with no locks (Hogwild!, as the C tool and gensim do:
 * two threads rarely touch the same row at once, and a lost update costs less than a lock). The
 * workers are started here and not on {@link org.neurite.kernels.Parallel}: that pool runs short,
 * evenly split loops and returns, runs nested calls inline, and is sized to the cores; word2vec needs
 * {@code workers} long-lived threads that pull work of unknown length from a stream, each keeping its
 * own random generator so that one worker and a seed give the same vectors every run.
 *
 * <p>Random numbers: the C tool's 48-bit linear congruential generator, one per worker.
 */
final class Trainer {
  /** Progress off a terminal goes to the library logger (gensim logs it at INFO too); the CLI shows it on stderr. */
  private static final System.Logger LOG = System.getLogger("org.neurite.text.word2vec");
  private static final int EXP_TABLE_SIZE = 1000, MAX_EXP = 6;
  private static final float EXP_SCALE = EXP_TABLE_SIZE / (2f * MAX_EXP);
  /** sigmoid(x) for x in [-MAX_EXP, MAX_EXP), as the C tool's expTable. */
  private static final float[] SIGMOID = new float[EXP_TABLE_SIZE];
  static final long LCG_MUL = 25214903917L, LCG_ADD = 11, MASK48 = (1L << 48) - 1;
  /** 16 floats or ints: 64 bytes, a cache line of margin at both ends of a worker's scratch arrays. */
  private static final int PAD = 16;

  static {
    for (int i = 0; i < EXP_TABLE_SIZE; i++) {
      double e = Math.exp((i / (double) EXP_TABLE_SIZE * 2 - 1) * MAX_EXP);
      SIGMOID[i] = (float) (e / (e + 1));
    }
  }

  private final Word2Vec.Config cfg;
  private final float[] syn0, syn1neg, syn1;
  private final int stride;
  private final int[] sampleInts;   // keep word w when sampleInts[w] (unsigned) >= a random 32-bit number
  private final Huffman huffman;
  private final UnigramTable unigram;
  private final long totalWords;    // tokens in all epochs, for the learning-rate schedule
  private final AtomicLong rawDone = new AtomicLong(), effectiveDone = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  Trainer(Word2Vec.Config cfg, Vocab vocab, long corpusWords, float[] syn0, float[] syn1neg, float[] syn1, int stride) {
    this.cfg = cfg;
    this.syn0 = syn0;
    this.syn1neg = syn1neg;
    this.syn1 = syn1;
    this.stride = stride;
    this.totalWords = Math.max(1, corpusWords * cfg.epochs());
    this.sampleInts = cfg.sample() > 0 ? sampleInts(vocab.counts, cfg.sample()) : null;
    this.huffman = cfg.hs() ? Huffman.build(vocab.counts) : null;
    this.unigram = cfg.negative() > 0 ? new UnigramTable(vocab.counts, cfg.nsExponent()) : null;
  }

  /**
   * gensim's downsampling: with t = sample * (words kept), a word seen c times is kept with probability
   * (sqrt(c / t) + 1) * t / c (capped at 1), stored as a 32-bit threshold.
   */
  static int[] sampleInts(long[] counts, double sample) {
    long retain = 0;
    for (long c : counts) retain += c;
    double threshold = sample < 1 ? sample * retain : sample * (3 + Math.sqrt(5)) / 2;
    int[] s = new int[counts.length];
    for (int i = 0; i < counts.length; i++) {
      double p = (Math.sqrt(counts[i] / threshold) + 1) * (threshold / counts[i]);
      s[i] = (int) Math.min(0xFFFFFFFFL, Math.round(Math.min(1, p) * 4294967296.0));
    }
    return s;
  }

  /** Trains every epoch over {@code corpus}; returns the totals. */
  Word2Vec.TrainingStats run(Corpus corpus, Vocab vocab) {
    int n = cfg.workers();
    Worker[] workers = new Worker[n];
    long t0 = System.nanoTime();
    double every = cfg.progressSeconds();
    long lastReport = t0;
    // On a terminal a bar, as fit's; otherwise a log line every progressSeconds.
    var bar = every > 0 ? org.neurite.train.ProgressBar.start("word2vec", totalWords) : null;
    long barDone = 0;
    for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
      try (Corpus.Feed feed = corpus.feed(vocab, cfg.maxSentenceLength())) {
        Thread[] threads = new Thread[n];
        for (int k = 0; k < n; k++) {
          int index = k;
          // False sharing: allocated back to back by this thread, one worker's random state and token
          // cursor shared cache lines with the next one's, and two threads ran like 1.1. So each worker
          // allocates its state on its own thread (in its own TLAB), behind a spacer that keeps it off the
          // cache line of whatever ends the previous TLAB; nothing is allocated while training, so no GC
          // moves it.
          threads[k] = Thread.ofPlatform().name("word2vec-" + k).daemon().start(() -> {
            byte[] spacer = new byte[128];
            try {
              if (workers[index] == null) workers[index] = new Worker(index);
              workers[index].epoch(feed.source());
              java.lang.ref.Reference.reachabilityFence(spacer);
            } catch (Throwable e) {
              failure.compareAndSet(null, e);
            }
          });
        }
        for (Thread t : threads) {
          while (t.isAlive()) {
            t.join(100);
            long now = System.nanoTime();
            if (bar != null && bar.visible()) {
              long raw = rawDone.get();
              bar.advance(raw - barDone);
              barDone = raw;
            } else if (every > 0 && (now - lastReport) / 1e9 >= every) {
              lastReport = now;
              double s = (now - t0) / 1e9, done = rawDone.get() / (double) totalWords;
              int e = epoch + 1;
              LOG.log(System.Logger.Level.INFO, () -> String.format(Locale.ROOT,
                  "word2vec: epoch %d/%d, %.1f%% done, %.0f effective words/s, alpha %.6f",
                  e, cfg.epochs(), 100 * Math.min(1, done), effectiveDone.get() / s, alpha()));
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("corpus " + corpus + ": " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("word2vec training interrupted", e);
      }
      Throwable f = failure.get();
      if (f instanceof RuntimeException re) throw re;
      if (f instanceof Error er) throw er;
      if (f instanceof IOException io) throw new UncheckedIOException("corpus " + corpus + ": " + io.getMessage(), io);
      if (f != null) throw new IllegalStateException(f);
    }
    if (bar != null) bar.close();
    double seconds = (System.nanoTime() - t0) / 1e9;
    var stats = new Word2Vec.TrainingStats(cfg.epochs(), rawDone.get(), effectiveDone.get(), seconds);
    if (every > 0 && seconds >= every)
      LOG.log(System.Logger.Level.INFO, () -> String.format(Locale.ROOT,
          "word2vec: trained on %d raw words (%d effective) in %.1f s, %.0f effective words/s",
          stats.rawWords(), stats.effectiveWords(), seconds, stats.wordsPerSecond()));
    return stats;
  }

  private float alpha() {
    double progress = Math.min(1, rawDone.get() / (double) totalWords);
    return (float) Math.max(cfg.minAlpha(), cfg.alpha() - (cfg.alpha() - cfg.minAlpha()) * progress);
  }

  /** One thread's state: its random generator and scratch rows. */
  private final class Worker {
    // The generator's state is the middle of 16 longs: 64 bytes of its own array on either side keep it
    // alone on its cache line wherever the array lands.
    private final long[] random = new long[16];
    // The scratch rows and the drawn targets, written for every word, get the same 64 bytes of margin.
    private final float[] neu1 = new float[stride + 2 * PAD], neu1e = new float[stride + 2 * PAD];
    private final int[] negatives = new int[cfg.negative() + 1 + 2 * PAD];
    private final Corpus.Batch batch = new Corpus.Batch(cfg.maxSentenceLength());

    Worker(int index) {
      random[8] = mix(cfg.seed() * 0x9E3779B97F4A7C15L + index) & MASK48;
    }

    /** The next 32 random bits (gensim's {@code random_int32}). */
    private long next32() {
      long x = random[8];
      random[8] = (x * LCG_MUL + LCG_ADD) & MASK48;
      return x >>> 16;
    }

    void epoch(Corpus.Source src) throws IOException {
      while (failure.get() == null && src.next(batch)) {
        float alpha = alpha();
        long kept = train(batch, alpha);
        rawDone.addAndGet(batch.raw);
        effectiveDone.addAndGet(kept);
      }
    }

    /** Subsamples each sentence in place, then trains on it; returns the words kept. */
    private long train(Corpus.Batch b, float alpha) {
      int[] ids = b.ids;
      int w = 0, start = 0;
      for (int s = 0; s < b.sentences; s++) {
        int end = b.ends[s], from = w;
        if (sampleInts == null) {
          System.arraycopy(ids, start, ids, w, end - start);
          w += end - start;
        } else {
          for (int i = start; i < end; i++) {
            int id = ids[i];
            if ((sampleInts[id] & 0xFFFFFFFFL) < next32()) continue;
            ids[w++] = id;
          }
        }
        if (cfg.sg()) skipGram(ids, from, w, alpha);
        else cbow(ids, from, w, alpha);
        start = end;
      }
      return w;
    }

    private void skipGram(int[] ids, int from, int to, float alpha) {
      int window = cfg.window();
      for (int pos = from; pos < to; pos++) {
        int word = ids[pos];
        int shrink = (int) (next32() % window);
        int lo = Math.max(from, pos - window + shrink), hi = Math.min(to, pos + window + 1 - shrink);
        for (int c = lo; c < hi; c++) {
          if (c == pos) continue;
          int l1 = ids[c] * stride;   // the context word's input row predicts the centre word
          Arrays.fill(neu1e, PAD, PAD + stride, 0f);
          outputs(word, syn0, l1, alpha);
          Kernels.axpy(1f, neu1e, PAD, syn0, l1, stride);
        }
      }
    }

    private void cbow(int[] ids, int from, int to, float alpha) {
      int window = cfg.window();
      for (int pos = from; pos < to; pos++) {
        int word = ids[pos];
        int shrink = (int) (next32() % window);
        int lo = Math.max(from, pos - window + shrink), hi = Math.min(to, pos + window + 1 - shrink);
        Arrays.fill(neu1, PAD, PAD + stride, 0f);
        int count = 0;
        for (int c = lo; c < hi; c++) {
          if (c == pos) continue;
          Kernels.axpy(1f, syn0, ids[c] * stride, neu1, PAD, stride);
          count++;
        }
        if (count == 0) continue;
        float inv = 1f / count;
        if (cfg.cbowMean()) Kernels.scale(inv, neu1, PAD, stride);
        Arrays.fill(neu1e, PAD, PAD + stride, 0f);
        outputs(word, neu1, PAD, alpha);
        // gensim's sum mode divides the error among the summed words; mean mode passes it whole (C tool).
        if (!cfg.cbowMean()) Kernels.scale(inv, neu1e, PAD, stride);
        for (int c = lo; c < hi; c++) {
          if (c != pos) Kernels.axpy(1f, neu1e, PAD, syn0, ids[c] * stride, stride);
        }
      }
    }

    /** Hierarchical softmax and negative sampling for predicting {@code word} from hidden row h; error into neu1e. */
    private void outputs(int word, float[] h, int ho, float alpha) {
      if (huffman != null) {
        for (int d = huffman.start[word], end = huffman.start[word + 1]; d < end; d++) {
          int l2 = huffman.points[d] * stride;
          float f = Kernels.dot(h, ho, syn1, l2, stride);
          if (f <= -MAX_EXP || f >= MAX_EXP) continue;
          float g = (1 - huffman.codes[d] - sigmoid(f)) * alpha;
          Kernels.update(g, h, ho, syn1, l2, neu1e, PAD, stride);
        }
      }
      int neg = cfg.negative();
      if (neg > 0) {
        // Draw every target first: their table reads and row loads then overlap in the memory system.
        negatives[PAD] = word;
        for (int d = 1; d <= neg; d++) negatives[PAD + d] = unigram.draw(next32(), next32());
        for (int d = 0; d <= neg; d++) {
          int target = negatives[PAD + d];
          if (d > 0 && target == word) continue;
          int l2 = target * stride;
          float f = Kernels.dot(h, ho, syn1neg, l2, stride);
          // Saturated scores get no update, as gensim does (the C tool clips instead, pushing a negative
          // with f >= 6 at full rate): with clipping, CBOW lost about a point of analogy accuracy here.
          if (f <= -MAX_EXP || f >= MAX_EXP) continue;
          float g = ((d == 0 ? 1 : 0) - sigmoid(f)) * alpha;
          Kernels.update(g, h, ho, syn1neg, l2, neu1e, PAD, stride);
        }
      }
    }
  }

  /** sigmoid(f) from the table, for -MAX_EXP < f < MAX_EXP (the min guards f + 6 rounding up to 12). */
  private static float sigmoid(float f) {
    return SIGMOID[Math.min(EXP_TABLE_SIZE - 1, (int) ((f + MAX_EXP) * EXP_SCALE))];
  }

  /** SplitMix64's finaliser: spreads a seed over all bits. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
