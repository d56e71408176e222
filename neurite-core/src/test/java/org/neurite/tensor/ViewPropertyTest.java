package org.neurite.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.testing.Golden;

/**
 * Property sweep of views (ops/Views.java, Tensor.get/contiguous/toArray, Strided). Random chains of
 * permute, transpose, slice (with steps and out-of-range bounds), expand, reshape, flatten, squeeze and
 * unsqueeze over random shapes of rank 0..4 (size-0 and size-1 dimensions included) are checked against
 * a reference that tracks, by explicit index arithmetic, which base element each view coordinate reads:
 * get() reads it, toArray() and contiguous() agree with it, and the gradient through the chain is the
 * reference scatter of the upstream gradient (expanded positions add up), also when the chain ends in a
 * copy.
 */
class ViewPropertyTest {
  private static final int[] DIMS = {0, 1, 1, 2, 3, 4};

  static IntStream seeds() {
    return IntStream.rangeClosed(1, 150);
  }

  /** A view under test: its shape, and the base flat index each coordinate reads. */
  private record Ref(int[] shape, ToIntFunction<int[]> at) {}

  /** One view op: applies to a Tensor and to the reference, with a label for failure messages. */
  private record Step(String label, UnaryOperator<Tensor> op, UnaryOperator<Ref> ref) {}

  private static Step randomStep(Rng rng, int[] s) {
    int r = s.length;
    while (true) {
      switch (rng.nextInt(8)) {
        case 0 -> {   // permute
          int[] p = IntStream.range(0, r).toArray();
          for (int i = r - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), t = p[i];
            p[i] = p[j];
            p[j] = t;
          }
          return new Step("permute" + Arrays.toString(p), t -> t.permute(p), ref -> {
            int[] ns = new int[r];
            for (int i = 0; i < r; i++) ns[i] = ref.shape[p[i]];
            return new Ref(ns, c -> {
              int[] old = new int[r];
              for (int i = 0; i < r; i++) old[p[i]] = c[i];
              return ref.at.applyAsInt(old);
            });
          });
        }
        case 1 -> {   // transpose, with a negative axis sometimes
          if (r < 1) continue;
          int a = rng.nextInt(r), b = rng.nextInt(r);
          int bArg = rng.nextInt(2) == 0 ? b : b - r;
          return new Step("transpose(" + a + ", " + bArg + ")", t -> t.transpose(a, bArg), ref -> {
            int[] ns = ref.shape.clone();
            ns[a] = ref.shape[b];
            ns[b] = ref.shape[a];
            return new Ref(ns, c -> {
              int[] old = c.clone();
              old[a] = c[b];
              old[b] = c[a];
              return ref.at.applyAsInt(old);
            });
          });
        }
        case 2 -> {   // slice with Python bounds
          if (r < 1) continue;
          int axis = rng.nextInt(r), n = s[axis];
          int start = rng.nextInt(2 * n + 3) - n - 1, end = rng.nextInt(2 * n + 3) - n - 1, step = 1 + rng.nextInt(3);
          int st = Math.max(0, Math.min(n, start < 0 ? start + n : start));
          int en = Math.max(0, Math.min(n, end < 0 ? end + n : end));
          int len = en > st ? (en - st + step - 1) / step : 0;
          return new Step("slice(" + axis + ", " + start + ", " + end + ", " + step + ")",
              t -> t.slice(axis, start, end, step), ref -> {
                int[] ns = ref.shape.clone();
                ns[axis] = len;
                return new Ref(ns, c -> {
                  int[] old = c.clone();
                  old[axis] = st + c[axis] * step;
                  return ref.at.applyAsInt(old);
                });
              });
        }
        case 3 -> {   // expand size-1 dimensions, maybe adding a leading one
          if (r >= 5) continue;
          int lead = r < 4 && rng.nextInt(2) == 0 ? 1 : 0;
          int[] ns = new int[r + lead];
          if (lead == 1) ns[0] = 1 + rng.nextInt(3);
          for (int i = 0; i < r; i++) ns[i + lead] = s[i] == 1 ? rng.nextInt(4) : s[i];
          if (Shape.size(ns) > 400) continue;
          return new Step("expand" + Arrays.toString(ns), t -> t.expand(ns), ref -> new Ref(ns, c -> {
            int[] old = new int[r];
            for (int i = 0; i < r; i++) old[i] = ref.shape[i] == 1 ? 0 : c[i + lead];
            return ref.at.applyAsInt(old);
          }));
        }
        case 4 -> {   // reshape to a random shape of the same size, sometimes with -1
          int[] ns = randomShapeOfSize(rng, Shape.size(s));
          if (ns == null) continue;
          int[] arg = ns.clone();
          if (ns.length > 0 && Shape.size(ns) > 0 && rng.nextInt(2) == 0) arg[rng.nextInt(ns.length)] = -1;
          return new Step("reshape" + Arrays.toString(arg), t -> t.reshape(arg), ref -> reshaped(ref, ns));
        }
        case 5 -> {   // flatten(start, end)
          if (r < 1) continue;
          int a = rng.nextInt(r), b = a + rng.nextInt(r - a);
          int[] ns = new int[r - (b - a)];
          int k = 0, m = 1;
          for (int i = 0; i < a; i++) ns[k++] = s[i];
          for (int i = a; i <= b; i++) m *= s[i];
          ns[k++] = m;
          for (int i = b + 1; i < r; i++) ns[k++] = s[i];
          return new Step("flatten(" + a + ", " + b + ")", t -> t.flatten(a, b), ref -> reshaped(ref, ns));
        }
        case 6 -> {   // squeeze: all, or one axis (a no-op when that axis is not 1)
          if (rng.nextInt(2) == 0 || r == 0) {
            int[] ns = Arrays.stream(s).filter(d -> d != 1).toArray();
            return new Step("squeeze()", Tensor::squeeze, ref -> reshaped(ref, ns));
          }
          int axis = rng.nextInt(r);
          int[] ns = s[axis] != 1 ? s.clone()
              : IntStream.range(0, r).filter(i -> i != axis).map(i -> s[i]).toArray();
          return new Step("squeeze(" + axis + ")", t -> t.squeeze(axis), ref -> reshaped(ref, ns));
        }
        default -> {   // unsqueeze at 0..r, or a negative position
          if (r >= 5) continue;
          int axis = rng.nextInt(r + 1);
          int arg = rng.nextInt(2) == 0 ? axis : axis - (r + 1);
          int[] ns = new int[r + 1];
          for (int i = 0, j = 0; i <= r; i++) ns[i] = i == axis ? 1 : s[j++];
          return new Step("unsqueeze(" + arg + ")", t -> t.unsqueeze(arg), ref -> reshaped(ref, ns));
        }
      }
    }
  }

  // Row-major reinterpretation: coordinate -> flat position in the new shape -> coordinate in the old.
  private static Ref reshaped(Ref ref, int[] ns) {
    int[] old = ref.shape;
    return new Ref(ns, c -> {
      int f = 0;
      for (int i = 0; i < ns.length; i++) f = f * ns[i] + c[i];
      int[] oc = new int[old.length];
      for (int i = old.length - 1; i >= 0; i--) {
        oc[i] = f % old[i];
        f /= old[i];
      }
      return ref.at.applyAsInt(oc);
    });
  }

  private static int[] randomShapeOfSize(Rng rng, int n) {
    int r = rng.nextInt(5);
    if (n == 0) {
      if (r == 0) return null;
      int[] s = new int[r];
      for (int i = 0; i < r; i++) s[i] = 1 + rng.nextInt(3);
      s[rng.nextInt(r)] = 0;
      return s;
    }
    if (r == 0) return n == 1 ? new int[0] : null;
    int[] s = new int[r];
    int rest = n;
    for (int i = 0; i < r - 1; i++) {
      List<Integer> divisors = new ArrayList<>();
      for (int d = 1; d <= rest; d++) if (rest % d == 0) divisors.add(d);
      s[i] = divisors.get(rng.nextInt(divisors.size()));
      rest /= s[i];
    }
    s[r - 1] = rest;
    return s;
  }

  private static int[] randomShape(Rng rng) {
    int r = rng.nextInt(5);
    int[] s = new int[r];
    for (int i = 0; i < r; i++) s[i] = DIMS[rng.nextInt(DIMS.length)];
    if (rng.nextInt(4) > 0) for (int i = 0; i < r; i++) if (s[i] == 0) s[i] = 3;   // zero sizes in a quarter of cases
    return s;
  }

  private static boolean next(int[] c, int[] s) {
    for (int i = s.length - 1; i >= 0; i--) {
      if (++c[i] < s[i]) return true;
      c[i] = 0;
    }
    return false;
  }

  /** The base flat indices the reference reads, in row-major order of its shape. */
  private static int[] referenceIndices(Ref ref) {
    int n = Shape.size(ref.shape);
    int[] out = new int[n];
    if (n == 0) return out;
    int[] c = new int[ref.shape.length];
    int p = 0;
    do {
      out[p++] = ref.at.applyAsInt(c.clone());
    } while (next(c, ref.shape));
    return out;
  }

  private static final class Chain {
    final List<Step> steps = new ArrayList<>();
    Ref ref;

    Chain(Rng rng, int[] baseShape) {
      int[] strides = Shape.strides(baseShape);
      ref = new Ref(baseShape, c -> {
        int f = 0;
        for (int i = 0; i < c.length; i++) f += c[i] * strides[i];
        return f;
      });
      int len = 1 + rng.nextInt(4);
      for (int i = 0; i < len; i++) {
        Step st = randomStep(rng, ref.shape);
        steps.add(st);
        ref = st.ref.apply(ref);
      }
    }

    Tensor apply(Tensor x) {
      for (Step s : steps) x = s.op.apply(x);
      return x;
    }

    String label(int[] baseShape) {
      StringBuilder sb = new StringBuilder("x" + Arrays.toString(baseShape));
      for (Step s : steps) sb.append('.').append(s.label);
      return sb.toString();
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void viewsReadTheElementsIndexArithmeticSays(int seed) {
    Rng rng = new Rng(seed);
    int[] baseShape = randomShape(rng);
    Chain chain = new Chain(rng, baseShape);
    String what = chain.label(baseShape);
    float[] base = Tensor.arange(Shape.size(baseShape)).toArray();   // value == flat index
    Tensor y = chain.apply(Tensor.of(base.clone(), baseShape));
    assertArrayEquals(chain.ref.shape, y.shape(), what + ": shape");

    int[] want = referenceIndices(chain.ref);
    float[] wantValues = new float[want.length];
    for (int i = 0; i < want.length; i++) wantValues[i] = base[want[i]];
    Golden.assertClose(what + " toArray", wantValues, y.toArray(), y.shape(), 0, 0);
    Tensor c = y.contiguous();
    assertTrue(c.isDense(), what + ": contiguous() is dense");
    Golden.assertClose(what + " contiguous", wantValues, c.toArray(), y.shape(), 0, 0);
    // get() with coordinates, and with negative coordinates
    if (want.length > 0) {
      int[] ci = new int[y.rank()];
      int p = 0;
      do {
        assertEquals(wantValues[p], y.get(ci), what + " get" + Arrays.toString(ci));
        int[] neg = ci.clone();
        for (int i = 0; i < neg.length; i++) neg[i] -= y.shape(i);
        assertEquals(wantValues[p], y.get(neg), what + " get" + Arrays.toString(neg));
        p++;
      } while (next(ci, y.shape()));
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void gradientThroughViewsIsTheReferenceScatter(int seed) {
    Rng rng = new Rng(10_000 + seed);
    int[] baseShape = randomShape(rng);
    Chain chain = new Chain(rng, baseShape);
    String what = chain.label(baseShape);
    Tensor x = Tensor.uniform(rng, -1f, 1f, baseShape).requiresGrad(true);
    Tensor u = Tensor.uniform(rng, -1f, 1f, chain.ref.shape);
    chain.apply(x).mul(u).sum().backward();

    int[] idx = referenceIndices(chain.ref);
    float[] uw = u.toArray();
    double[] g = new double[x.size()];
    for (int i = 0; i < idx.length; i++) g[idx[i]] += uw[i];
    float[] want = new float[g.length];
    for (int i = 0; i < g.length; i++) want[i] = (float) g[i];
    Golden.assertClose(what + " grad", want, x.grad().toArray(), baseShape, 1e-6, 1e-6);

    // the same computation ending in a copy (contiguous, then a reshape of the copy) gives the same gradient
    Tensor x2 = Tensor.of(x.toArray(), baseShape).requiresGrad(true);
    Tensor y2 = chain.apply(x2).contiguous();
    y2.reshape(y2.size()).mul(u.reshape(u.size())).sum().backward();
    Golden.assertClose(what + " grad via a copy", x.grad(), x2.grad(), 1e-6, 1e-6);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void viewsComposeWithTheirInverses(int seed) {
    Rng rng = new Rng(20_000 + seed);
    int[] s = randomShape(rng);
    Tensor x = Tensor.arange(Shape.size(s)).reshape(s);
    int r = s.length;
    int[] p = IntStream.range(0, r).toArray();
    for (int i = r - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1), t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    int[] inv = new int[r];
    for (int i = 0; i < r; i++) inv[p[i]] = i;
    String what = Arrays.toString(s) + " permute" + Arrays.toString(p);
    assertArrayEquals(x.toArray(), x.permute(p).permute(inv).toArray(), what + " then its inverse");
    assertArrayEquals(x.toArray(), x.permute(p).contiguous().permute(inv).toArray(), what + ", copied, then its inverse");
    assertArrayEquals(x.toArray(), x.unsqueeze(r).squeeze(r).toArray(), "unsqueeze then squeeze");
    assertArrayEquals(x.toArray(), x.reshape(x.size()).reshape(s).toArray(), "flatten then reshape back");
    if (r >= 2) assertArrayEquals(x.toArray(), x.transpose(0, r - 1).transpose(r - 1, 0).toArray(), "transpose twice");
  }
}
