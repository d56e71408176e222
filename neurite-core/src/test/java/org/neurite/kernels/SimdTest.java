package org.neurite.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.neurite.ops.Functional;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * {@link Simd}: the probe, the scalar path in the suite's run without {@code --add-modules
 * jdk.incubator.vector}, and the rule that keeps that run alive: only {@code *Vector} classes (and
 * {@link LaneConv}, vector throughout) mention the Vector API.
 */
class SimdTest {
  private static boolean moduleLoaded() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  @Test
  void enabledExactlyWhenTheModuleIsLoadedAndNotSwitchedOff() {
    assertEquals(moduleLoaded() && !"false".equals(System.getProperty("neurite.simd")), Simd.ENABLED);
    if (Simd.ENABLED) assertEquals(Simd.FLOAT_LANES * 32, Simd.VECTOR_BITS);
    else assertEquals(0, Simd.VECTOR_BITS);
  }

  @Test
  void withoutTheModuleTheOpsRunOnScalarKernels() {
    assumeFalse(moduleLoaded(), "for the suite's run without --add-modules jdk.incubator.vector");
    assertFalse(Simd.ENABLED);
    Tensor a = Tensor.randn(new Rng(1), 37, 53), b = Tensor.randn(new Rng(2), 53, 29);
    float[] want = new float[37 * 29];
    Gemm.gemmScalar(false, false, 37, 29, 53, a.data(), 0, 53, b.data(), 0, 29, false, want, 0, 29);
    assertArrayEquals(want, a.matmul(b).data(), 1e-4f);
    Tensor x = Tensor.randn(new Rng(3), 2, 3, 17, 40), w = Tensor.randn(new Rng(4), 5, 3, 5, 5), bias = Tensor.randn(new Rng(5), 5);
    float[] y = new float[2 * 5 * 17 * 40];
    Conv2d.forwardScalar(new ConvGeometry(2, 3, 17, 40, 5, 5, 5, 1, 1, 2, 2, 1, 1, 1), x.data(), w.data(), bias.data(), y);
    assertArrayEquals(y, Functional.conv2d(x, w, bias, 1, 2, 1, 1).data(), 1e-3f);
    assertFalse(TwinWorkload.run().isEmpty());   // every kernel family, recurrent cells and attention included
  }

  @Test
  void onlyVectorClassesMentionTheVectorApi() throws IOException, URISyntaxException {
    Path classes = Path.of(Simd.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertTrue(Files.isDirectory(classes), "expected the main classes as a directory, got " + classes);
    byte[] api = "jdk/incubator/vector".getBytes(StandardCharsets.UTF_8);
    List<String> offenders;
    try (Stream<Path> files = Files.walk(classes)) {
      offenders = files.filter(p -> p.toString().endsWith(".class"))
          .filter(p -> !p.getFileName().toString().matches(".*Vector(\\$.*)?\\.class|LaneConv(\\$.*)?\\.class"))
          .filter(p -> contains(read(p), api))
          .map(p -> classes.relativize(p).toString()).toList();
    }
    assertEquals(List.of(), offenders, "classes loaded without the Vector API that mention it");
  }

  private static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      return true;
    }
    return false;
  }
}
