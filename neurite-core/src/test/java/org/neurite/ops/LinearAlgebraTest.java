package org.neurite.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.neurite.testing.Errors.assertMessage;

import java.util.function.BinaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.autograd.GradCheck;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.testing.Golden;

/**
 * Matrix products (ops/LinearAlgebra.java) with torch.matmul semantics: 2-D, 1-D on either side, the
 * 1-D dot product, batched with broadcast batch dimensions ([2,1,3,4] x [5,4,2]), [..., m, k] x [k, n],
 * a long inner dimension, and transposed operands (which reach the GEMM as flags). Golden
 * forward/backward against PyTorch, finite-difference checks, a comparison with a naive triple loop on
 * strided views, and the error messages.
 */
class LinearAlgebraTest {
  private static final Golden.Fixture FIX = Golden.load("org/neurite/ops/linear_algebra.safetensors");
  private static final double ATOL = 1e-4, RTOL = 1e-4;   // sums of k products in float32

  static Stream<Arguments> cases() {
    BinaryOperator<Tensor> mm = Tensor::matmul;
    return Stream.of(
        Arguments.of("mm_2d", mm), Arguments.of("mm_1d_left", mm), Arguments.of("mm_1d_right", mm),
        Arguments.of("mm_dot", mm), Arguments.of("mm_batched_bcast", mm), Arguments.of("mm_3d_by_2d", mm),
        Arguments.of("mm_1d_by_3d", mm), Arguments.of("mm_large_k", mm),
        Arguments.of("mm_a_transposed", (BinaryOperator<Tensor>) (a, b) -> a.t().matmul(b)),
        Arguments.of("mm_b_transposed", (BinaryOperator<Tensor>) (a, b) -> a.matmul(b.t())),
        Arguments.of("mm_batched_b_transposed", (BinaryOperator<Tensor>) (a, b) -> a.matmul(b.transpose(-1, -2))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesPyTorch(String name, BinaryOperator<Tensor> op) {
    Golden.Case c = FIX.get(name);
    Tensor a = c.input("a"), b = c.input("b");
    c.check(op.apply(a, b), ATOL, RTOL);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradCheck(String name, BinaryOperator<Tensor> op) {
    Golden.Case c = FIX.get(name);
    GradCheck.defaults().check(in -> op.apply(in[0], in[1]),
        c.tensor("a").requiresGrad(true), c.tensor("b").requiresGrad(true));
  }

  /** Naive [m, k] x [k, n] on any layout, via get(). */
  private static float[] naive(Tensor a, Tensor b) {
    int m = a.shape(0), k = a.shape(1), n = b.shape(1);
    float[] c = new float[m * n];
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) s += (double) a.get(i, p) * b.get(p, j);
        c[i * n + j] = (float) s;
      }
    return c;
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void stridedOperandsMatchANaiveLoop(long seed) {
    Rng rng = new Rng(seed);
    int m = 1 + rng.nextInt(9), k = 1 + rng.nextInt(40), n = 1 + rng.nextInt(9);
    // a: a column-stepped slice of a wider matrix; b: a transposed view, sometimes also row-stepped.
    Tensor a = Tensor.randn(rng, m, 2 * k).slice(1, 0, 2 * k, 2);
    Tensor b = rng.nextInt(2) == 0 ? Tensor.randn(rng, n, k).t() : Tensor.randn(rng, n, 2 * k).slice(1, 1, 2 * k, 2).t();
    Golden.assertClose("matmul seed " + seed, Tensor.of(naive(a, b), m, n), a.matmul(b), 1e-4, 1e-4);
  }

  static Stream<Long> seeds() {
    return Stream.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
  }

  @Test
  void emptyInnerDimensionGivesZeros() {
    assertArrayEquals(new float[6], Tensor.zeros(2, 0).matmul(Tensor.zeros(0, 3)).toArray());
  }

  @Test
  void outputShapesFollowTorchMatmul() {
    assertArrayEquals(new int[] {}, Tensor.zeros(4).matmul(Tensor.zeros(4)).shape());
    assertArrayEquals(new int[] {5}, Tensor.zeros(4).matmul(Tensor.zeros(4, 5)).shape());
    assertArrayEquals(new int[] {3}, Tensor.zeros(3, 4).matmul(Tensor.zeros(4)).shape());
    assertArrayEquals(new int[] {2, 5, 3, 2}, Tensor.zeros(2, 1, 3, 4).matmul(Tensor.zeros(5, 4, 2)).shape());
  }

  // ---------------------------------------------------------------- errors

  @Test
  void innerDimensionMismatchNamesBothSizes() {
    assertMessage(IllegalArgumentException.class,
        () -> Tensor.zeros(64, 3136).matmul(Tensor.zeros(512, 10)),
        "matmul", "[64, 3136] x [512, 10]", "inner dimensions 3136 and 512 differ");
    assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(3).matmul(Tensor.zeros(4)),
        "inner dimensions 3 and 4 differ");
  }

  @Test
  void scalarOperandIsAnError() {
    assertMessage(IllegalArgumentException.class, () -> Tensor.scalar(2f).matmul(Tensor.zeros(2, 2)),
        "matmul", "[] x [2, 2]", "at least one dimension");
  }

  @Test
  void batchMismatchNamesBothOperandShapes() {
    assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(2, 3, 4).matmul(Tensor.zeros(3, 4, 5)),
        "matmul", "[2, 3, 4]", "[3, 4, 5]", "do not broadcast");
  }
}
