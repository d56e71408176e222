package org.neurite.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.text.word2vec.KeyedVectors;

/**
 * A pretrained embedding matrix for a {@link Vocabulary}: the initial weight of an embedding layer,
 * frozen or fine-tuned (Kim 2014's CNN-static and CNN-non-static), and how much of the vocabulary
 * the word vectors cover. Built by {@link #matrix}; not a layer.
 *
 * @param weights {@code [vocab.size(), dim]}: row i is token i's vector
 * @param found vocabulary tokens (specials not counted) that had a word vector
 * @param searched vocabulary tokens looked up: {@code vocab.size() - vocab.specials()}
 * @param missing the tokens without a vector, in id order (most frequent first)
 *
 * <p>Immutable, shallowly: the weights tensor is not copied, so leave it unchanged.
 */
public record Embeddings(Tensor weights, int found, int searched, List<String> missing) {
  public Embeddings {
    missing = List.copyOf(missing);
  }

  /**
   * Row i is the vector of token i: the exact token, else its lower-case form ({@link Locale#ROOT}).
   * PAD's row is zero. Every other row (UNK, BOS, EOS, tokens without a vector) is drawn from a normal
   * distribution with mean 0 and the standard deviation of the found vectors' entries (0.1 when none
   * is found), so that they neither stand out nor vanish (Kim 2014 draws them with the pretrained
   * variance too). {@code seed} fixes those rows.
   *
   * <p>Example:
   * <pre>{@code
   * Embeddings e = Embeddings.matrix(vocab, KeyedVectors.load(Path.of("vectors.bin")), 42);
   * System.out.println(e);   // Embeddings: 15,432 of 18,000 tokens have a vector (85.7%), dim 300
   * }</pre>
   */
  public static Embeddings matrix(Vocabulary vocab, KeyedVectors kv, long seed) {
    int n = vocab.size(), dim = kv.vectorSize();
    float[] w = new float[Math.multiplyExact(n, dim)];   // w: [n, dim]
    boolean[] have = new boolean[n];
    List<String> missing = new ArrayList<>();
    int found = 0;
    double sum = 0, sumSq = 0;
    for (int i = vocab.specials(); i < n; i++) {
      String t = vocab.token(i);
      String key = kv.contains(t) ? t : kv.contains(t.toLowerCase(Locale.ROOT)) ? t.toLowerCase(Locale.ROOT) : null;
      if (key == null) {
        missing.add(t);
        continue;
      }
      float[] v = kv.get(key);
      System.arraycopy(v, 0, w, i * dim, dim);
      for (float f : v) {
        sum += f;
        sumSq += (double) f * f;
      }
      have[i] = true;
      found++;
    }
    double std = 0.1;
    if (found > 0) {
      long m = (long) found * dim;
      double mean = sum / m;
      std = Math.sqrt(Math.max(0, sumSq / m - mean * mean));
      if (!(std > 0)) std = 0.1;
    }
    Rng rng = new Rng(seed);
    for (int i = 1; i < n; i++)   // row 0 is PAD: zeros
      if (!have[i]) for (int j = 0; j < dim; j++) w[i * dim + j] = (float) (rng.nextGaussian() * std);
    return new Embeddings(Tensor.of(w, n, dim), found, n - vocab.specials(), missing);
  }

  /** The fraction of looked-up tokens that had a vector (0 when none was looked up). */
  public double coverage() {
    return searched == 0 ? 0 : (double) found / searched;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "Embeddings: %,d of %,d tokens have a vector (%.1f%%), dim %d", found, searched,
        100 * coverage(), weights.shape(1));
  }
}
