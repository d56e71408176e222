package org.neurite.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.neurite.testing.Errors.assertMessage;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.neurite.autograd.GradCheck;
import org.neurite.optim.Adam;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.testing.Golden;

/**
 * Embedding: golden lookups and weight gradients against PyTorch's nn.Embedding with and without
 * padding_idx (tools/fixtures/make_rnn_fixtures.py), finite differences, the padding row (zero at
 * start, no gradient, the mask it hands on), frozen and pretrained tables, varying lengths, errors.
 */
class EmbeddingTest {
  private static final Golden.Fixture FIX = Golden.load("org/neurite/nn/recurrent.safetensors");

  @ParameterizedTest
  @ValueSource(strings = {"embedding_pad0", "embedding_nopad"})
  void matchesPyTorch(String name) {
    Golden.Case c = FIX.get(name);
    Tensor w = c.expected("p.weight"), ids = c.tensor("ids");
    Embedding e = new Embedding(w.shape(0), w.shape(1));
    if (name.endsWith("pad0")) e.paddingIdx(0);
    e.buildFor(new int[] {ids.shape(1)});
    e.loadStateDict(Map.of("weight", c.tensor("p.weight")));
    Tensor out = e.forward(ids);
    c.checkForward(out, 0, 0);   // a lookup is exact
    out.mul(c.expected("u")).sum().backward();
    Golden.assertClose(name + " grad_weight", c.expected("grad_p.weight"), e.weight().grad(), 1e-6, 1e-6);
  }

  @Test
  void gradCheck() {
    // Without a padding index: the padding row's gradient is zero by definition, not by calculus.
    Embedding e = new Embedding(6, 3);
    Tensor ids = Tensor.of(new float[] {0, 2, 5, 5, 1, 2}, 2, 3);
    e.buildFor(new int[] {3});
    GradCheck.defaults().check(in -> e.forward(ids), e.weight());
  }

  @Test
  void paddingRowStartsAtZeroGetsNoGradientAndMasks() {
    Seeds.set(1);
    Embedding e = new Embedding(5, 4).paddingIdx(-1);   // negative counts from the end, as PyTorch
    e.buildFor(new int[] {3});
    float[] w = e.weight().toArray();
    for (int j = 0; j < 4; j++) assertEquals(0f, w[4 * 4 + j]);
    Tensor ids = Tensor.of(new float[] {1, 4, 4, 0, 2, 4}, 2, 3);
    e.forward(ids).sum().backward();
    float[] g = e.weight().grad().toArray();
    for (int j = 0; j < 4; j++) {
      assertEquals(0f, g[4 * 4 + j], "padding row gradient");
      assertEquals(1f, g[4 + j], "row 1 gradient");
    }
    assertArrayEquals(new float[] {1, 0, 0, 1, 1, 0}, e.computeMask(ids).toArray());
    assertNull(new Embedding(5, 4).computeMask(ids));
    assertEquals("Embedding(5, 4, paddingIdx=4)", e.toString());
  }

  @Test
  void frozenTableIsNotTrained() {
    Embedding e = new Embedding(4, 2).frozen(true);
    Tensor ids = Tensor.of(new float[] {0, 1, 3}, 1, 3);
    e.buildFor(new int[] {3});
    float[] before = e.weight().toArray();
    Adam adam = new Adam(e.parameters(), 0.1f);
    Tensor out = e.forward(ids);
    assertTrue(!out.requiresGrad(), "a frozen table should record no graph");
    adam.step();
    assertArrayEquals(before, e.weight().toArray());
    e.frozen(false);
    e.forward(ids).sum().backward();
    adam.step();
    assertTrue(!java.util.Arrays.equals(before, e.weight().toArray()), "unfrozen, it should train");
  }

  @Test
  void fromPretrainedCopiesTheVectors() {
    Tensor w = Tensor.randn(new Rng(2), 6, 3);
    Embedding e = Embedding.fromPretrained(w).paddingIdx(0);
    float[] keep = w.toArray();
    Tensor out = e.forward(Tensor.of(new float[] {5, 0}, 1, 2));
    assertArrayEquals(java.util.Arrays.copyOfRange(keep, 15, 18), java.util.Arrays.copyOfRange(out.toArray(), 0, 3));
    assertArrayEquals(java.util.Arrays.copyOfRange(keep, 0, 3), java.util.Arrays.copyOfRange(out.toArray(), 3, 6),
        "a pretrained padding row keeps its values");
    w.storage()[0] = 42f;
    assertEquals(keep[0], e.weight().get(0, 0), "the table is a copy");
    assertMessage(IllegalArgumentException.class, () -> Embedding.fromPretrained(Tensor.zeros(3)),
        "Embedding.fromPretrained: weights must be [vocab, dim], got [3]");
  }

  @Test
  void lengthMayChangeFromBatchToBatch() {
    Embedding e = new Embedding(9, 2);
    assertArrayEquals(new int[] {2, 5, 2}, e.forward(Tensor.zeros(2, 5)).shape());
    assertArrayEquals(new int[] {3, 8, 2}, e.forward(Tensor.zeros(3, 8)).shape());
  }

  @Test
  void configRoundTrips() {
    Embedding e = new Embedding(100, 8).paddingIdx(3).frozen(true);
    assertEquals(e.config(), Embedding.of(e.config()).config());
    assertEquals(new Embedding.Config(100, 8, null, false), new Embedding(100, 8).config());
    assertEquals(100, e.vocab());
    assertEquals(8, e.dim());
  }

  @Test
  void badIdsNameTheIdItsPositionAndTheVocabularySize() {
    Embedding e = new Embedding(10, 4);
    assertMessage(IllegalArgumentException.class, () -> e.forward(Tensor.of(new float[] {1, 2, 3, 10}, 2, 2)),
        "Embedding(10, 4)", "token id 10 at position [1, 1]", "vocabulary size 10");
    assertMessage(IllegalArgumentException.class, () -> e.forward(Tensor.of(new float[] {1, 2.5f}, 1, 2)),
        "token id 2.5 at position [0, 1]", "[0, 10)");
    assertMessage(IllegalArgumentException.class, () -> e.forward(Tensor.of(new float[] {-1, 2}, 1, 2)),
        "token id -1 at position [0, 0]");
    assertMessage(IllegalArgumentException.class, () -> new Embedding(0, 4), "Embedding: vocab (0) and dim (4) must be >= 1");
    assertMessage(IllegalArgumentException.class, () -> new Embedding(10, 4).paddingIdx(10),
        "paddingIdx (10) must be in [-10, 10)");
  }

  @Test
  void feedsItsMaskToRecurrentLayersInASequential() {
    // With padding id 0, a padded batch gives the same final states as the unpadded sequences alone.
    Seeds.set(3);
    Sequential m = Sequential.of(new Embedding(7, 3).paddingIdx(0), new GRU(4)).input(5);
    Tensor padded = m.forward(Tensor.of(new float[] {3, 1, 4, 0, 0, 2, 6, 5, 3, 1}, 2, 5));
    Tensor alone = m.forward(Tensor.of(new float[] {3, 1, 4}, 1, 3));
    Golden.assertClose("first sample", alone, padded.slice(0, 0, 1), 1e-6, 1e-6);
    List<String> names = List.copyOf(m.namedParameters().keySet());
    assertEquals("layers.0.weight", names.get(0));
  }
}
