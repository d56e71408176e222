package org.neurite.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.testing.ChildJvm;

/**
 * The vector kernels against their scalar twins: {@link TwinWorkload} here, on the vector path, and in a
 * child JVM with {@code -Dneurite.simd=false}. They differ only in summation order and in the vector
 * path's fused multiply-adds and rational tanh, so every array agrees to a few ulps of its largest value;
 * an indexing slip in either would be off by the size of the values themselves.
 */
class SimdTwinsTest {
  @Test
  void vectorAndScalarKernelsAgree(@TempDir Path dir) throws Exception {
    assumeTrue(Simd.ENABLED, "needs the Vector API in this JVM to compare against");
    Map<String, float[]> vector = TwinWorkload.run();
    Path file = dir.resolve("scalar.bin");
    try (ChildJvm child = ChildJvm.start(List.of("-Dneurite.simd=false"), TwinWorkload.class, file.toString())) {
      assertEquals(0, child.waitFor(300), () -> "child failed: " + child.output());
      assertTrue(child.output().stream().anyMatch(l -> l.startsWith("simd=false")), () -> "child output: " + child.output());
    }
    Map<String, float[]> scalar;
    try (var in = Files.newInputStream(file)) {
      scalar = TwinWorkload.read(in);
    }
    assertEquals(List.copyOf(vector.keySet()), List.copyOf(scalar.keySet()));
    for (var e : vector.entrySet()) {
      String name = e.getKey();
      float[] v = e.getValue(), s = scalar.get(name);
      if (name.contains("exact") || name.contains("argmax")) {
        assertArrayEquals(v, s, name);
        continue;
      }
      assertEquals(v.length, s.length, name);
      double scale = 1;
      for (float x : v) if (Float.isFinite(x)) scale = Math.max(scale, Math.abs(x));
      double tol = 2e-4 * scale;
      for (int i = 0; i < v.length; i++) {
        boolean same = Float.isNaN(v[i]) ? Float.isNaN(s[i]) : Math.abs(v[i] - s[i]) <= tol;
        if (!same) fail(name + " [" + i + "]: vector " + v[i] + ", scalar " + s[i] + " (tolerance " + tol + ")");
      }
    }
  }
}
