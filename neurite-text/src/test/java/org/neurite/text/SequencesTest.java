package org.neurite.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.text.Sequences.Side;
import org.neurite.train.Dataset;
import org.neurite.train.TensorDataset;

class SequencesTest {
  private static final int[] S = {5, 6, 7, 8};

  @Test
  void padAndTruncateLikeKeras() {
    assertArrayEquals(new int[] {0, 0, 5, 6, 7, 8}, Sequences.pad(S, 6, Side.PRE, Side.PRE));
    assertArrayEquals(new int[] {5, 6, 7, 8, 0, 0}, Sequences.pad(S, 6, Side.POST, Side.POST));
    assertArrayEquals(new int[] {7, 8}, Sequences.pad(S, 2, Side.POST, Side.PRE));    // 'pre' truncation keeps the end
    assertArrayEquals(new int[] {5, 6}, Sequences.pad(S, 2, Side.PRE, Side.POST));    // 'post' truncation keeps the start
    assertArrayEquals(S, Sequences.pad(S, 4, Side.PRE, Side.PRE));
    assertArrayEquals(new int[] {0, 0, 0}, Sequences.pad(new int[0], 3, Side.POST, Side.POST));
    assertArrayEquals(new int[0], Sequences.pad(S, 0, Side.POST, Side.POST));
    var e = assertThrows(IllegalArgumentException.class, () -> Sequences.pad(S, -1, Side.POST, Side.POST));
    assertEquals("Sequences.pad: maxLen (-1) must be >= 0", e.getMessage());
  }

  @Test
  void padABatchToATensor() {
    List<int[]> seqs = List.of(new int[] {1, 2, 3}, new int[] {4}, new int[] {});
    Tensor x = Sequences.pad(seqs, 0, Side.PRE, Side.PRE);   // 0: the longest
    assertArrayEquals(new int[] {3, 3}, x.shape());
    assertArrayEquals(new float[] {1, 2, 3, 0, 0, 4, 0, 0, 0}, x.data());
    x = Sequences.pad(seqs, 2, Side.POST, Side.PRE);
    assertArrayEquals(new float[] {2, 3, 4, 0, 0, 0}, x.data());
  }

  @Test
  void maskLengthsAndTrim() {
    Tensor x = Tensor.of(new float[] {3, 4, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0}, 3, 4);
    assertArrayEquals(new float[] {1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}, Sequences.mask(x).data());
    assertArrayEquals(new int[] {2, 1, 0}, Sequences.lengths(x));
    Tensor t = Sequences.trim(x);
    assertArrayEquals(new int[] {3, 2}, t.shape());
    assertArrayEquals(new float[] {3, 4, 0, 9, 0, 0}, t.data());
    // pre-padded rows lose their leading all-PAD columns
    Tensor pre = Tensor.of(new float[] {0, 0, 3, 4, 0, 0, 0, 9}, 2, 4);
    assertArrayEquals(new float[] {3, 4, 0, 9}, Sequences.trim(pre).data());
    // all PAD keeps one column
    assertArrayEquals(new int[] {2, 1}, Sequences.trim(Tensor.zeros(2, 5)).shape());
    var e = assertThrows(IllegalArgumentException.class, () -> Sequences.mask(Tensor.zeros(2, 3, 4)));
    assertEquals("Sequences.mask: expected token ids [N, T], got [2, 3, 4]", e.getMessage());
  }

  @Test
  void lengthBucketsCoverEverySampleOnceAndCutPadding() {
    Rng r = new Rng(7);
    int n = 1003;
    int[] len = new int[n];
    for (int i = 0; i < n; i++) len[i] = 1 + r.nextInt(60);
    LengthBuckets b = new LengthBuckets(len, 32, 42);
    List<int[]> batches = b.batches(0);
    assertEquals(b.batches(), batches.size());
    int[] all = batches.stream().flatMapToInt(Arrays::stream).sorted().toArray();
    int[] expected = new int[n];
    Arrays.setAll(expected, i -> i);
    assertArrayEquals(expected, all);
    assertEquals(1, batches.stream().filter(x -> x.length < 32).count());

    // padding against plain shuffled batches of the same size
    int[] order = new int[n];
    Arrays.setAll(order, i -> i);
    new Rng(1).shuffle(order);
    List<int[]> plain = new ArrayList<>();
    for (int i = 0; i < n; i += 32) plain.add(Arrays.copyOfRange(order, i, Math.min(n, i + 32)));
    long bucketed = b.paddedCells(batches), random = b.paddedCells(plain);
    assertTrue(bucketed * 10 < random, "bucketed padding " + bucketed + " vs random " + random);

    // seeded: same epoch same batches; another epoch or seed, other batches
    assertTrue(same(batches, b.batches(0)));
    assertTrue(!same(batches, b.batches(1)));
    assertTrue(!same(batches, new LengthBuckets(len, 32, 43).batches(0)));
  }

  @Test
  void orderFeedsALoaderWithTheSameBatches() {
    int[] len = {5, 1, 9, 3, 3, 7, 2, 8, 6, 4};
    LengthBuckets b = new LengthBuckets(len, 3, 1, 5);
    int[] order = b.order(0);
    assertEquals(10, order.length);
    List<int[]> batches = b.batches(0);
    List<String> fromOrder = new ArrayList<>(), fromBatches = new ArrayList<>();
    for (int i = 0; i < order.length; i += 3) fromOrder.add(sortedKey(Arrays.copyOfRange(order, i, Math.min(10, i + 3))));
    for (int[] x : batches) fromBatches.add(sortedKey(x));
    fromOrder.sort(null);
    fromBatches.sort(null);
    assertEquals(fromBatches, fromOrder);
  }

  @Test
  void trimmedBatchesFromAPaddedDataset() {
    List<int[]> seqs = List.of(new int[] {1, 2}, new int[] {3}, new int[] {4, 5, 6, 7, 8}, new int[] {9, 9});
    Tensor x = Sequences.pad(seqs, 6, Side.POST, Side.POST);
    TensorDataset ds = new TensorDataset(x, Tensor.zeros(4));
    LengthBuckets b = LengthBuckets.of(x, 2, 3);
    int widest = 0;
    for (int[] idx : b.batches(0)) {
      Dataset.Batch batch = Sequences.trim(ds.batch(idx, new Rng(0)));
      int longest = Arrays.stream(idx).map(i -> seqs.get(i).length).max().orElseThrow();
      assertEquals(longest, batch.x().shape(1));
      widest = Math.max(widest, longest);
    }
    assertEquals(5, widest);
    assertNotEquals(6, widest);
  }

  private static boolean same(List<int[]> a, List<int[]> b) {
    if (a.size() != b.size()) return false;
    for (int i = 0; i < a.size(); i++) if (!Arrays.equals(a.get(i), b.get(i))) return false;
    return true;
  }

  private static String sortedKey(int[] x) {
    return Arrays.toString(Arrays.stream(x).sorted().toArray());
  }
}
