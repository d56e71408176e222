package org.neurite.text.word2vec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

/**
 * The word-vector part of {@code neurite demo}: trains CBOW vectors on the bundled public-domain
 * Gutenberg corpus (about 1.1 M words, see {@code gutenberg.PROVENANCE.txt}) with two threads and
 * prints the nearest words of a few probes. Takes a few seconds. Not a benchmark: see
 * {@code neurite bench word2vec} for that.
 *
 * <p>Not thread-safe: a program to run from its {@code main}, once at a time.
 */
public final class Word2VecDemo {
  static final String CORPUS = "gutenberg.txt.gz";
  static final List<String> PROBES = List.of("whale", "ship", "love", "sea", "father", "she");

  private Word2VecDemo() {}

  public static void run(PrintStream out) {
    Path tmp = null;
    try (InputStream gz = Word2VecDemo.class.getResourceAsStream(CORPUS)) {
      if (gz == null) throw new IllegalStateException("demo corpus " + CORPUS + " is missing from the neurite-text jar");
      // Corpus.lines streams a file with positional reads, so unpack the resource once to a temp file.
      tmp = Files.createTempFile("neurite-w2v-demo", ".txt");
      Files.copy(new GZIPInputStream(gz), tmp, StandardCopyOption.REPLACE_EXISTING);
      Word2Vec w2v = Word2Vec.builder().vectorSize(100).window(5).minCount(5).epochs(5).workers(2).seed(1)
          .progressSeconds(0).build();
      w2v.train(tmp);
      Word2Vec.TrainingStats st = w2v.lastTraining();
      out.printf(Locale.ROOT, "Word2Vec (CBOW, 100 dims, 2 threads) on %s: %d words, vocabulary %d, %d epochs in %.1f s"
          + " (%.0f words/s)%n", CORPUS, st.rawWords() / st.epochs(), w2v.vocab().size(), st.epochs(), st.seconds(),
          st.wordsPerSecond());
      KeyedVectors wv = w2v.wv();
      for (String probe : PROBES) {
        if (!wv.contains(probe)) continue;
        out.printf(Locale.ROOT, "  %-8s -> %s%n", probe, wv.mostSimilar(probe, 6).stream()
            .map(s -> String.format(Locale.ROOT, "%s %.2f", s.word(), s.similarity())).collect(Collectors.joining(", ")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("word2vec demo: " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // a leftover temp file is harmless
        }
      }
    }
  }

  public static void main(String[] args) {
    run(System.out);
  }
}
