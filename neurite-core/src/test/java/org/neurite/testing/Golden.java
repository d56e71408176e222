package org.neurite.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.neurite.io.SafeTensors;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * Golden-fixture helpers for tests: loads safetensors fixtures from the classpath and compares tensors
 * with a tolerance, failing with a message that names the tensor, the element, both values and both
 * shapes. Published in neurite-core's test-jar so that other modules reuse it.
 *
 * <p>Fixtures written by {@code tools/fixtures/make_op_fixtures.py} hold one group of tensors per op
 * case, named {@code <case>/<tensor>}: the inputs, {@code out} (or {@code out.0, out.1, ...}), a random
 * upstream gradient {@code u} (or {@code u.0, ...}) and {@code grad_<input>}, the gradient of
 * {@code sum(out * u)} with respect to each differentiated input. {@link Case} runs the usual check:
 *
 * <pre>{@code
 * Golden.Case c = Golden.load("org/neurite/ops/arithmetic.safetensors").get("add_3x1");
 * Tensor a = c.input("a"), b = c.input("b");
 * c.check(a.add(b), 1e-5, 1e-5);   // forward against out, then backward(u) against grad_a, grad_b
 * }</pre>
 *
 * Not a test itself, and not a place for tolerances policy: callers pass theirs.
 */
public final class Golden {
  private static final Map<String, Fixture> CACHE = new ConcurrentHashMap<>();

  private Golden() {}

  /** Loads (once) the fixture at {@code resource}, a classpath path such as {@code org/neurite/ops/views.safetensors}. */
  public static Fixture load(String resource) {
    return CACHE.computeIfAbsent(resource, Golden::read);
  }

  private static Fixture read(String resource) {
    URL url = Golden.class.getClassLoader().getResource(resource);
    if (url == null)
      throw new IllegalArgumentException("Golden: fixture " + resource + " is not on the test classpath. "
          + "Hint: run tools/fixtures/make_op_fixtures.py and check src/test/resources");
    try {
      if ("file".equals(url.getProtocol())) return new Fixture(resource, SafeTensors.read(Path.of(url.toURI())));
      Path tmp = Files.createTempFile("neurite-golden", ".safetensors");   // inside a jar: copy it out first
      try (InputStream in = url.openStream()) {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        return new Fixture(resource, SafeTensors.read(tmp));
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Golden: reading " + resource, e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("Golden: bad resource URL " + url, e);
    }
  }

  /** The tensors of one fixture file, by name. */
  public static final class Fixture {
    private final String resource;
    private final Map<String, Tensor> tensors;

    Fixture(String resource, Map<String, Tensor> tensors) {
      this.resource = resource;
      this.tensors = Collections.unmodifiableMap(tensors);
    }

    public Map<String, Tensor> tensors() {
      return tensors;
    }

    /** The case named {@code name}: every tensor named {@code name/...}. */
    public Case get(String name) {
      Map<String, Tensor> own = new LinkedHashMap<>();
      String prefix = name + "/";
      for (var e : tensors.entrySet())
        if (e.getKey().startsWith(prefix)) own.put(e.getKey().substring(prefix.length()), e.getValue());
      if (own.isEmpty())
        throw new IllegalArgumentException("Golden: no case \"" + name + "\" in " + resource + "; it has " + caseNames());
      return new Case(resource + ":" + name, own);
    }

    /** Case names in file order. */
    public List<String> caseNames() {
      List<String> names = new ArrayList<>();
      for (String k : tensors.keySet()) {
        String c = k.substring(0, k.indexOf('/'));
        if (!names.contains(c)) names.add(c);
      }
      return names;
    }
  }

  /**
   * One op case. {@link #input} hands out fresh copies that require grad and remembers them;
   * {@link #check} then compares the forward output and, after backward with the stored upstream
   * gradient, each remembered input's gradient.
   */
  public static final class Case {
    private final String name;
    private final Map<String, Tensor> tensors;
    private final Map<String, Tensor> inputs = new LinkedHashMap<>();

    Case(String name, Map<String, Tensor> tensors) {
      this.name = name;
      this.tensors = tensors;
    }

    public String name() {
      return name;
    }

    public boolean has(String tensor) {
      return tensors.containsKey(tensor);
    }

    /** The stored tensor (shared: do not modify it). */
    public Tensor expected(String tensor) {
      Tensor t = tensors.get(tensor);
      if (t == null) throw new IllegalArgumentException("Golden: case " + name + " has no tensor \"" + tensor + "\"; it has " + tensors.keySet());
      return t;
    }

    /** A fresh dense copy of a stored tensor, not requiring grad (indices, masks, labels). */
    public Tensor tensor(String tensor) {
      Tensor t = expected(tensor);
      return Tensor.of(t.toArray(), t.shape());
    }

    /** The stored tensor as whole-number ints (index lists). */
    public int[] ints(String tensor) {
      float[] v = expected(tensor).toArray();
      int[] out = new int[v.length];
      for (int i = 0; i < v.length; i++) out[i] = (int) v[i];
      return out;
    }

    /** A fresh copy of a stored input that requires grad; its gradient is checked by {@link #check}. */
    public Tensor input(String tensor) {
      Tensor t = tensor(tensor).requiresGrad(true);
      inputs.put(tensor, t);
      return t;
    }

    /** Checks the forward output against {@code out}, then the input gradients after {@code out.backward(u)}. */
    public void check(Tensor out, double atol, double rtol) {
      checkForward(out, atol, rtol);
      out.backward(expected("u"));
      checkGrads(atol, rtol);
    }

    /** Checks only the forward output against {@code out}. */
    public void checkForward(Tensor out, double atol, double rtol) {
      assertClose(name + " out", expected("out"), out, atol, rtol);
    }

    /** Several outputs: each against {@code out.i}; backward of {@code sum_i sum(outs[i] * u.i)}. */
    public void check(Tensor[] outs, double atol, double rtol) {
      Tensor loss = null;
      for (int i = 0; i < outs.length; i++) {
        assertClose(name + " out." + i, expected("out." + i), outs[i], atol, rtol);
        Tensor term = outs[i].mul(expected("u." + i)).sum();
        loss = loss == null ? term : loss.add(term);
      }
      if (tensors.containsKey("out." + outs.length))
        throw new AssertionError(name + ": fixture has more than the " + outs.length + " outputs given");
      loss.backward();
      checkGrads(atol, rtol);
    }

    private void checkGrads(double atol, double rtol) {
      int checked = 0;
      for (var e : inputs.entrySet()) {
        String g = "grad_" + e.getKey();
        if (!tensors.containsKey(g)) continue;
        Tensor want = tensors.get(g);
        Tensor got = e.getValue().grad();
        if (got == null) got = Tensor.zerosLike(want);   // an unused input: PyTorch's zero gradient
        assertClose(name + " " + g, want, got, atol, rtol);
        checked++;
      }
      if (checked == 0 && tensors.keySet().stream().anyMatch(k -> k.startsWith("grad_")))
        throw new AssertionError(name + ": no input() was used, so no stored gradient was checked");
    }
  }

  // ---------------------------------------------------------------- tolerance asserts

  /** {@link #assertClose(String, Tensor, Tensor, double, double)} with the name "tensor". */
  public static void assertClose(Tensor expected, Tensor actual, double atol, double rtol) {
    assertClose("tensor", expected, actual, atol, rtol);
  }

  /**
   * Asserts equal shapes and {@code |actual - expected| <= atol + rtol * |expected|} everywhere (NaN
   * matches only NaN, an infinity only itself); the message names {@code what}, the first bad element
   * by coordinates and flat index, both values and both shapes.
   */
  public static void assertClose(String what, Tensor expected, Tensor actual, double atol, double rtol) {
    if (actual == null) throw new AssertionError(what + ": expected a tensor of shape " + Shape.str(expected.shape()) + ", got null");
    if (!Shape.same(expected.shape(), actual.shape()))
      throw new AssertionError(what + ": expected shape " + Shape.str(expected.shape()) + ", got shape "
          + Shape.str(actual.shape()));
    assertClose(what, expected.toArray(), actual.toArray(), expected.shape(), atol, rtol);
  }

  /** Array form; {@code shape} (for the message) may be null for a flat array. */
  public static void assertClose(String what, float[] expected, float[] actual, int[] shape, double atol, double rtol) {
    if (shape == null) shape = new int[] {expected.length};
    if (expected.length != actual.length)
      throw new AssertionError(what + ": expected " + expected.length + " values, got " + actual.length);
    for (int i = 0; i < expected.length; i++) {
      float e = expected[i], a = actual[i];
      boolean ok = Float.isNaN(e) ? Float.isNaN(a)
          : Float.isInfinite(e) ? e == a
          : Math.abs((double) a - e) <= atol + rtol * Math.abs((double) e);
      if (!ok)
        throw new AssertionError(String.format(Locale.ROOT,
            "%s: element %s (flat %d) of shape %s: expected %.9g, got %.9g (|diff| %.3g > atol %.1g + rtol %.1g * |expected|)",
            what, Arrays.toString(unravel(i, shape)), i, Shape.str(shape), e, a, Math.abs((double) a - e), atol, rtol));
    }
  }

  private static int[] unravel(int flat, int[] shape) {
    int[] idx = new int[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      if (shape[d] == 0) return idx;
      idx[d] = flat % shape[d];
      flat /= shape[d];
    }
    return idx;
  }
}
