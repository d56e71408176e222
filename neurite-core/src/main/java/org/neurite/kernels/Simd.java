package org.neurite.kernels;

import java.lang.System.Logger.Level;

/**
 * Whether the kernels run on the Vector API ({@code jdk.incubator.vector}) or on their plain scalar twins.
 * The Vector API is an incubator module: an application started without
 * {@code --add-modules jdk.incubator.vector} cannot load its classes, so every kernel that uses it lives in
 * a {@code *Vector} class that is touched only behind {@code if (Simd.ENABLED)}, and this class, which
 * decides, must not mention a vector type itself. {@code ENABLED} is a static final, so the JIT folds the
 * test away and the vector path pays nothing for the choice.
 *
 * <p>{@code -Dneurite.simd=false} forces the scalar path in a JVM that has the module (tests, benchmarks).
 * Not here: choosing a vector width; the vector path always uses the preferred species.
 */
public final class Simd {
  private Simd() {}

  static final String MODULE = "jdk.incubator.vector";
  /** True when the boot layer has {@value #MODULE} and {@code neurite.simd} is not {@code false}. */
  public static final boolean ENABLED = probe();
  /**
   * Floats per vector: the preferred species' lanes on the vector path; on the scalar path 8 (AVX2's
   * count), which only sizes the scalar kernels' tiles.
   */
  public static final int FLOAT_LANES = ENABLED ? PointwiseVector.floatLanes() : 8;
  /** Bits per vector on the vector path (256 with AVX2, 512 with AVX-512), 0 on the scalar path. */
  public static final int VECTOR_BITS = ENABLED ? FLOAT_LANES * Float.SIZE : 0;

  private static boolean probe() {
    boolean module = ModuleLayer.boot().findModule(MODULE).isPresent();
    if (!module)
      // The slowdown measured with bench cnn --config A, 2 threads, AVX-512: training 5.5x, inference 9x
      // (2,988 / 15,078 samples/s against 547 / 1,645); a 512^3 GEMM about 30x (95 against 3.7 GFLOPS).
      System.getLogger("org.neurite").log(Level.WARNING, "the Vector API module is missing: start Java with --add-modules "
          + MODULE + " (the ./neurite launcher does). Running portable scalar kernels, about 5-10x slower.");
    return module && !"false".equals(System.getProperty("neurite.simd"));
  }
}
