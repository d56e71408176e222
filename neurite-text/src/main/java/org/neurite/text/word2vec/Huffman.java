package org.neurite.text.word2vec;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * The Huffman tree of hierarchical softmax, built as the word2vec C tool's {@code CreateBinaryTree}
 * does (two queues over counts sorted descending, O(V)): each word gets a code of 0/1 branch labels
 * and the inner nodes (rows of {@code syn1}, 0..V-2) on its path from the root. Frequent words get
 * short codes. Stored flat: word w's code is {@code codes[start[w] .. start[w+1])}, its nodes
 * {@code points[...]} at the same positions.
 */
final class Huffman {
  final int[] start;
  final byte[] codes;
  final int[] points;

  private Huffman(int[] start, byte[] codes, int[] points) {
    this.start = start;
    this.codes = codes;
    this.points = points;
  }

  static Huffman build(long[] counts) {
    int v = counts.length;
    if (v < 2) return new Huffman(new int[v + 1], new byte[0], new int[0]);
    // The C tool needs counts sorted descending; after a vocabulary update they may not be.
    int[] order = IntStream.range(0, v).boxed()
        .sorted(Comparator.comparingLong((Integer i) -> counts[i]).reversed()).mapToInt(Integer::intValue).toArray();
    long[] count = new long[2 * v];
    int[] parent = new int[2 * v];
    byte[] binary = new byte[2 * v];
    for (int a = 0; a < v; a++) count[a] = counts[order[a]];
    Arrays.fill(count, v, 2 * v, Long.MAX_VALUE / 4);
    int pos1 = v - 1, pos2 = v;
    for (int a = 0; a < v - 1; a++) {
      int min1, min2;
      if (pos1 >= 0 && count[pos1] < count[pos2]) min1 = pos1--; else min1 = pos2++;
      if (pos1 >= 0 && count[pos1] < count[pos2]) min2 = pos1--; else min2 = pos2++;
      count[v + a] = count[min1] + count[min2];
      parent[min1] = v + a;
      parent[min2] = v + a;
      binary[min2] = 1;
    }
    int root = 2 * v - 2;
    int[] len = new int[v];
    for (int a = 0; a < v; a++) {
      int n = 0;
      for (int b = a; b != root; b = parent[b]) n++;
      len[order[a]] = n;
    }
    int[] start = new int[v + 1];
    for (int w = 0; w < v; w++) start[w + 1] = start[w] + len[w];
    byte[] codes = new byte[start[v]];
    int[] points = new int[start[v]];
    for (int a = 0; a < v; a++) {
      int w = order[a], n = len[w], i = n - 1;
      // Walk leaf -> root, filling the path backwards so it reads root -> leaf.
      for (int b = a; b != root; b = parent[b], i--) {
        codes[start[w] + i] = binary[b];
        points[start[w] + i] = parent[b] - v;
      }
    }
    return new Huffman(start, codes, points);
  }
}
