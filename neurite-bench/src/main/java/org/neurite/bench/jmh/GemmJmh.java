package org.neurite.bench.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.neurite.kernels.Gemm;
import org.neurite.kernels.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH microbenchmark of {@link Gemm#gemm} against the scalar reference {@link Gemm#gemmScalar}, for
 * tuning the kernel. Shapes are "m x k x n" with a layout (nn, tn = transA, nt = transB): squares,
 * the seed models' layer shapes and the per-image conv shapes. GFLOPS = 2 m n k / time. Not the
 * peer comparison (that is {@code neurite bench gemm}, which mirrors peers/gemm.py).
 *
 * <p>Run: {@code java -cp <neurite-bench classpath> org.openjdk.jmh.Main GemmJmh -p shape=512x512x512}.
 *
 * <p>Not thread-safe: JMH state shared by the benchmark ({@code Scope.Benchmark}) for JMH's default single
 * benchmark thread; it sets the process-wide kernel thread count.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = "--add-modules=jdk.incubator.vector")
public class GemmJmh {
  /** For JMH, which instantiates the state. */
  public GemmJmh() {}

  /** m x k x n. */
  @Param({"256x256x256", "512x512x512", "1024x1024x1024", "64x3136x512", "6400x64x256", "21632x27x32",
      "64x288x121", "32x9x676"})
  public String shape;

  /** {@code nn}, {@code tn} (A transposed) or {@code nt} (B transposed). */
  @Param({"nn", "tn", "nt"})
  public String layout;

  /** Kernel threads. */
  @Param({"1", "2"})
  public int threads;

  private int m, n, k, lda, ldb;
  private boolean transA, transB;
  private float[] a, b, c; // A as [m, k] or [k, m]; B as [k, n] or [n, k]; C as [m, n]

  /**
   * Builds the operands and checks that {@code gemm} agrees with {@code gemmScalar}.
   *
   * @throws IllegalStateException if the GEMM and the scalar reference disagree
   */
  @Setup(Level.Trial)
  public void setup() {
    String[] s = shape.split("x");
    m = Integer.parseInt(s[0]);
    k = Integer.parseInt(s[1]);
    n = Integer.parseInt(s[2]);
    transA = layout.equals("tn");
    transB = layout.equals("nt");
    lda = transA ? m : k;
    ldb = transB ? k : n;
    SplittableRandom rnd = new SplittableRandom(42);
    a = random(m * k, rnd);
    b = random(k * n, rnd);
    c = new float[m * n];
    Parallel.setThreads(threads);
    float[] want = new float[m * n];
    Gemm.gemmScalar(transA, transB, m, n, k, a, 0, lda, b, 0, ldb, false, want, 0, n);
    Gemm.gemm(transA, transB, m, n, k, a, 0, lda, b, 0, ldb, false, c, 0, n);
    float tol = 1e-5f * (k + 1);
    for (int i = 0; i < want.length; i++) {
      if (!(Math.abs(want[i] - c[i]) <= tol)) {
        throw new IllegalStateException(shape + " " + layout + ": gemm differs from gemmScalar at " + i
            + ": " + c[i] + " vs " + want[i]);
      }
    }
  }

  /**
   * The tuned GEMM.
   *
   * @return C, for JMH to consume
   */
  @Benchmark
  public float[] gemm() {
    Gemm.gemm(transA, transB, m, n, k, a, 0, lda, b, 0, ldb, false, c, 0, n);
    return c;
  }

  /**
   * The baseline; slow on the large shapes (about 1 GFLOPS), so restrict it with -p shape=... .
   *
   * @return C, for JMH to consume
   */
  @Benchmark
  public float[] scalar() {
    Gemm.gemmScalar(transA, transB, m, n, k, a, 0, lda, b, 0, ldb, false, c, 0, n);
    return c;
  }

  private static float[] random(int size, SplittableRandom rnd) {
    float[] x = new float[size];
    for (int i = 0; i < size; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
    return x;
  }
}
