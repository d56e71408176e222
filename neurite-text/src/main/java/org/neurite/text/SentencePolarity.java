package org.neurite.text;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The movie-review sentence polarity dataset v1.0 (Pang and Lee, ACL 2005; "MR", "rt-polarity"):
 * 5,331 positive and 5,331 negative review snippets, lower-cased and pre-tokenized, one per line in
 * {@code rt-polarity.pos} and {@code rt-polarity.neg}. A UTF-8 copy ships with the repository in
 * {@code data/rt-polarity/} ({@link #bundledDir()}; its {@code PROVENANCE.txt} gives the source and
 * checksums); nothing is downloaded. Research use; cite Pang and Lee 2005.
 *
 * <p>Classes are {@link #LABELS}: {@code neg} = 0, {@code pos} = 1. The dataset has no official split
 * (papers report 10-fold cross-validation: {@link TextClassificationData#kFold}); {@link #fixedSplit}
 * is the common 90/10 alternative.
 *
 * <p>Example: {@code var s = SentencePolarity.fixedSplit(42);  // 9,596 train, 1,066 test}
 *
 * <p>Thread-safe: static methods with no shared mutable state.
 */
public final class SentencePolarity {
  /** The class names by index. */
  public static final List<String> LABELS = List.of("neg", "pos");

  private SentencePolarity() {}

  /** All 10,662 examples from {@code dir} (holding {@code rt-polarity.pos} and {@code rt-polarity.neg}), in file order, neg first. */
  public static TextClassificationData load(Path dir) throws IOException {
    Path pos = dir.resolve("rt-polarity.pos"), neg = dir.resolve("rt-polarity.neg");
    for (Path p : new Path[] {neg, pos})
      if (!Files.isRegularFile(p))
        throw new IOException(dir + ": expected rt-polarity.pos and rt-polarity.neg, " + p.getFileName() + " is missing"
            + (Files.isDirectory(dir) ? "" : " (no such folder)") + "; the repository ships them in data/rt-polarity");
    return TextClassificationData.fromLineFiles(Map.of("neg", neg, "pos", pos));
  }

  /** A stratified 90/10 train/test split of {@code dir}'s data; the same seed gives the same split. */
  public static TextClassificationData.Split fixedSplit(Path dir, long seed) throws IOException {
    return load(dir).split(0.1, seed);
  }

  /** A stratified 90/10 train/test split of the bundled copy: 9,596 and 1,066 examples (533 of each class in test). */
  public static TextClassificationData.Split fixedSplit(long seed) throws IOException {
    return fixedSplit(bundledDir(), seed);
  }

  /**
   * The repository's {@code data/rt-polarity/}: under the system property {@code neurite.home} when
   * set, else the first {@code data/rt-polarity} above the folder or jar this class was loaded from (so
   * a build inside the repository finds it), else above the working directory.
   */
  public static Path bundledDir() throws IOException {
    String home = System.getProperty("neurite.home");
    if (home != null) return Path.of(home, "data", "rt-polarity");
    Path start;
    try {
      start = Path.of(SentencePolarity.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | RuntimeException e) {
      start = null;
    }
    for (Path from : new Path[] {start, Path.of("").toAbsolutePath()})
      for (Path p = from; p != null; p = p.getParent())
        if (Files.isDirectory(p.resolve("data/rt-polarity"))) return p.resolve("data/rt-polarity");
    throw new IOException("sentence polarity: expected data/rt-polarity in the repository above " + start
        + " or the working directory, found none; set -Dneurite.home=REPO or pass the folder of rt-polarity.pos and .neg");
  }
}
