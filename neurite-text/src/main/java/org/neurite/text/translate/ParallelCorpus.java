package org.neurite.text.translate;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.neurite.tensor.Rng;
import org.neurite.text.Tokenizer;
import org.neurite.text.Vocabulary;

/**
 * Sentence pairs for translation: reading ({@code source<TAB>target} TSV, or two line-aligned files,
 * gzip'd or not), tokenising, length filtering, seeded train/valid/test splits, vocabularies with BOS
 * and EOS, and id encoding. Not a streaming loader: a corpus is held in memory (Multi30k's 29k pairs
 * take a few MB).
 *
 * <p>A null {@link Tokenizer} splits on whitespace (for pre-tokenised text such as Multi30k's
 * {@code tok/} files); otherwise the tokenizer is applied to both sides.
 *
 * <p>Thread-safe: static methods with no shared mutable state.
 */
public final class ParallelCorpus {
  /** One tokenised sentence pair. */
  public record Pair(List<String> source, List<String> target) {}

  /** A seeded three-way split. */
  public record Split(List<Pair> train, List<Pair> valid, List<Pair> test) {}

  private ParallelCorpus() {}

  /** Whitespace tokens of a line (no empty tokens), or {@code tokenizer}'s. */
  public static List<String> tokens(String line, Tokenizer tokenizer) {
    if (tokenizer != null) return tokenizer.tokenize(line);
    String t = line.strip();
    return t.isEmpty() ? List.of() : Arrays.asList(t.split("\\s+"));
  }

  /** Reads {@code source<TAB>target} lines (UTF-8, optionally .gz); blank lines are skipped, a line without a tab is an error. */
  public static List<Pair> readTsv(Path file, Tokenizer tokenizer) throws IOException {
    List<String> lines = readLines(file);
    List<Pair> out = new ArrayList<>(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) continue;
      int tab = line.indexOf('\t');
      if (tab < 0)
        throw new IOException(file + ":" + (i + 1) + ": expected \"source<TAB>target\", found no tab in \""
            + (line.length() > 60 ? line.substring(0, 60) + "..." : line) + "\"");
      String tgt = line.substring(tab + 1);
      int tab2 = tgt.indexOf('\t');   // Tatoeba/Anki exports carry a third column (attribution): ignore it
      if (tab2 >= 0) tgt = tgt.substring(0, tab2);
      out.add(new Pair(tokens(line.substring(0, tab), tokenizer), tokens(tgt, tokenizer)));
    }
    return out;
  }

  /** Reads two line-aligned files (line i of one translates line i of the other); their line counts must agree. */
  public static List<Pair> readAligned(Path source, Path target, Tokenizer tokenizer) throws IOException {
    List<String> s = readLines(source), t = readLines(target);
    if (s.size() != t.size())
      throw new IOException("aligned files differ in length: " + source + " has " + s.size() + " lines, " + target + " has "
          + t.size() + "; expected one translation per line");
    List<Pair> out = new ArrayList<>(s.size());
    for (int i = 0; i < s.size(); i++) out.add(new Pair(tokens(s.get(i), tokenizer), tokens(t.get(i), tokenizer)));
    return out;
  }

  /**
   * Multi30k's pre-tokenised, lower-cased split ({@code DIR/tok/SPLIT.lc.norm.tok.LANG}: "train", "val",
   * "test_2016_flickr", ...), whitespace tokens.
   */
  public static List<Pair> multi30k(Path dir, String split, String sourceLang, String targetLang) throws IOException {
    Path tok = dir.resolve("tok");
    return readAligned(tok.resolve(split + ".lc.norm.tok." + sourceLang), tok.resolve(split + ".lc.norm.tok." + targetLang), null);
  }

  static List<String> readLines(Path file) throws IOException {
    try (InputStream raw = Files.newInputStream(file);
         InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
         BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      List<String> out = new ArrayList<>();
      for (String line; (line = r.readLine()) != null; ) out.add(out.isEmpty() && line.startsWith("\uFEFF") ? line.substring(1) : line);
      return out;
    }
  }

  /** The pairs whose both sides have 1 to {@code maxLength} tokens. */
  public static List<Pair> filter(List<Pair> pairs, int maxLength) {
    List<Pair> out = new ArrayList<>();
    for (Pair p : pairs)
      if (!p.source().isEmpty() && !p.target().isEmpty() && p.source().size() <= maxLength && p.target().size() <= maxLength)
        out.add(p);
    return out;
  }

  /** Shuffles a copy with {@code seed} and cuts it into train, valid ({@code validFraction}) and test ({@code testFraction}). */
  public static Split split(List<Pair> pairs, double validFraction, double testFraction, long seed) {
    if (validFraction < 0 || testFraction < 0 || validFraction + testFraction >= 1)
      throw new IllegalArgumentException("split: validFraction (" + validFraction + ") and testFraction (" + testFraction
          + ") must be >= 0 with a sum < 1");
    int n = pairs.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) order[i] = i;
    new Rng(seed).shuffle(order);
    int nv = (int) Math.round(n * validFraction), nt = (int) Math.round(n * testFraction);
    List<Pair> valid = new ArrayList<>(), test = new ArrayList<>(), train = new ArrayList<>();
    for (int i = 0; i < n; i++) (i < nv ? valid : i < nv + nt ? test : train).add(pairs.get(order[i]));
    return new Split(train, valid, test);
  }

  /** A vocabulary of PAD, UNK, BOS, EOS and the tokens seen at least {@code minCount} times on one side. */
  public static Vocabulary vocabulary(List<Pair> pairs, boolean source, int minCount, int maxSize) {
    List<List<String>> seqs = new ArrayList<>(pairs.size());
    for (Pair p : pairs) seqs.add(source ? p.source() : p.target());
    var b = Vocabulary.builder().minCount(minCount).unk(true).bos(true).eos(true);
    if (maxSize > 0) b.maxSize(maxSize);
    return b.build(seqs);
  }

  /** Source ids: the tokens (unknown ones as UNK), then EOS. */
  public static int[] encodeSource(Vocabulary v, List<String> tokens) {
    int[] ids = v.encode(tokens);
    int[] out = Arrays.copyOf(ids, ids.length + 1);
    out[ids.length] = v.eos();
    return out;
  }

  /** Target ids: BOS, the tokens, EOS. */
  public static int[] encodeTarget(Vocabulary v, List<String> tokens) {
    return v.encode(tokens, true);
  }
}
