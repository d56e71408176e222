package org.neurite.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.neurite.tensor.Tensor;

/** Test resources of this module, and the tolerance measure the model tests report. */
final class Fixtures {
  static final String ROOT = "org/neurite/onnx/";

  private Fixtures() {}

  /** A resource as a file path (copied out of a jar when needed). */
  static Path path(String resource) {
    URL url = Fixtures.class.getClassLoader().getResource(ROOT + resource);
    if (url == null) throw new IllegalArgumentException("missing test resource " + ROOT + resource
        + ". Hint: run /usr/bin/python3 tools/onnx/make_onnx_fixtures.py (or export_torchvision.py --small)");
    try {
      if ("file".equals(url.getProtocol())) return Path.of(url.toURI());
      Path tmp = Files.createTempFile("neurite-onnx", "-" + Path.of(resource).getFileName());
      try (InputStream in = url.openStream()) {
        Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      return tmp;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static OnnxModel load(String resource) {
    try {
      return Onnx.load(path(resource));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** max |a - b| / max |b|: the error relative to the reference's scale. */
  static double relErr(Tensor expected, Tensor actual) {
    float[] e = expected.toArray(), a = actual.toArray();
    if (e.length != a.length) throw new AssertionError("sizes differ: " + e.length + " vs " + a.length);
    double num = 0, den = 0;
    for (int i = 0; i < e.length; i++) {
      num = Math.max(num, Math.abs((double) a[i] - e[i]));
      den = Math.max(den, Math.abs((double) e[i]));
    }
    return den == 0 ? num : num / den;
  }

  /**
   * max |a - b| / max(max |b|, floor): as {@link #relErr}, but a tensor whose exact value is (nearly) zero,
   * such as the gradient of a bias that a training-mode BatchNorm cancels, is measured against
   * {@code floor} (a fraction of the largest reference in its group) instead of its own rounding noise.
   */
  static double relErr(Tensor expected, Tensor actual, double floor) {
    double r = relErr(expected, actual), scale = maxAbs(expected);
    return scale >= floor ? r : r * (scale == 0 ? 1 : scale) / floor;
  }

  static double maxAbs(Tensor t) {
    double m = 0;
    for (float v : t.toArray()) m = Math.max(m, Math.abs(v));
    return m;
  }

  static double assertRel(String what, Tensor expected, Tensor actual, double tol, double floor) {
    if (!java.util.Arrays.equals(expected.shape(), actual.shape()))
      throw new AssertionError(what + ": expected shape " + java.util.Arrays.toString(expected.shape()) + ", got "
          + java.util.Arrays.toString(actual.shape()));
    double r = relErr(expected, actual, floor);
    if (!(r <= tol))
      throw new AssertionError(String.format(Locale.ROOT, "%s: relative error %.3g > %.1g (max |ref| %.3g)", what, r, tol,
          maxAbs(expected)));
    return r;
  }

  /** Asserts {@link #relErr} <= tol, naming the tensor. */
  static double assertRel(String what, Tensor expected, Tensor actual, double tol) {
    if (!java.util.Arrays.equals(expected.shape(), actual.shape()))
      throw new AssertionError(what + ": expected shape " + java.util.Arrays.toString(expected.shape()) + ", got "
          + java.util.Arrays.toString(actual.shape()));
    double r = relErr(expected, actual);
    if (!(r <= tol))
      throw new AssertionError(String.format(Locale.ROOT, "%s: relative error %.3g > %.1g", what, r, tol));
    return r;
  }
}
