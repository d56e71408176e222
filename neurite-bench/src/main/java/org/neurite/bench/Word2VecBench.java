package org.neurite.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.neurite.text.word2vec.Corpus;
import org.neurite.text.word2vec.Evaluation;
import org.neurite.text.word2vec.Word2Vec;

/**
 * {@code neurite bench word2vec CORPUS}: {@code peers/gensim_w2v.py} line for line. For each input path
 * and mode, {@code reps} fresh models (seed = 1..reps) build their vocabulary and train with the seed's
 * settings (size 100, window 5, negative 5, sample 1e-3, min_count 5, CBOW mean), timed separately;
 * prints w2v_train (effective words/s), w2v_train_seconds, w2v_total_seconds, w2v_analogy (accuracy on
 * questions-words.txt, mean over seeds in the median field, as the peer) and w2v_peak_rss.
 *
 * <p>Inputs: {@code iterable} trains from an {@code Iterable<List<String>>} over the file's lines (the
 * peer's {@code LineSentence}); {@code corpus_file} streams the file itself ({@link Corpus#lines}).
 *
 * <p>Not thread-safe: a benchmark run times the whole machine; run one at a time.
 */
public final class Word2VecBench {

  private Word2VecBench() {}

  /**
   * Runs the workloads and prints one line per measurement.
   *
   * @param h the harness that prints the JSON lines
   * @param corpus a text file, one sentence per line
   * @param modes comma list of {@code sg}, {@code cbow}
   * @param inputs comma list of {@code iterable}, {@code corpus_file}
   * @param reps fresh models per mode and input (seeds 1 to reps)
   * @param threads training threads
   * @param epochs epochs per model
   * @param analogies questions-words.txt for analogy accuracy, or {@code null} to skip it
   * @throws IOException if a file cannot be read
   */
  public static void run(Harness h, Path corpus, String modes, String inputs, int reps, int threads, int epochs,
                         Path analogies) throws IOException {
    Map<String, Object> corpusInfo = describe(corpus);
    Integer nq = analogies == null ? null : countQuestions(analogies);
    for (String input : inputs.split(",")) {
      if (!input.equals("iterable") && !input.equals("corpus_file"))
        throw new IllegalArgumentException("bench word2vec: --input " + input + ": expected iterable or corpus_file");
      for (String mode : modes.split(",")) {
        if (!mode.equals("sg") && !mode.equals("cbow"))
          throw new IllegalArgumentException("bench word2vec: --modes " + mode + ": expected sg or cbow");
        Map<String, Object> params = Harness.params("mode", mode, "input", input, "vector_size", 100, "window", 5,
            "negative", 5, "hs", 0, "sample", 1e-3, "min_count", 5, "workers", threads, "epochs", epochs,
            "cbow_mean", 1, "corpus", corpusInfo);
        double[] ewps = new double[reps], trainS = new double[reps], totalS = new double[reps], vocabS = new double[reps];
        double[] accs = new double[reps], covs = new double[reps], others = new double[reps], steals = new double[reps];
        long raw = 0, eff = 0;
        int vocab = 0;
        for (int seed = 1; seed <= reps; seed++) {
          var b = Word2Vec.builder().vectorSize(100).window(5).negative(5).hs(false).sample(1e-3).minCount(5)
              .workers(threads).epochs(epochs).seed(seed).progressSeconds(0);
          Word2Vec model = (mode.equals("sg") ? b.sg() : b.cbow()).build();
          Corpus c = input.equals("iterable") ? Corpus.of(lineSentences(corpus)) : Corpus.lines(corpus);
          Harness.NoiseMeter meter = new Harness.NoiseMeter();
          long t0 = System.nanoTime();
          model.buildVocab(c);
          long t1 = System.nanoTime();
          model.train(c);
          long t2 = System.nanoTime();
          double[] noise = meter.stop();
          int r = seed - 1;
          others[r] = noise[0];
          steals[r] = noise[1];
          Word2Vec.TrainingStats st = model.lastTraining();
          raw = st.rawWords();
          eff = st.effectiveWords();
          ewps[r] = st.wordsPerSecond();
          vocabS[r] = (t1 - t0) / 1e9;
          trainS[r] = (t2 - t1) / 1e9;
          totalS[r] = (t2 - t0) / 1e9;
          vocab = model.vocab().size();
          if (analogies != null) {
            Evaluation.Analogies a = Evaluation.analogies(model.wv(), analogies);
            Evaluation.Section t = a.total();
            accs[r] = t.accuracy();
            covs[r] = (t.correct() + t.incorrect()) / (double) nq;
          }
        }
        Map<String, Object> p = new LinkedHashMap<>(params);
        p.put("vocab", vocab);
        p.put("raw_words", raw);
        p.put("effective_words", eff);
        double oc = Harness.round(Harness.median(others), 3), steal = Harness.round(Harness.median(steals), 3);
        double repS = Harness.round(Harness.median(trainS), 4);
        h.emit("w2v_train", p, "effective words/s", stats(ewps, reps, repS, oc, steal), threads, null);
        h.emit("w2v_train_seconds", p, "s (lower is better)", stats(trainS, reps, repS, oc, steal), threads,
            Map.of("raw_words_per_s_median", Math.round(raw / Harness.median(trainS))));
        h.emit("w2v_total_seconds", p, "s (lower is better)", stats(totalS, reps, repS, oc, steal), threads,
            Map.of("build_vocab_s_median", Harness.round(Harness.median(vocabS), 3)));
        if (analogies != null) {
          Map<String, Object> pa = new LinkedHashMap<>(p);
          pa.put("analogies", analogies.toAbsolutePath().normalize().toString());
          pa.put("questions", nq);
          double mean = Arrays.stream(accs).average().orElse(0);
          Harness.Stats s = new Harness.Stats(mean, Arrays.stream(accs).min().orElse(0), Arrays.stream(accs).max().orElse(0),
              reps, 1, repS, oc, steal);
          Map<String, Object> extra = new LinkedHashMap<>();
          extra.put("note", "median field holds the MEAN over seeds");
          extra.put("coverage", Harness.round(Arrays.stream(covs).average().orElse(0), 4));
          h.emit("w2v_analogy", pa, "accuracy", s, threads, extra);
        }
      }
    }
    double rss = Harness.peakRssMib();
    h.emit("w2v_peak_rss", Harness.params("corpus", corpusInfo.get("path")), "MiB", Harness.single(rss), threads, null);
  }

  private static Harness.Stats stats(double[] v, int reps, double repS, double otherCpu, double steal) {
    return new Harness.Stats(Harness.median(v), Arrays.stream(v).min().orElse(0), Arrays.stream(v).max().orElse(0), reps, 1,
        repS, otherCpu, steal);
  }

  /** The peer's corpus description: absolute path, bytes, md5, lines, whitespace tokens (streamed). */
  static Map<String, Object> describe(Path corpus) throws IOException {
    if (!Files.isRegularFile(corpus))
      throw new IllegalArgumentException("bench word2vec: corpus " + corpus + " does not exist or is not a file; build it with"
          + " /usr/bin/python3 ../shared/data/make_w2v_corpus.py " + corpus);
    MessageDigest md5;
    try {
      md5 = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long bytes = 0, lines = 0, tokens = 0;
    boolean inToken = false, lineOpen = false;
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(corpus)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md5.update(buf, 0, n);
        bytes += n;
        for (int i = 0; i < n; i++) {
          byte c = buf[i];
          boolean space = c == ' ' || (c >= 9 && c <= 13);   // Python's bytes.split() whitespace
          if (!space && !inToken) tokens++;
          inToken = !space;
          lineOpen = c != '\n';
          if (c == '\n') lines++;
        }
      }
    }
    if (lineOpen) lines++;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", corpus.toAbsolutePath().normalize().toString());
    m.put("bytes", bytes);
    m.put("md5", HexFormat.of().formatHex(md5.digest()));
    m.put("lines", lines);
    m.put("tokens", tokens);
    return m;
  }

  static int countQuestions(Path file) throws IOException {
    int n = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1))
      if (!line.isBlank() && !line.startsWith(":")) n++;
    return n;
  }

  /** The file's lines split on whitespace, read afresh on each iteration (gensim's LineSentence). */
  static Iterable<List<String>> lineSentences(Path file) {
    return () -> new Iterator<>() {
      private final BufferedReader r = open();
      private List<String> next = advance();

      private BufferedReader open() {
        try {
          return Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new UncheckedIOException("read " + file + ": " + e.getMessage(), e);
        }
      }

      private List<String> advance() {
        try {
          String line = r.readLine();
          if (line == null) {
            r.close();
            return null;
          }
          List<String> words = new ArrayList<>();
          int i = 0, n = line.length();
          while (i < n) {
            while (i < n && line.charAt(i) <= ' ') i++;
            int s = i;
            while (i < n && line.charAt(i) > ' ') i++;
            if (i > s) words.add(line.substring(s, i));
          }
          return words;
        } catch (IOException e) {
          throw new UncheckedIOException("read " + file + ": " + e.getMessage(), e);
        }
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public List<String> next() {
        if (next == null) throw new NoSuchElementException();
        List<String> s = next;
        next = advance();
        return s;
      }
    };
  }
}
