package org.neurite.text.word2vec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An open-addressing hash table from UTF-8 word bytes to dense ids (0, 1, 2, ... in insertion order),
 * with a count per id. The tokenizer looks words up straight from its read buffer, so a corpus
 * file is counted and encoded without making a String per token. Not thread-safe for writes;
 * {@link #find} may be called by many threads once the table is built.
 */
final class WordTable {
  private int[] slots = new int[1 << 10];   // id + 1, or 0 for empty
  private int[] hashes = new int[64];       // by id
  private byte[][] keys = new byte[64][];   // by id
  private long[] counts = new long[64];     // by id
  private int size;

  int size() {
    return size;
  }

  byte[] key(int id) {
    return keys[id];
  }

  String word(int id) {
    return new String(keys[id], StandardCharsets.UTF_8);
  }

  long count(int id) {
    return counts[id];
  }

  /** FNV-1a over the bytes, then a final mix so that linear probing sees well-spread low bits. */
  static int hash(byte[] b, int off, int len) {
    int h = 0x811c9dc5;
    for (int i = off, end = off + len; i < end; i++) h = (h ^ b[i]) * 0x01000193;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    return h ^ (h >>> 13);
  }

  /** The id of the word in {@code b[off, off + len)}, or -1. */
  int find(byte[] b, int off, int len, int h) {
    int mask = slots.length - 1;
    for (int i = h & mask; ; i = (i + 1) & mask) {
      int s = slots[i];
      if (s == 0) return -1;
      int id = s - 1;
      if (hashes[id] == h && Arrays.equals(keys[id], 0, keys[id].length, b, off, off + len)) return id;
    }
  }

  int find(String word) {
    byte[] b = word.getBytes(StandardCharsets.UTF_8);
    return find(b, 0, b.length, hash(b, 0, b.length));
  }

  /** Adds {@code by} to the word's count, inserting it first if new; returns its id. */
  int add(byte[] b, int off, int len, int h, long by) {
    int mask = slots.length - 1;
    int i = h & mask;
    for (; ; i = (i + 1) & mask) {
      int s = slots[i];
      if (s == 0) break;
      int id = s - 1;
      if (hashes[id] == h && Arrays.equals(keys[id], 0, keys[id].length, b, off, off + len)) {
        counts[id] += by;
        return id;
      }
    }
    if (size == keys.length) {
      int cap = size * 2;
      hashes = Arrays.copyOf(hashes, cap);
      keys = Arrays.copyOf(keys, cap);
      counts = Arrays.copyOf(counts, cap);
    }
    int id = size++;
    hashes[id] = h;
    keys[id] = Arrays.copyOfRange(b, off, off + len);
    counts[id] = by;
    slots[i] = id + 1;
    if (size * 2 > slots.length) rehash(slots.length * 2);
    return id;
  }

  int add(String word, long by) {
    byte[] b = word.getBytes(StandardCharsets.UTF_8);
    return add(b, 0, b.length, hash(b, 0, b.length), by);
  }

  /**
   * Drops every word counted fewer than {@code minCount} times, keeping the others' relative order:
   * gensim's {@code prune_vocab}, which keeps the counting table under {@code max_vocab_size}.
   */
  void prune(long minCount) {
    int n = 0;
    for (int id = 0; id < size; id++) {
      if (counts[id] < minCount) continue;
      hashes[n] = hashes[id];
      keys[n] = keys[id];
      counts[n] = counts[id];
      n++;
    }
    Arrays.fill(keys, n, size, null);
    size = n;
    rehash(slots.length);
  }

  private void rehash(int cap) {
    slots = new int[cap];
    int mask = cap - 1;
    for (int id = 0; id < size; id++) {
      int i = hashes[id] & mask;
      while (slots[i] != 0) i = (i + 1) & mask;
      slots[i] = id + 1;
    }
  }
}
