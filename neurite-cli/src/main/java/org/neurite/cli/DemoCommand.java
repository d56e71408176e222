package org.neurite.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.neurite.autograd.GradCheck;
import org.neurite.autograd.GradMode;
import org.neurite.kernels.Gemm;
import org.neurite.kernels.Parallel;
import org.neurite.ops.Functional;
import org.neurite.optim.Adam;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code neurite demo}: the engine self-check until the image issue gives the demo a real job. It
 * gradient-checks a conv net, trains a small CNN on a synthetic image task (where is the bright
 * square?) until it classifies held-out images, and prints the GEMM speed of this machine.
 */
@Command(name = "demo", description = "Engine self-check: gradient check, train a small CNN on synthetic images, GEMM speed.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--threads", paramLabel = "N", description = "Kernel threads (default: all cores).")
  Integer threads;

  @Option(names = "--seed", defaultValue = "7", description = "Random seed (default 7).")
  long seed;

  @Override
  public Integer call() {
    if (threads != null) Parallel.setThreads(threads);
    PrintStream out = System.out;
    out.printf(Locale.ROOT, "Neurite engine self-check (%d threads, %d-bit vectors)%n", Parallel.threads(),
        jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize());
    Rng rng = new Rng(seed);

    // 1. Gradients of a conv -> relu -> max-pool -> dense -> cross-entropy stack against finite differences.
    Tensor x = Tensor.randn(rng, 2, 1, 6, 6);
    Tensor w = Tensor.randn(rng, 3, 1, 3, 3).mul(0.5f).contiguous().requiresGrad(true);
    Tensor b = Tensor.randn(rng, 3).requiresGrad(true);
    Tensor d = Tensor.randn(rng, 4, 12).mul(0.3f).contiguous().requiresGrad(true);
    Tensor labels = Tensor.of(new float[] {1, 3}, 2);
    GradCheck.defaults().check(p -> Functional.crossEntropy(
        Functional.linear(Functional.maxPool2d(Functional.conv2d(x, p[0], p[1]).tanh(), 2).flatten(1, -1), p[2], null),
        labels), w, b, d);
    out.println("  gradient check (conv2d, max-pool, dense, cross-entropy): ok");

    // 2. Train a small CNN to find which quadrant of a 12x12 image holds a bright 4x4 square.
    int n = 512, test = 256, size = 12;
    Tensor[] train = squares(rng, n, size), held = squares(rng, test, size);
    Tensor c1 = init(rng, 9, 8, 1, 3, 3), c1b = init(rng, 9, 8);
    Tensor fc = init(rng, 8 * 5 * 5, 4, 8 * 5 * 5), fcb = init(rng, 8 * 5 * 5, 4);
    List<Tensor> params = List.of(c1, c1b, fc, fcb);
    Adam adam = new Adam(params, 1e-2f);
    java.util.function.Function<Tensor, Tensor> net = in ->
        Functional.linear(Functional.maxPool2d(Functional.conv2d(in, c1, c1b).relu(), 2).flatten(1, -1), fc, fcb);
    int batch = 64;
    long t0 = System.nanoTime();
    for (int epoch = 1; epoch <= 4; epoch++) {
      double loss = 0;
      for (int s = 0; s < n; s += batch) {
        adam.zeroGrad();
        Tensor l = Functional.crossEntropy(net.apply(train[0].slice(0, s, s + batch)), train[1].slice(0, s, s + batch));
        l.backward();
        adam.step();
        loss += l.item() * batch / n;
      }
      out.printf(Locale.ROOT, "  epoch %d: train loss %.4f, held-out accuracy %.1f%%%n", epoch, loss,
          100 * accuracy(net, held));
    }
    double acc = accuracy(net, held);
    out.printf(Locale.ROOT, "  trained in %.2f s; held-out accuracy %.1f%% (chance: 25%%)%n", (System.nanoTime() - t0) / 1e9,
        100 * acc);

    // 3. GEMM speed at 512^3.
    int m = 512;
    float[] a = new float[m * m], bm = new float[m * m], c = new float[m * m];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) rng.nextGaussian();
      bm[i] = (float) rng.nextGaussian();
    }
    double best = 0;
    for (int r = 0; r < 20; r++) {
      long s = System.nanoTime();
      Gemm.gemm(false, false, m, m, m, a, 0, m, bm, 0, m, false, c, 0, m);
      best = Math.max(best, 2.0 * m * m * m / (System.nanoTime() - s));
    }
    out.printf(Locale.ROOT, "  GEMM 512x512x512: %.1f GFLOPS (best of 20)%n", best);
    if (acc < 0.9) {
      System.err.printf(Locale.ROOT, "neurite: self-check failed: held-out accuracy %.1f%% is below 90%%%n", 100 * acc);
      return 1;
    }
    out.println("Self-check passed.");
    return 0;
  }

  // Images [n, 1, size, size] of noise with a bright 4x4 square in one quadrant; labels [n] = quadrant.
  private static Tensor[] squares(Rng rng, int n, int size) {
    float[] img = new float[n * size * size], lab = new float[n];
    int half = size / 2;
    for (int i = 0; i < n; i++) {
      int q = rng.nextInt(4);
      lab[i] = q;
      for (int p = 0; p < size * size; p++) img[i * size * size + p] = (float) (0.3 * rng.nextGaussian());
      int r0 = (q / 2) * half + rng.nextInt(half - 3), c0 = (q % 2) * half + rng.nextInt(half - 3);
      for (int r = r0; r < r0 + 4; r++) for (int cc = c0; cc < c0 + 4; cc++) img[i * size * size + r * size + cc] += 1f;
    }
    return new Tensor[] {Tensor.of(img, n, 1, size, size), Tensor.of(lab, n)};
  }

  private static double accuracy(java.util.function.Function<Tensor, Tensor> net, Tensor[] data) {
    try (var g = GradMode.off()) {
      float[] pred = net.apply(data[0]).argmax(1, false).data(), lab = data[1].data();
      int ok = 0;
      for (int i = 0; i < lab.length; i++) if (pred[i] == lab[i]) ok++;
      return (double) ok / lab.length;
    }
  }

  private static Tensor init(Rng rng, int fanIn, int... shape) {
    float bound = (float) (1 / Math.sqrt(fanIn));
    return Tensor.uniform(rng, -bound, bound, shape).requiresGrad(true);
  }
}
