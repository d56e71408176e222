package org.neurite.bench;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.neurite.kernels.Gemm;
import org.neurite.kernels.Parallel;
import org.neurite.tensor.Rng;

/**
 * {@code neurite bench gemm}: float32 GEMM GFLOPS on the shapes of {@code peers/gemm.py} (squares
 * 256-2048 and the seed models' layer shapes in nn, tn and nt layouts), one JSON line per case.
 * Transposed operands are passed to the GEMM as flags, as NumPy hands them to BLAS.
 *
 * <p>Not thread-safe: a benchmark run sets the process-wide kernel thread count and times the whole
 * machine; run one at a time.
 */
public final class GemmBench {
  static final int[] SQUARE = {256, 512, 1024, 2048};
  static final int[][] LAYERS = {{64, 3136, 512}, {64, 86528, 512}, {6400, 64, 256}, {21632, 27, 32}};

  private GemmBench() {}

  /**
   * Runs every case and prints one line per case.
   *
   * @param h the harness that prints the JSON lines
   * @param threads kernel threads (the process-wide count is set to it)
   * @param reps timed repetitions per measurement
   * @param skipBig skip the largest shape, (64, 86528, 512)
   * @param minRepS the least seconds one repetition lasts (short calls are repeated within it)
   * @param only comma list of {@code MxKxN} shapes to run, or {@code null} for all
   */
  public static void run(Harness h, int threads, int reps, boolean skipBig, double minRepS, String only) {
    Parallel.setThreads(threads);
    record Case(String kind, int m, int k, int n, String layout) {}
    List<Case> cases = new ArrayList<>();
    for (int n : SQUARE) cases.add(new Case("square", n, n, n, "nn"));
    for (int[] l : LAYERS) {
      if (skipBig && l[1] == 86528) continue;
      for (String layout : new String[] {"nn", "tn", "nt"}) cases.add(new Case("layer", l[0], l[1], l[2], layout));
    }
    Set<String> keep = new HashSet<>();
    if (only != null) for (String s : only.split(",")) keep.add(s.trim());
    Rng rng = new Rng(0);
    for (Case c : cases) {
      if (!keep.isEmpty() && !keep.contains(c.m + "x" + c.k + "x" + c.n)) continue;
      float[] a = random(rng, c.m * c.k), b = random(rng, c.k * c.n), out = new float[c.m * c.n];
      boolean ta = c.layout.equals("tn"), tb = c.layout.equals("nt");
      int lda = ta ? c.m : c.k, ldb = tb ? c.k : c.n;
      double gflop = 2.0 * c.m * c.n * c.k / 1e9;
      Harness.Stats st = h.bench(() -> Gemm.gemm(ta, tb, c.m, c.n, c.k, a, 0, lda, b, 0, ldb, false, out, 0, c.n),
          gflop, reps, 2, minRepS, 10000);
      h.emit("gemm", Harness.params("kind", c.kind, "m", c.m, "k", c.k, "n", c.n, "layout", c.layout, "dtype", "float32"),
          "GFLOPS", st, threads, null);
    }
  }

  static float[] random(Rng rng, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
    return v;
  }
}
