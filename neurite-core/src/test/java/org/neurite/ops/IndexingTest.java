package org.neurite.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.neurite.testing.Errors.assertMessage;

import org.junit.jupiter.api.Test;
import org.neurite.autograd.GradCheck;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.testing.Golden;

/**
 * Indexing (ops/Indexing.java): gather (axes 0 and 1), index_select (with a repeated index), scatter_add
 * (with colliding indices), where (broadcasting condition and operands, scalar operand) and masked_fill.
 * Golden forward/backward against PyTorch, finite-difference checks for the differentiable inputs
 * (indices, masks and conditions carry no gradient), and the error messages, which name the position
 * of a bad index.
 */
class IndexingTest {
  private static final Golden.Fixture FIX = Golden.load("org/neurite/ops/indexing.safetensors");
  private static final double ATOL = 1e-6, RTOL = 1e-6;
  private static final GradCheck GC = GradCheck.defaults();

  @Test
  void gatherMatchesPyTorch() {
    for (int axis = 0; axis < 2; axis++) {
      Golden.Case c = FIX.get("gather_axis" + axis);
      Tensor x = c.input("x");
      c.check(x.gather(axis, c.tensor("index")), ATOL, RTOL);
      int a = axis;
      GC.check(in -> in[0].gather(a, in[1]), c.tensor("x").requiresGrad(true), c.tensor("index"));
    }
  }

  @Test
  void indexSelectMatchesPyTorch() {
    for (String name : new String[] {"index_select_axis0", "index_select_axis1"}) {
      Golden.Case c = FIX.get(name);
      int axis = name.endsWith("0") ? 0 : 1;
      int[] index = c.ints("index");
      Tensor x = c.input("x");
      c.check(x.indexSelect(axis, index), ATOL, RTOL);
      GC.check(in -> in[0].indexSelect(axis, index), c.tensor("x").requiresGrad(true));
    }
  }

  @Test
  void scatterAddMatchesPyTorch() {
    for (int axis = 0; axis < 2; axis++) {
      Golden.Case c = FIX.get("scatter_add_axis" + axis);
      Tensor x = c.input("x"), src = c.input("src");
      Tensor index = c.tensor("index");
      c.check(x.scatterAdd(axis, index, src), ATOL, RTOL);
      int a = axis;
      GC.check(in -> in[0].scatterAdd(a, in[1], in[2]), c.tensor("x").requiresGrad(true), index,
          c.tensor("src").requiresGrad(true));
    }
  }

  @Test
  void scatterAddLeavesItsInputUnchanged() {
    Tensor x = Tensor.zeros(3);
    x.scatterAdd(0, Tensor.of(new float[] {1, 1}, 2), Tensor.of(new float[] {2, 3}, 2));
    assertArrayEquals(new float[3], x.toArray());
    assertArrayEquals(new float[] {0, 5, 0},
        x.scatterAdd(0, Tensor.of(new float[] {1, 1}, 2), Tensor.of(new float[] {2, 3}, 2)).toArray());
  }

  @Test
  void whereMatchesPyTorch() {
    for (String name : new String[] {"where", "where_scalar_b"}) {
      Golden.Case c = FIX.get(name);
      Tensor cond = c.tensor("cond");
      Tensor a = c.input("a"), b = c.input("b");
      c.check(Tensor.where(cond, a, b), ATOL, RTOL);
      GC.check(in -> Tensor.where(in[0], in[1], in[2]), cond, c.tensor("a").requiresGrad(true),
          c.tensor("b").requiresGrad(true));
    }
  }

  @Test
  void maskedFillMatchesPyTorch() {
    Golden.Case c = FIX.get("masked_fill");
    Tensor x = c.input("x");
    Tensor mask = c.tensor("mask");
    c.check(x.maskedFill(mask, -1.5f), ATOL, RTOL);
    GC.check(in -> in[0].maskedFill(mask, -1.5f), c.tensor("x").requiresGrad(true));
  }

  @Test
  void embeddingMatchesPyTorchAndPassesGradCheck() {
    Golden.Case c = FIX.get("embedding_padding_idx");
    Tensor ids = c.tensor("ids");
    c.check(Indexing.embedding(ids, c.input("weight"), 0), ATOL, RTOL);
    // without a padding index: the padding row's gradient is 0 by design, not the derivative
    GradCheck.defaults().check(in -> Indexing.embedding(ids, in[0], -1), c.tensor("weight").requiresGrad(true));
    assertMessage(IllegalArgumentException.class, () -> Indexing.embedding(Tensor.of(new float[] {1, 5}, 1, 2), c.tensor("weight"), -1),
        "embedding: token id 5 at position [0, 1] is not in [0, 5)");
  }

  @Test
  void indexTensorsGetNoGradient() {
    Tensor x = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
    Tensor index = Tensor.of(new float[] {2, 0}, 2).requiresGrad(true);
    x.gather(0, index).sum().backward();
    assertArrayEquals(new float[] {1, 0, 1}, x.grad().toArray());
    assertNull(index.grad());
  }

  // ---------------------------------------------------------------- errors

  @Test
  void outOfRangeIndexNamesItsPosition() {
    Tensor x = Tensor.zeros(3, 4);
    Tensor index = Tensor.of(new float[] {0, 1, 2, 4}, 1, 4);
    assertMessage(IndexOutOfBoundsException.class, () -> x.gather(1, Tensor.of(new float[] {0, 3, 4}, 1, 3)),
        "gather", "index 4.0 at position 2", "[0, 4)");
    assertMessage(IndexOutOfBoundsException.class, () -> x.gather(0, index), "gather", "index 4.0 at position 3", "[0, 3)");
    assertMessage(IndexOutOfBoundsException.class, () -> x.gather(0, Tensor.of(new float[] {-1}, 1, 1)),
        "gather", "index -1.0 at position 0");
    assertMessage(IndexOutOfBoundsException.class, () -> x.scatterAdd(0, index, Tensor.zeros(1, 4)),
        "scatter_add", "index 4.0 at position 3", "[0, 3)");
    assertMessage(IndexOutOfBoundsException.class, () -> x.indexSelect(1, 0, 7), "index_select", "index 7 at position 1",
        "[0, 4)", "[3, 4]");
  }

  @Test
  void fractionalIndexIsAnError() {
    assertMessage(IndexOutOfBoundsException.class,
        () -> Tensor.zeros(3).gather(0, Tensor.of(new float[] {0, 1.5f}, 2)), "gather", "index 1.5 at position 1");
  }

  @Test
  void indexShapeMismatchesAreErrors() {
    Tensor x = Tensor.zeros(3, 4);
    assertMessage(IllegalArgumentException.class, () -> x.gather(1, Tensor.zeros(3)), "gather", "index of shape [3]",
        "same rank", "[3, 4]");
    assertMessage(IllegalArgumentException.class, () -> x.gather(1, Tensor.zeros(5, 1)), "gather", "[5, 1]",
        "larger than the input [3, 4]", "dimension 0");
    assertMessage(IllegalArgumentException.class, () -> x.scatterAdd(1, Tensor.zeros(3, 2), Tensor.zeros(3, 3)),
        "scatter_add", "index shape [3, 2]", "src shape [3, 3]");
    assertMessage(IllegalArgumentException.class, () -> x.gather(2, Tensor.zeros(3, 4)), "gather", "axis 2", "rank 2");
  }

  @Test
  void whereAndMaskedFillShapeErrorsNameTheShapes() {
    assertMessage(IllegalArgumentException.class,
        () -> Tensor.where(Tensor.zeros(2, 3), Tensor.zeros(4), Tensor.zeros(3)), "where", "[2, 3]", "[4]");
    assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(3).maskedFill(Tensor.zeros(2, 3), 1f),
        "masked_fill", "mask of shape [2, 3]", "input's shape [3]");
  }

  @Test
  void triangleKeepsAnUpperOrLowerBandAndMasksTheGradient() {
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2, 2, 3);
    assertArrayEquals(new float[] {0, 2, 3, 0, 0, 6, 0, 8, 9, 0, 0, 12}, Indexing.triangle(x, 1, true).toArray());
    assertArrayEquals(new float[] {1, 0, 0, 4, 5, 0, 7, 0, 0, 10, 11, 0}, Indexing.triangle(x, 0, false).toArray());
    assertArrayEquals(new float[] {0, 0, 0, 4, 0, 0, 0, 0, 0, 10, 0, 0}, Indexing.triangle(x, -1, false).toArray());
    Tensor r = Tensor.uniform(new Rng(9), -1, 1, 3, 4).requiresGrad(true);
    GradCheck.defaults().check(in -> Indexing.triangle(in[0], -1, true), r);
    assertMessage(IllegalArgumentException.class, () -> Indexing.triangle(Tensor.ones(3), 0, true), "triangle: needs rank 2 or more");
  }

  /** Linear and cubic resampling along one axis: hand-computed values, edge repetition, exclude-outside, and GradCheck. */
  @Test
  void interpolateSamplesAlongAnAxisAndPassesGradCheck() {
    Tensor x = Tensor.of(new float[] {1, 2, 4, 8, 10, 20, 40, 80}, 2, 4);
    Tensor y = Indexing.interpolate(x, 1, new double[] {-0.5, 0.25, 1.5, 3.5}, false, 0, false);
    assertArrayEquals(new float[] {1, 1.25f, 3, 8, 10, 12.5f, 30, 80}, y.toArray(), 1e-6f);
    // Cubic at a whole position returns the sample; exclude-outside renormalises the taps that remain.
    Tensor c = Indexing.interpolate(x, 1, new double[] {2, 0.5}, true, -0.75, true);
    double k0 = 0.59375, k1 = 0.59375, k2 = -0.09375;   // Keys weights at distances 0.5, 0.5 and 1.5 (the tap at -1 is dropped)
    assertArrayEquals(new float[] {4, (float) ((k0 * 1 + k1 * 2 + k2 * 4) / (k0 + k1 + k2))}, c.slice(0, 0, 1).toArray(), 1e-5f);
    Tensor z = Tensor.of(new float[] {0.3f, -1.2f, 0.7f, 2.1f, -0.4f, 1.5f}, 3, 2);
    GC.check(in -> Indexing.interpolate(in[0], 0, new double[] {-0.3, 0.4, 1.7, 2.2, 1.1}, false, 0, false), z.requiresGrad(true));
    GC.check(in -> Indexing.interpolate(in[0], 0, new double[] {0.4, 1.7, 1.1}, true, -0.5, true), z.requiresGrad(true));
  }
}
