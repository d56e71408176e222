package org.neurite.text.word2vec;

/**
 * Draws negative samples from the unigram distribution raised to {@code ns_exponent} (0.75): P(w) is
 * proportional to count(w)^0.75, as in the C tool and gensim.
 *
 * <p>Why an alias table (Walker/Vose) and not the C tool's 10^8-entry table or gensim's cumulative
 * table with binary search: it is exact like gensim's, O(1) per draw like the C tool's, and takes 8
 * bytes per word, so for a 71k-word vocabulary it stays in the L2 cache where the C tool's 400 MB
 * table costs a cache (and TLB) miss per draw and gensim's costs ~17 dependent probes. Each slot holds
 * the probability of keeping its own word (as an unsigned 32-bit threshold) next to its alias, so a
 * draw is one cache line.
 */
final class UnigramTable {
  private final int[] slots;   // [2 * V]: threshold (unsigned 32-bit), alias
  private final int size;

  UnigramTable(long[] counts, double exponent) {
    int v = counts.length;
    size = v;
    slots = new int[2 * v];
    double[] q = new double[v];
    double sum = 0;
    for (int i = 0; i < v; i++) sum += q[i] = Math.pow(counts[i], exponent);
    int[] small = new int[v], large = new int[v];
    int ns = 0, nl = 0;
    for (int i = 0; i < v; i++) {
      q[i] = sum > 0 ? q[i] * v / sum : 1;
      if (q[i] < 1) small[ns++] = i; else large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
      int s = small[--ns], l = large[--nl];
      set(s, q[s], l);
      q[l] = q[l] + q[s] - 1;
      if (q[l] < 1) small[ns++] = l; else large[nl++] = l;
    }
    while (nl > 0) { int l = large[--nl]; set(l, 1, l); }
    while (ns > 0) { int s = small[--ns]; set(s, 1, s); }   // rounding leftovers
  }

  private void set(int i, double keep, int alias) {
    slots[2 * i] = (int) Math.min(0xFFFFFFFFL, (long) (keep * 4294967296.0));
    slots[2 * i + 1] = alias;
  }

  /** A word index drawn with two 32-bit random numbers. */
  int draw(long r1, long r2) {
    int i = (int) ((r1 * size) >>> 32);        // uniform slot, multiply-shift instead of a division
    int base = 2 * i;
    return r2 < (slots[base] & 0xFFFFFFFFL) ? i : slots[base + 1];   // a full slot's alias is itself
  }
}
