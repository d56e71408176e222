package org.neurite.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.neurite.text.word2vec.KeyedVectors;

class EmbeddingsTest {
  private static final KeyedVectors KV = KeyedVectors.of(List.of("film", "good", "Paris", "bad"),
      new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -2, -3}, 3);

  @Test
  void rowsAreWordVectorsExactThenLowerCase() {
    // tokens: film (exact), GOOD (lower-case match), Paris (exact, mixed case), paris? no: "zzz" missing
    Vocabulary v = Vocabulary.of(List.of("<pad>", "<unk>", "film", "GOOD", "Paris", "zzz"));
    Embeddings e = Embeddings.matrix(v, KV, 1);
    assertArrayEquals(new int[] {6, 3}, e.weights().shape());
    float[] w = e.weights().data();
    assertArrayEquals(new float[3], Arrays.copyOfRange(w, 0, 3));                // PAD: zeros
    assertArrayEquals(new float[] {1, 2, 3}, Arrays.copyOfRange(w, 6, 9));      // film
    assertArrayEquals(new float[] {4, 5, 6}, Arrays.copyOfRange(w, 9, 12));     // GOOD -> good
    assertArrayEquals(new float[] {7, 8, 9}, Arrays.copyOfRange(w, 12, 15));    // Paris
    assertEquals(3, e.found());
    assertEquals(4, e.searched());
    assertEquals(0.75, e.coverage(), 1e-12);
    assertEquals(List.of("zzz"), e.missing());
    assertEquals("Embeddings: 3 of 4 tokens have a vector (75.0%), dim 3", e.toString());
    // UNK and the missing word get small random rows, not zeros, the same for the same seed
    for (int row : new int[] {1, 5}) {
      float[] r = Arrays.copyOfRange(w, row * 3, row * 3 + 3);
      assertTrue(Arrays.stream(new double[] {r[0], r[1], r[2]}).anyMatch(x -> x != 0), "row " + row + " is zero");
      for (float x : r) assertTrue(Math.abs(x) < 20, "row " + row + ": " + Arrays.toString(r));
    }
    assertArrayEquals(w, Embeddings.matrix(v, KV, 1).weights().data());
    assertTrue(!Arrays.equals(w, Embeddings.matrix(v, KV, 2).weights().data()));
  }

  @Test
  void coverageOfABuiltVocabulary() {
    Vocabulary v = Vocabulary.builder().build(List.of(List.of("film", "film", "good", "awful", "bad")));
    Embeddings e = Embeddings.matrix(v, KV, 3);
    assertEquals(3, e.found());     // film, good, bad
    assertEquals(4, e.searched());
    assertEquals(List.of("awful"), e.missing());
    float[] w = e.weights().data();
    int bad = v.indexOf("bad");
    assertArrayEquals(new float[] {-1, -2, -3}, Arrays.copyOfRange(w, bad * 3, bad * 3 + 3));
  }
}
