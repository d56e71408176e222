package org.neurite.text.word2vec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.neurite.tensor.Tensor;

/**
 * Word vectors by word, with gensim's {@code KeyedVectors} queries: lookup, cosine similarity, nearest
 * words ({@code most_similar}), analogies by 3CosAdd ({@link #mostSimilar(List, List, int)}) and
 * 3CosMul ({@link #mostSimilarCosMul}), {@link #doesntMatch}, and the word2vec C text and binary
 * formats ({@link #save}, {@link #load}) and GloVe text ({@link Word2VecFormat#readGlove}).
 *
 * <p>Words are kept in index order (most frequent first for trained or gensim-written vectors), which
 * is what {@code restrictVocab} cuts. Unit-normalised vectors are computed once, on the first query,
 * and cached. A word that is not in the vocabulary is an {@link IllegalArgumentException} naming it.
 * Safe for concurrent queries; not a store that grows (see {@link Word2Vec#updateVocab}).
 *
 * <p>Thread-safe for queries: they only read the vectors (the unit-normalised copy is computed once, under
 * a lock); a {@link Word2Vec} that trains further writes the vectors it shares with its {@code wv()}
 * without synchronisation.
 */
public final class KeyedVectors {
  /** A word and its score (cosine similarity, or the 3CosMul score). */
  public record Similar(String word, double similarity) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%s %.4f", word, similarity);
    }
  }

  private final String[] words;
  private final WordTable table;
  final float[] vectors;   // [size, stride], zero-padded
  final int dim, stride;
  private volatile float[] unit;

  KeyedVectors(String[] words, WordTable table, float[] vectors, int dim, int stride) {
    this.words = words;
    this.table = table;
    this.vectors = vectors;
    this.dim = dim;
    this.stride = stride;
  }

  /** Vectors from rows of {@code [words.size(), dim]} floats. Duplicate words are an error. */
  public static KeyedVectors of(List<String> words, float[] vectors, int dim) {
    if (dim < 1) throw new IllegalArgumentException("KeyedVectors: dim (" + dim + ") must be >= 1");
    if ((long) words.size() * dim != vectors.length)
      throw new IllegalArgumentException("KeyedVectors: " + words.size() + " words x dim " + dim + " needs "
          + (long) words.size() * dim + " floats, got " + vectors.length);
    Builder b = new Builder(dim, words.size());
    for (int i = 0; i < words.size(); i++) {
      if (!b.add(words.get(i), vectors, i * dim))
        throw new IllegalArgumentException("KeyedVectors: word \"" + words.get(i) + "\" appears twice (index " + i + ")");
    }
    return b.build();
  }

  /** Reads word2vec text or binary, or GloVe text, telling them apart by content. */
  public static KeyedVectors load(Path file) throws IOException {
    return Word2VecFormat.read(file);
  }

  /** Writes the word2vec C binary ({@code binary}) or text format, atomically (temp file, then rename). */
  public void save(Path file, boolean binary) throws IOException {
    if (binary) Word2VecFormat.writeBinary(this, file);
    else Word2VecFormat.writeText(this, file);
  }

  /** Number of words. */
  public int size() {
    return words.length;
  }

  public int vectorSize() {
    return dim;
  }

  /** The words in index order. */
  public List<String> words() {
    return List.of(words);
  }

  public String word(int index) {
    return words[index];
  }

  /** The word's index, or -1. */
  public int indexOf(String word) {
    return table.find(word);
  }

  public boolean contains(String word) {
    return table.find(word) >= 0;
  }

  /** A copy of the word's vector. */
  public float[] get(String word) {
    int i = require(word);
    return Arrays.copyOfRange(vectors, i * stride, i * stride + dim);
  }

  /** A copy of the word's vector scaled to length 1 (zero stays zero). */
  public float[] unitVector(String word) {
    int i = require(word);
    return Arrays.copyOfRange(unit(), i * stride, i * stride + dim);
  }

  /** Cosine similarity of two words. */
  public double similarity(String a, String b) {
    float[] u = unit();
    return Kernels.dot(u, require(a) * stride, u, require(b) * stride, stride);
  }

  /** The {@code topN} words nearest to {@code word} by cosine, the word itself excluded. */
  public List<Similar> mostSimilar(String word, int topN) {
    return mostSimilar(List.of(word), List.of(), topN);
  }

  /**
   * 3CosAdd: the words nearest by cosine to the mean of the unit vectors of {@code positive} minus
   * those of {@code negative}, the query words excluded. {@code mostSimilar([king, woman], [man], 1)}
   * is the analogy man : king :: woman : ?.
   */
  public List<Similar> mostSimilar(List<String> positive, List<String> negative, int topN) {
    return mostSimilar(positive, negative, topN, size());
  }

  /** As {@link #mostSimilar(List, List, int)}, searching only the first {@code restrictVocab} words (gensim's {@code restrict_vocab}). */
  public List<Similar> mostSimilar(List<String> positive, List<String> negative, int topN, int restrictVocab) {
    int[] pos = indices(positive), neg = indices(negative);
    if (pos.length + neg.length == 0) throw new IllegalArgumentException("KeyedVectors.mostSimilar: no words given");
    float[] q = query(pos, neg);
    return nearest(q, Math.min(size(), Math.max(0, restrictVocab)), topN, excluded(pos, neg));
  }

  /** The {@code topN} words nearest to a vector by cosine (gensim's {@code similar_by_vector}). */
  public List<Similar> mostSimilar(float[] vector, int topN) {
    if (vector.length != dim)
      throw new IllegalArgumentException("KeyedVectors.mostSimilar: vector has " + vector.length + " floats, expected " + dim);
    float[] q = Arrays.copyOf(vector, stride);
    normalize(q);
    return nearest(q, size(), topN, Set.of());
  }

  /** The analogy a : b :: c : ? by 3CosAdd, i.e. {@code mostSimilar([b, c], [a], topN)}. */
  public List<Similar> analogy(String a, String b, String c, int topN) {
    return mostSimilar(List.of(b, c), List.of(a), topN);
  }

  /** The analogy a : b :: c : ? by 3CosMul, i.e. {@code mostSimilarCosMul([b, c], [a], topN)}. */
  public List<Similar> analogyCosMul(String a, String b, String c, int topN) {
    return mostSimilarCosMul(List.of(b, c), List.of(a), topN);
  }

  /**
   * 3CosMul (Levy and Goldberg 2014, eq. 4 with cosines shifted to [0, 1]): the words w maximising
   * prod_p (1 + cos(w, p)) / 2 divided by (prod_n (1 + cos(w, n)) / 2 + 1e-6), as gensim's
   * {@code most_similar_cosmul}; the query words excluded.
   */
  public List<Similar> mostSimilarCosMul(List<String> positive, List<String> negative, int topN) {
    int[] pos = indices(positive), neg = indices(negative);
    if (pos.length + neg.length == 0) throw new IllegalArgumentException("KeyedVectors.mostSimilarCosMul: no words given");
    float[] u = unit();
    int n = size();
    double[] score = new double[n];
    for (int w = 0; w < n; w++) {
      double p = 1, m = 1;
      for (int i : pos) p *= (1 + Kernels.dot(u, w * stride, u, i * stride, stride)) / 2;
      for (int i : neg) m *= (1 + Kernels.dot(u, w * stride, u, i * stride, stride)) / 2;
      score[w] = p / (m + 1e-6);
    }
    TopK top = new TopK(topN);
    Set<Integer> skip = excluded(pos, neg);
    for (int w = 0; w < n; w++) if (!skip.contains(w)) top.offer(w, score[w]);
    return top.result(words);
  }

  /** The word furthest from the mean of the words' unit vectors (gensim's {@code doesnt_match}). */
  public String doesntMatch(Collection<String> candidates) {
    int[] idx = indices(new ArrayList<>(candidates));
    if (idx.length == 0) throw new IllegalArgumentException("KeyedVectors.doesntMatch: no words given");
    float[] q = query(idx, new int[0]);
    float[] u = unit();
    int worst = idx[0];
    float worstSim = Float.POSITIVE_INFINITY;
    for (int i : idx) {
      float s = Kernels.dot(u, i * stride, q, 0, stride);
      if (s < worstSim) {
        worstSim = s;
        worst = i;
      }
    }
    return words[worst];
  }

  /**
   * The vectors of {@code vocabulary} as a {@code [vocabulary.size(), vectorSize]} tensor, row i for
   * word i, zero rows for words not known here: the weight to initialise an embedding layer with
   * (frozen or trainable is the layer's business). {@code toTensor(words())} gives every vector.
   */
  public Tensor toTensor(List<String> vocabulary) {
    float[] m = new float[Math.multiplyExact(vocabulary.size(), dim)];
    for (int r = 0; r < vocabulary.size(); r++) {
      int i = table.find(vocabulary.get(r));
      if (i >= 0) System.arraycopy(vectors, i * stride, m, r * dim, dim);
    }
    return Tensor.of(m, vocabulary.size(), dim);
  }

  /** The first {@code n} words and their vectors, as a new KeyedVectors (gensim's {@code restrict_vocab}, made permanent). */
  public KeyedVectors restrictVocab(int n) {
    int m = Math.max(0, Math.min(n, size()));
    WordTable t = new WordTable();
    for (int i = 0; i < m; i++) t.add(words[i], 1);
    return new KeyedVectors(Arrays.copyOf(words, m), t, Arrays.copyOf(vectors, m * stride), dim, stride);
  }

  // ----- shared with Evaluation -----

  /** The unit-normalised rows, computed on first use. */
  float[] unit() {
    float[] u = unit;
    if (u == null) {
      synchronized (this) {
        u = unit;
        if (u == null) {
          u = vectors.clone();
          for (int r = 0; r < words.length; r++) {
            double norm = Math.sqrt(Kernels.dot(u, r * stride, u, r * stride, stride));
            if (norm > 0) for (int i = r * stride, e = i + dim; i < e; i++) u[i] = (float) (u[i] / norm);
          }
          unit = u;
        }
      }
    }
    return u;
  }

  /** Drops the cached unit vectors (the weights were trained further). */
  void invalidate() {
    unit = null;
  }

  int require(String word) {
    int i = table.find(word);
    if (i >= 0) return i;
    String hint = "";
    String lower = word.toLowerCase(Locale.ROOT);
    if (!lower.equals(word) && table.find(lower) >= 0) hint = "; did you mean \"" + lower + "\"?";
    throw new IllegalArgumentException("word \"" + word + "\" is not in the vocabulary (" + size() + " words)" + hint);
  }

  private int[] indices(List<String> ws) {
    int[] r = new int[ws.size()];
    for (int i = 0; i < r.length; i++) r[i] = require(ws.get(i));
    return r;
  }

  private static Set<Integer> excluded(int[] pos, int[] neg) {
    Set<Integer> s = new HashSet<>();
    for (int i : pos) s.add(i);
    for (int i : neg) s.add(i);
    return s;
  }

  /** The normalised mean of +unit(pos) and -unit(neg), [stride]. */
  float[] query(int[] pos, int[] neg) {
    float[] u = unit(), q = new float[stride];
    for (int i : pos) Kernels.axpy(1f, u, i * stride, q, 0, stride);
    for (int i : neg) Kernels.axpy(-1f, u, i * stride, q, 0, stride);
    normalize(q);
    return q;
  }

  private static void normalize(float[] q) {
    double norm = Math.sqrt(Kernels.dotScalar(q, 0, q, 0, q.length));
    if (norm > 0) for (int i = 0; i < q.length; i++) q[i] = (float) (q[i] / norm);
  }

  private List<Similar> nearest(float[] q, int limit, int topN, Set<Integer> skip) {
    float[] u = unit();
    TopK top = new TopK(topN);
    for (int w = 0; w < limit; w++) {
      if (!skip.isEmpty() && skip.contains(w)) continue;
      top.offer(w, Kernels.dot(u, w * stride, q, 0, stride));
    }
    return top.result(words);
  }

  /** The k best (index, score) pairs seen, kept sorted best first; k is small. */
  static final class TopK {
    final int[] idx;
    final double[] score;
    int n;

    TopK(int k) {
      idx = new int[Math.max(0, k)];
      score = new double[Math.max(0, k)];
    }

    void offer(int i, double s) {
      if (idx.length == 0 || (n == idx.length && !(s > score[n - 1]))) return;
      int j = n < idx.length ? n++ : n - 1;
      for (; j > 0 && score[j - 1] < s; j--) {
        idx[j] = idx[j - 1];
        score[j] = score[j - 1];
      }
      idx[j] = i;
      score[j] = s;
    }

    List<Similar> result(String[] words) {
      List<Similar> r = new ArrayList<>(n);
      for (int j = 0; j < n; j++) r.add(new Similar(words[idx[j]], score[j]));
      return r;
    }
  }

  /** Collects words and rows for a new KeyedVectors (the file readers use it). */
  static final class Builder {
    private final int dim, stride;
    private final WordTable table = new WordTable();
    private final List<String> words;
    private float[] vectors;

    Builder(int dim, int expected) {
      this.dim = dim;
      this.stride = Kernels.stride(dim);
      this.words = new ArrayList<>(Math.max(16, expected));
      this.vectors = new float[Math.max(16, expected) * stride];
    }

    /** The row for the next word, to fill in place; null (and nothing added) if the word is already there. */
    float[] row(String word) {
      if (table.find(word) >= 0) return null;
      int n = words.size();
      if ((long) (n + 1) * stride > Integer.MAX_VALUE - 16)
        throw new IllegalArgumentException("KeyedVectors: more than " + n + " vectors of " + dim + " floats exceed a Java array");
      if ((n + 1) * stride > vectors.length) vectors = Arrays.copyOf(vectors, (int) Math.min(Integer.MAX_VALUE - 16, 2L * vectors.length));
      table.add(word, 1);
      words.add(word);
      return vectors;
    }

    /** Offset of the last row handed out by {@link #row}. */
    int offset() {
      return (words.size() - 1) * stride;
    }

    boolean add(String word, float[] src, int off) {
      float[] v = row(word);
      if (v == null) return false;
      System.arraycopy(src, off, v, offset(), dim);
      return true;
    }

    KeyedVectors build() {
      return new KeyedVectors(words.toArray(new String[0]), table, Arrays.copyOf(vectors, words.size() * stride), dim, stride);
    }
  }
}
