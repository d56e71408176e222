package org.neurite.text.word2vec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The vocabulary of a Word2Vec model: words by index with their corpus counts, most frequent first
 * (words added by a vocabulary update follow the old ones, so old indices keep their rows). Built
 * from the raw counts of a corpus scan by the rules of gensim's {@code prepare_vocab}: words seen
 * fewer than {@code min_count} times are dropped, and {@code max_final_vocab} raises that threshold
 * until the vocabulary fits. Immutable once built.
 */
public final class Vocab {
  final WordTable table;   // word -> index, in index order
  final String[] words;
  final long[] counts;

  private Vocab(WordTable table) {
    this.table = table;
    int n = table.size();
    words = new String[n];
    counts = new long[n];
    for (int i = 0; i < n; i++) {
      words[i] = table.word(i);
      counts[i] = table.count(i);
    }
  }

  /** Number of words. */
  public int size() {
    return words.length;
  }

  /** The word at {@code index} (0 is the most frequent). */
  public String word(int index) {
    return words[index];
  }

  /** How many times the word at {@code index} was seen in the corpora the vocabulary was built from. */
  public long count(int index) {
    return counts[index];
  }

  /** The index of {@code word}, or -1 when it is not in the vocabulary. */
  public int indexOf(String word) {
    return table.find(word);
  }

  /** Sum of the counts of all words in the vocabulary. */
  public long totalCount() {
    long s = 0;
    for (long c : counts) s += c;
    return s;
  }

  /**
   * The smallest count a word needs to be kept: {@code minCount}, raised (as gensim does) so that at
   * most {@code maxFinalVocab} words remain when that is > 0.
   */
  static long effectiveMinCount(WordTable raw, long minCount, int maxFinalVocab) {
    if (maxFinalVocab <= 0 || raw.size() <= maxFinalVocab) return Math.max(1, minCount);
    long[] c = new long[raw.size()];
    for (int i = 0; i < c.length; i++) c[i] = raw.count(i);
    Arrays.sort(c);
    // gensim: the count of the (max_final_vocab+1)-th most frequent word, plus one.
    long calc = c[c.length - 1 - maxFinalVocab] + 1;
    return Math.max(Math.max(1, minCount), calc);
  }

  /** The words of a corpus scan seen at least {@code minCount} times, by count descending (ties: first seen first). */
  static Vocab build(WordTable raw, long minCount) {
    WordTable t = new WordTable();
    for (int id : sortedByCount(raw, minCount, null)) {
      byte[] k = raw.key(id);
      t.add(k, 0, k.length, WordTable.hash(k, 0, k.length), raw.count(id));
    }
    return new Vocab(t);
  }

  /**
   * This vocabulary updated with a further corpus scan, as gensim's {@code build_vocab(update=True)}:
   * known words add the new counts; new words seen at least {@code minCount} times are appended.
   */
  Vocab extend(WordTable raw, long minCount) {
    WordTable t = new WordTable();
    for (int i = 0; i < words.length; i++) {
      byte[] k = table.key(i);
      int h = WordTable.hash(k, 0, k.length);
      int r = raw.find(k, 0, k.length, h);
      t.add(k, 0, k.length, h, counts[i] + (r >= 0 ? raw.count(r) : 0));
    }
    for (int id : sortedByCount(raw, minCount, table)) {
      byte[] k = raw.key(id);
      t.add(k, 0, k.length, WordTable.hash(k, 0, k.length), raw.count(id));
    }
    return new Vocab(t);
  }

  private static List<Integer> sortedByCount(WordTable raw, long minCount, WordTable known) {
    List<Integer> ids = new ArrayList<>();
    for (int id = 0; id < raw.size(); id++) {
      if (raw.count(id) < minCount) continue;
      byte[] k = raw.key(id);
      if (known != null && known.find(k, 0, k.length, WordTable.hash(k, 0, k.length)) >= 0) continue;
      ids.add(id);
    }
    ids.sort((a, b) -> Long.compare(raw.count(b), raw.count(a)));   // stable: ties keep first-seen order
    return ids;
  }
}
