package org.neurite.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.neurite.autograd.GradCheck;
import org.neurite.testing.Golden;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/** The inference max pool against the general one, and gradient checks of the ops neurite-onnx adds. */
class PrimsTest {
  @ParameterizedTest(name = "k={0}x{1} s={2}x{3} d={4} pads={5},{6},{7},{8} ceil={9} in={10}x{11}")
  @CsvSource({"3, 3, 2, 2, 1, 1, 1, 1, 1, false, 112, 112", "3, 3, 2, 2, 1, 0, 0, 0, 0, true, 13, 13",
      "2, 2, 2, 2, 1, 0, 0, 1, 1, false, 7, 9", "3, 3, 1, 1, 1, 1, 1, 1, 1, false, 6, 5", "2, 3, 3, 2, 2, 0, 1, 0, 1, true, 11, 17",
      "1, 3, 1, 2, 1, 0, 1, 0, 1, false, 1, 20", "3, 3, 2, 2, 1, 1, 1, 1, 1, false, 2, 3"})
  void inferenceMaxPoolMatchesTheGeneralOne(int kh, int kw, int sh, int sw, int d, int pt, int pl, int pb, int pr, boolean ceil,
                                             int h, int w) {
    Tensor x = Tensor.randn(new Rng(h * 31 + w), 2, 3, h, w);
    Prims.Pool p = new Prims.Pool(true, kh, kw, sh, sw, d, d, pt, pl, pb, pr, ceil, false);
    Golden.assertClose("max pool", Prims.pool2d(x, p), Prims.maxPoolNoGrad(x, p, float[]::new), 0, 0);
    x.storage()[5] = Float.NaN;   // NaN propagates, as in PyTorch
    float[] y = Prims.maxPoolNoGrad(x, p, float[]::new).toArray();
    boolean nan = false;
    for (float v : y) nan |= Float.isNaN(v);
    assertTrue(nan);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"erf", "hard_sigmoid", "hard_swish", "pad", "avg_pool_ceil", "max_pool_dilated", "conv_transpose", "batch_norm"})
  void gradientsMatchFiniteDifferences(String op) {
    Rng r = new Rng(op.hashCode());
    switch (op) {
      case "erf" -> check(op, Prims::erf, Tensor.randn(r, 3, 4));
      case "hard_sigmoid" -> check(op, x -> Prims.hardSigmoid(x, 0.3f, 0.4f), away(r, 3, 4));
      case "hard_swish" -> check(op, Prims::hardSwish, away(r, 3, 4));
      case "pad" -> check(op, x -> Prims.pad(x, new int[] {0, 1, 2}, new int[] {1, 0, 1}, 0.5f), Tensor.randn(r, 2, 3, 2));
      case "avg_pool_ceil" -> check(op, x -> Prims.pool2d(x, new Prims.Pool(false, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, true, false)),
          Tensor.randn(r, 1, 2, 6, 7));
      case "max_pool_dilated" -> check(op, x -> Prims.pool2d(x, new Prims.Pool(true, 2, 2, 1, 1, 2, 2, 0, 0, 0, 0, false, false)),
          distinct(r, 1, 2, 5, 5));
      case "conv_transpose" -> {
        Tensor w = Tensor.randn(r, 4, 3, 3, 3);
        check(op, x -> Prims.convTranspose2d(x, w, null, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 0}, 1),
            Tensor.randn(r, 1, 4, 3, 3));
        Tensor x = Tensor.randn(r, 1, 4, 3, 3);
        check(op + " weight", ww -> Prims.convTranspose2d(x, ww, null, new int[] {1, 2}, new int[] {0, 1}, new int[] {2, 1},
            new int[] {0, 1}, 2), Tensor.randn(r, 4, 2, 2, 3));
      }
      case "batch_norm" -> {
        Tensor g = Tensor.randn(r, 3), b = Tensor.randn(r, 3);
        check(op, x -> Prims.batchNormTrain(x, g, b, 1e-5f, new double[2][]), Tensor.randn(r, 4, 3, 2, 2));
      }
      default -> throw new AssertionError(op);
    }
  }

  private static void check(String what, java.util.function.UnaryOperator<Tensor> f, Tensor x) {
    try {
      GradCheck.defaults().check(in -> f.apply(in[0]), x.requiresGrad(true));
    } catch (AssertionError e) {
      throw new AssertionError(what + ": " + e.getMessage(), e);
    }
  }

  private static Tensor away(Rng r, int... shape) {
    float[] v = Tensor.randn(r, shape).mul(3f).toArray();
    for (int i = 0; i < v.length; i++) {
      // away from the kinks of hard sigmoid (x = -4/3, 2) and hard swish (x = -3, 3)
      for (float k : new float[] {-4f / 3, 2f, -3f, 3f}) if (Math.abs(v[i] - k) < 0.05f) v[i] = k + 0.2f;
    }
    return Tensor.of(v, shape);
  }

  private static Tensor distinct(Rng r, int... shape) {
    int n = 1;
    for (int s : shape) n *= s;
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) perm[i] = i;
    r.shuffle(perm);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = perm[i] * 0.1f;
    return Tensor.of(v, shape);
  }
}
