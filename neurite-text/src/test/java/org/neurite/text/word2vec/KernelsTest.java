package org.neurite.text.word2vec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The vector loops against their scalar references, on padded rows at offsets. */
class KernelsTest {
  @ParameterizedTest
  @ValueSource(ints = {1, 7, 8, 9, 100, 300})
  void vectorLoopsMatchScalar(int dim) {
    int n = Kernels.stride(dim);
    assertEquals(0, n % Kernels.LANES);
    Random r = new Random(dim);
    float[] x = random(r, 3 * n), y = random(r, 3 * n), e = random(r, n);
    assertEquals(Kernels.dotScalar(x, n, y, 2 * n, n), Kernels.dot(x, n, y, 2 * n, n), 1e-4f * n);

    float[] y1 = y.clone(), y2 = y.clone();
    Kernels.axpy(0.37f, x, n, y1, 2 * n, n);
    Kernels.axpyScalar(0.37f, x, n, y2, 2 * n, n);
    assertArrayEquals(y2, y1, 1e-6f);

    float[] s1 = y.clone(), s2 = y.clone(), e1 = e.clone(), e2 = e.clone();
    Kernels.update(-0.21f, x, 0, s1, n, e1, 0, n);
    Kernels.updateScalar(-0.21f, x, 0, s2, n, e2, 0, n);
    assertArrayEquals(s2, s1, 1e-6f);
    assertArrayEquals(e2, e1, 1e-6f);
  }

  private static float[] random(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
    return v;
  }
}
