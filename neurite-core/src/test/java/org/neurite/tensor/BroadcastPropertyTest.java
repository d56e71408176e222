package org.neurite.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.neurite.testing.Errors.assertMessage;

import java.util.Arrays;
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.testing.Golden;

/**
 * Property sweep of NumPy broadcasting (Shape.broadcast, Arithmetic's binary ops, Reductions.sumTo in
 * their backward). For random compatible shapes of rank 0..4 with size-1 and size-0 dimensions, and
 * operands that are sometimes strided views, every binary op equals an explicit index-by-index loop
 * (exactly: the same float operation per element), is symmetric in its result shape, and its
 * gradients equal explicit sums over the broadcast positions. Incompatible shapes fail naming both.
 */
class BroadcastPropertyTest {
  private static final int[] DIMS = {0, 1, 1, 1, 2, 3, 4, 7};

  static IntStream seeds() {
    return IntStream.rangeClosed(1, 60);
  }

  /** A random output shape and two operand shapes that broadcast to it. */
  private record Case(int[] out, int[] a, int[] b) {}

  private static Case randomCase(Rng rng) {
    int r = rng.nextInt(5);
    int[] out = new int[r];
    for (int i = 0; i < r; i++) out[i] = DIMS[rng.nextInt(DIMS.length)];
    if (rng.nextInt(4) > 0) for (int i = 0; i < r; i++) if (out[i] == 0) out[i] = 2;   // zero sizes in a quarter of cases
    int[] a = operand(rng, out), b = operand(rng, out);
    return new Case(expectedShape(a, b), a, b);
  }

  // The broadcast shape worked out independently of Shape.broadcast: right-align, a 1 takes the other size.
  private static int[] expectedShape(int[] a, int[] b) {
    int r = Math.max(a.length, b.length);
    int[] out = new int[r];
    for (int i = 0; i < r; i++) {
      int da = i < r - a.length ? 1 : a[i - (r - a.length)], db = i < r - b.length ? 1 : b[i - (r - b.length)];
      out[i] = da == 1 ? db : da;
    }
    return out;
  }

  // Drops some leading dimensions and turns others into 1.
  private static int[] operand(Rng rng, int[] out) {
    int drop = rng.nextInt(out.length + 1);
    int[] s = Arrays.copyOfRange(out, drop, out.length);
    for (int i = 0; i < s.length; i++) if (rng.nextInt(3) == 0) s[i] = 1;
    return s;
  }

  /** Distinct-ish values in [lo, hi); sometimes laid out as a strided view (transposed or stepped). */
  private static Tensor values(Rng rng, int[] shape, float lo, float hi) {
    Tensor dense = Tensor.uniform(rng, lo, hi, shape);
    int r = shape.length;
    switch (r == 0 ? 0 : rng.nextInt(3)) {
      case 1 -> {   // a reversed-axes tensor permuted back: same values, reversed strides
        int[] rev = new int[r], perm = new int[r];
        for (int i = 0; i < r; i++) {
          rev[i] = shape[r - 1 - i];
          perm[i] = r - 1 - i;
        }
        Tensor t = Tensor.of(dense.permute(perm).toArray(), rev).permute(perm);
        assertArrayEquals(dense.toArray(), t.toArray());
        return t;
      }
      case 2 -> {   // every other row of a tensor twice as long in axis 0, at an offset
        int[] big = shape.clone();
        big[0] = 2 * shape[0] + 1;
        float[] d = new float[Shape.size(big)];
        Tensor bigT = Tensor.of(d, big);
        Tensor view = bigT.slice(0, 1, big[0], 2);
        float[] src = dense.toArray();
        // write the values through the view's own addressing
        int[] idx = new int[r];
        for (int p = 0; p < src.length; p++) {
          int off = view.offset();
          for (int k = 0; k < r; k++) off += idx[k] * view.strides()[k];
          d[off] = src[p];
          for (int k = r - 1; k >= 0; k--) {
            if (++idx[k] < shape[k]) break;
            idx[k] = 0;
          }
        }
        assertArrayEquals(dense.toArray(), view.toArray());
        return view;
      }
      default -> {
        return dense;
      }
    }
  }

  // Coordinate in an operand of shape s for output coordinate c (right-aligned, size-1 dims pinned to 0).
  private static int[] project(int[] c, int[] s) {
    int lead = c.length - s.length;
    int[] p = new int[s.length];
    for (int i = 0; i < s.length; i++) p[i] = s[i] == 1 ? 0 : c[i + lead];
    return p;
  }

  private static int flat(int[] c, int[] s) {
    int f = 0;
    for (int i = 0; i < s.length; i++) f = f * s[i] + c[i];
    return f;
  }

  private static boolean next(int[] c, int[] s) {
    for (int i = s.length - 1; i >= 0; i--) {
      if (++c[i] < s[i]) return true;
      c[i] = 0;
    }
    return false;
  }

  private static final String[] OPS = {"add", "sub", "mul", "div", "maximum", "minimum", "pow"};

  private static BinaryOperator<Tensor> op(String name) {
    return switch (name) {
      case "add" -> Tensor::add;
      case "sub" -> Tensor::sub;
      case "mul" -> Tensor::mul;
      case "div" -> Tensor::div;
      case "maximum" -> Tensor::maximum;
      case "minimum" -> Tensor::minimum;
      default -> Tensor::pow;
    };
  }

  private static float scalar(String name, float x, float y) {
    return switch (name) {
      case "add" -> x + y;
      case "sub" -> x - y;
      case "mul" -> x * y;
      case "div" -> x / y;
      case "maximum" -> Math.max(x, y);
      case "minimum" -> Math.min(x, y);
      default -> (float) Math.pow(x, y);
    };
  }

  // d op / d x and d op / d y at (x, y), in double.
  private static double[] partials(String name, double x, double y) {
    return switch (name) {
      case "add" -> new double[] {1, 1};
      case "sub" -> new double[] {1, -1};
      case "mul" -> new double[] {y, x};
      case "div" -> new double[] {1 / y, -x / (y * y)};
      case "maximum" -> x > y ? new double[] {1, 0} : x < y ? new double[] {0, 1} : new double[] {0.5, 0.5};
      case "minimum" -> x < y ? new double[] {1, 0} : x > y ? new double[] {0, 1} : new double[] {0.5, 0.5};
      default -> new double[] {y * Math.pow(x, y - 1), Math.pow(x, y) * Math.log(x)};
    };
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void binaryOpsEqualAnExplicitLoop(int seed) {
    Rng rng = new Rng(seed);
    Case k = randomCase(rng);
    for (String name : OPS) {
      // positive operands keep pow and div away from NaN and poles
      Tensor a = values(rng, k.a, 0.5f, 2f), b = values(rng, k.b, 0.5f, 2f);
      Tensor c = op(name).apply(a, b);
      String what = name + " " + Shape.str(k.a) + " with " + Shape.str(k.b);
      assertArrayEquals(k.out, c.shape(), what + ": result shape");
      assertArrayEquals(k.out, op(name).apply(b, a).shape(), what + ": reversed operands' result shape");
      float[] want = new float[Shape.size(k.out)];
      int[] ci = new int[k.out.length];
      if (want.length > 0) do {
        want[flat(ci, k.out)] = scalar(name, a.get(project(ci, k.a)), b.get(project(ci, k.b)));
      } while (next(ci, k.out));
      Golden.assertClose(what, want, c.toArray(), k.out, 0, 0);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void gradientsSumOverTheBroadcastPositions(int seed) {
    Rng rng = new Rng(1000 + seed);
    Case k = randomCase(rng);
    for (String name : OPS) {
      Tensor a = values(rng, k.a, 0.5f, 2f).contiguous().requiresGrad(true);
      Tensor b = values(rng, k.b, 0.5f, 2f).contiguous().requiresGrad(true);
      Tensor u = Tensor.uniform(rng, -1f, 1f, k.out);
      op(name).apply(a, b).backward(u);
      double[] ga = new double[a.size()], gb = new double[b.size()];
      int[] ci = new int[k.out.length];
      if (u.size() > 0) do {
        int[] pa = project(ci, k.a), pb = project(ci, k.b);
        double[] d = partials(name, a.get(pa), b.get(pb));
        double uc = u.get(ci);
        ga[flat(pa, k.a)] += uc * d[0];
        gb[flat(pb, k.b)] += uc * d[1];
      } while (next(ci, k.out));
      String what = name + " " + Shape.str(k.a) + " with " + Shape.str(k.b);
      Golden.assertClose(what + " grad a", toFloat(ga), a.grad().toArray(), k.a, 1e-5, 1e-4);
      Golden.assertClose(what + " grad b", toFloat(gb), b.grad().toArray(), k.b, 1e-5, 1e-4);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void incompatibleShapesNameBothShapes(int seed) {
    Rng rng = new Rng(2000 + seed);
    Case k = randomCase(rng);
    if (k.out.length == 0) k = new Case(new int[] {3}, new int[] {3}, new int[] {1});
    // make one dimension of b clash: neither 1 nor a's size
    int[] a = k.out.clone(), b = k.out.clone();
    int d = rng.nextInt(a.length);
    a[d] = 2 + rng.nextInt(3);
    b[d] = a[d] + 1 + rng.nextInt(2);
    int[] fa = a, fb = b;
    assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(fa).add(Tensor.zeros(fb)),
        "add", Shape.str(fa), Shape.str(fb), "do not broadcast", "dimension " + d);
    assertMessage(IllegalArgumentException.class, () -> Shape.broadcast("mul", fb, fa), "mul", Shape.str(fa), Shape.str(fb));
  }

  private static float[] toFloat(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
    return f;
  }
}
