package org.neurite.text.word2vec;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.neurite.kernels.Gemm;

/**
 * Intrinsic evaluation of word vectors, with gensim's rules so that scores compare:
 *
 * <ul>
 *   <li>{@link #analogies}: accuracy on a {@code questions-words.txt} file ({@code ": section"} headers,
 *       then lines {@code a b c d} meaning a : b :: c : d), per section and in total, as gensim's
 *       {@code evaluate_word_analogies}: only the first {@code restrictVocab} words (300,000) are used;
 *       words are compared upper-cased (the most frequent casing wins); a question with a word outside
 *       them is skipped and counted as out of vocabulary; the answer is the 3CosAdd nearest word among
 *       the 5 best, skipping a, b and c and their case variants.
 *   <li>{@link #wordPairs}: Spearman (and Pearson) correlation between human scores and cosine similarity
 *       on a WordSim-353-style file ({@code word1 TAB word2 TAB score}, {@code #} comments), as gensim's
 *       {@code evaluate_word_pairs}.
 * </ul>
 * Analogy queries are scored in batches with one GEMM each (queries x vocabulary), which is what makes
 * the 19,544 questions take seconds.
 *
 * <p>Thread-safe: static methods with no shared mutable state.
 */
public final class Evaluation {
  /** gensim's default {@code restrict_vocab}. */
  public static final int RESTRICT_VOCAB = 300_000;

  private Evaluation() {}

  /** One section of the analogy file (or the total). */
  public record Section(String name, int correct, int incorrect) {
    public double accuracy() {
      return correct + incorrect == 0 ? 0 : correct / (double) (correct + incorrect);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%s: %.2f%% (%d/%d)", name, 100 * accuracy(), correct, correct + incorrect);
    }
  }

  /**
   * Analogy results: per section, the total over sections, questions read, and those skipped because
   * a word was not among the first restrictVocab words.
   */
  public record Analogies(List<Section> sections, Section total, int questions, int outOfVocabulary) {
    /** Fraction of the questions that were answered (all four words known). */
    public double coverage() {
      return questions == 0 ? 0 : (questions - outOfVocabulary) / (double) questions;
    }
  }

  /** Correlations between the human and the cosine similarity of the pairs with both words known. */
  public record WordPairs(double spearman, double pearson, int pairs, int outOfVocabulary) {}

  public static Analogies analogies(KeyedVectors kv, Path questions) throws IOException {
    return analogies(kv, questions, RESTRICT_VOCAB, true);
  }

  public static Analogies analogies(KeyedVectors kv, Path questions, int restrictVocab, boolean caseInsensitive)
      throws IOException {
    int limit = Math.min(kv.size(), restrictVocab);
    Map<String, Integer> ok = okVocab(kv, limit, caseInsensitive);
    record Question(int section, int a, int b, int c, String[] words) {}
    List<String> names = new ArrayList<>();
    List<Question> asked = new ArrayList<>();
    int read = 0, oov = 0, lineNo = 0;
    try (BufferedReader r = Files.newBufferedReader(questions, StandardCharsets.UTF_8)) {
      for (String line; (line = r.readLine()) != null; ) {
        lineNo++;
        if (line.startsWith(": ")) {
          names.add(line.substring(2).strip());
          continue;
        }
        if (names.isEmpty())
          throw new IOException("read " + questions + " line " + lineNo + ": a question before any \": section\" header");
        String[] w = line.strip().split("\\s+");
        if (w.length != 4) continue;   // gensim skips invalid lines
        read++;
        for (int i = 0; i < 4; i++) w[i] = fold(w[i], caseInsensitive);
        Integer a = ok.get(w[0]), b = ok.get(w[1]), c = ok.get(w[2]), d = ok.get(w[3]);
        if (a == null || b == null || c == null || d == null) {
          oov++;
          continue;
        }
        asked.add(new Question(names.size() - 1, a, b, c, w));
      }
    }
    int[] correct = new int[names.size()], incorrect = new int[names.size()];
    float[] u = kv.unit();
    int stride = kv.stride, dim = kv.dim;
    int batch = (int) Math.max(1, Math.min(256, (8L << 20) / Math.max(1, limit)));
    float[] q = new float[batch * dim], sims = new float[batch * limit];
    for (int s = 0; s < asked.size(); s += batch) {
      int m = Math.min(batch, asked.size() - s);
      for (int j = 0; j < m; j++) {
        Question x = asked.get(s + j);
        System.arraycopy(kv.query(new int[] {x.b, x.c}, new int[] {x.a}), 0, q, j * dim, dim);
      }
      Gemm.gemm(false, true, m, limit, dim, q, 0, dim, u, 0, stride, false, sims, 0, limit);
      for (int j = 0; j < m; j++) {
        Question x = asked.get(s + j);
        // gensim: the 5 best after dropping a, b, c themselves; then the first that is no case variant of them.
        KeyedVectors.TopK top = new KeyedVectors.TopK(5);
        for (int w = 0, o = j * limit; w < limit; w++)
          if (w != x.a && w != x.b && w != x.c) top.offer(w, sims[o + w]);
        Set<String> ignore = new java.util.HashSet<>(java.util.List.of(x.words[0], x.words[1], x.words[2]));   // a question may repeat a word
        String predicted = null;
        for (int t = 0; t < top.n; t++) {
          predicted = fold(kv.word(top.idx[t]), caseInsensitive);
          if (!ignore.contains(predicted)) break;
        }
        if (x.words[3].equals(predicted)) correct[x.section]++;
        else incorrect[x.section]++;
      }
    }
    List<Section> sections = new ArrayList<>();
    int tc = 0, ti = 0;
    for (int i = 0; i < names.size(); i++) {
      sections.add(new Section(names.get(i), correct[i], incorrect[i]));
      tc += correct[i];
      ti += incorrect[i];
    }
    return new Analogies(sections, new Section("Total accuracy", tc, ti), read, oov);
  }

  public static WordPairs wordPairs(KeyedVectors kv, Path pairs) throws IOException {
    return wordPairs(kv, pairs, RESTRICT_VOCAB, true);
  }

  public static WordPairs wordPairs(KeyedVectors kv, Path pairs, int restrictVocab, boolean caseInsensitive)
      throws IOException {
    Map<String, Integer> ok = okVocab(kv, Math.min(kv.size(), restrictVocab), caseInsensitive);
    List<double[]> scores = new ArrayList<>();
    int oov = 0;
    float[] u = kv.unit();
    try (BufferedReader r = Files.newBufferedReader(pairs, StandardCharsets.UTF_8)) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("#")) continue;
        String[] p = line.split("\t");
        if (p.length != 3) continue;   // gensim skips invalid lines
        double human;
        try {
          human = Double.parseDouble(p[2].strip());
        } catch (NumberFormatException e) {
          continue;
        }
        Integer a = ok.get(fold(p[0], caseInsensitive)), b = ok.get(fold(p[1], caseInsensitive));
        if (a == null || b == null) {
          oov++;
          continue;
        }
        scores.add(new double[] {human, Kernels.dot(u, a * kv.stride, u, b * kv.stride, kv.stride)});
      }
    }
    double[] h = new double[scores.size()], m = new double[scores.size()];
    for (int i = 0; i < h.length; i++) {
      h[i] = scores.get(i)[0];
      m[i] = scores.get(i)[1];
    }
    return new WordPairs(pearson(ranks(h), ranks(m)), pearson(h, m), h.length, oov);
  }

  /** gensim's {@code ok_vocab}: the first {@code limit} words by folded form; the most frequent casing wins. */
  private static Map<String, Integer> okVocab(KeyedVectors kv, int limit, boolean caseInsensitive) {
    Map<String, Integer> ok = new HashMap<>(limit * 2);
    for (int i = limit - 1; i >= 0; i--) ok.put(fold(kv.word(i), caseInsensitive), i);
    return ok;
  }

  private static String fold(String w, boolean caseInsensitive) {
    return caseInsensitive ? w.toUpperCase(Locale.ROOT) : w;
  }

  /** Ranks from 1, ties sharing their mean rank (as scipy's rankdata). */
  static double[] ranks(double[] x) {
    Integer[] order = new Integer[x.length];
    for (int i = 0; i < x.length; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> Double.compare(x[a], x[b]));
    double[] r = new double[x.length];
    for (int i = 0; i < x.length; ) {
      int j = i;
      while (j + 1 < x.length && x[order[j + 1]] == x[order[i]]) j++;
      double mean = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) r[order[k]] = mean;
      i = j + 1;
    }
    return r;
  }

  static double pearson(double[] x, double[] y) {
    int n = x.length;
    if (n < 2) return Double.NaN;
    double mx = 0, my = 0;
    for (int i = 0; i < n; i++) {
      mx += x[i];
      my += y[i];
    }
    mx /= n;
    my /= n;
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < n; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / Math.sqrt(sxx * syy);
  }
}
