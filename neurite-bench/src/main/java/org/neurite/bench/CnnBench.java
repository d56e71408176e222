package org.neurite.bench;

import java.util.List;
import java.util.Map;
import org.neurite.autograd.GradMode;
import org.neurite.kernels.Parallel;
import org.neurite.ops.Functional;
import org.neurite.nn.Conv2D;
import org.neurite.nn.Dense;
import org.neurite.nn.Flatten;
import org.neurite.nn.MaxPool2D;
import org.neurite.nn.Seeds;
import org.neurite.nn.Sequential;
import org.neurite.optim.Adam;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.tensor.Workspace;
import org.neurite.train.Warmup;

/**
 * {@code neurite bench cnn}: the seed CNN of {@code peers/torch_cnn.py} (Conv 32/64/128 3x3 + ReLU +
 * MaxPool 2, Dense 512 + ReLU, Dense 10; cross-entropy on logits; Adam 1e-3), training and inference
 * samples/s, and with {@code --layers} each 3x3 convolution alone, forward and forward+backward.
 *
 * <p>The model is built with {@code Sequential}, as a user would, and trained with the core Adam on
 * logits, as the peer trains its model.
 *
 * <p>Not thread-safe: a benchmark run sets the process-wide kernel thread count and times the whole
 * machine; run one at a time.
 */
public final class CnnBench {
  private static final Map<String, int[]> CONFIGS = Map.of(
      "A", new int[] {1, 28, 64}, "B", new int[] {3, 32, 64}, "C", new int[] {3, 224, 16});

  private CnnBench() {}

  /**
   * Runs the workload and prints one line per measurement.
   *
   * @param h the harness that prints the JSON lines
   * @param config A (1x28x28, batch 64), B (3x32x32, batch 64) or C (3x224x224, batch 16)
   * @param threads kernel threads (the process-wide count is set to it)
   * @param reps timed repetitions per measurement
   * @param minRepS the least seconds one repetition lasts (short calls are repeated within it)
   * @param layers also time each 3x3 convolution alone, forward and forward+backward
   * @param noModel only the per-layer timings
   * @throws IllegalArgumentException if the config is not A, B or C
   */
  public static void run(Harness h, String config, int threads, int reps, double minRepS, boolean layers, boolean noModel) {
    int[] cfg = CONFIGS.get(config);
    if (cfg == null) throw new IllegalArgumentException("bench cnn: --config must be A, B or C, got " + config);
    Parallel.setThreads(threads);
    double rss0 = Harness.peakRssMib();
    int cin = cfg[0], hw = cfg[1], batch = cfg[2];
    Map<String, Object> base = Harness.params("config", config, "input", List.of(cin, hw, hw), "batch", batch);
    int warm = config.equals("C") ? 1 : 3;
    Map<String, Object> threadsKw = Harness.params("blas_threads", threads);
    Rng rng = new Rng(0);

    if (!noModel) {
      SeedCnn model = new SeedCnn(cin, hw, rng);
      Map<String, Object> params = new java.util.LinkedHashMap<>(base);
      params.put("flatten", model.flat);
      params.put("params", model.parameterCount());
      params.put("optimizer", "Adam(1e-3)");
      Tensor x = Tensor.randn(rng, batch, cin, hw, hw);
      float[] labels = new float[batch];
      for (int i = 0; i < batch; i++) labels[i] = rng.nextInt(10);
      Tensor y = Tensor.of(labels, batch);
      Warmup.forBatches(4L * x.size(), cin);   // as fit does for large batches
      Harness.Stats st = h.bench(() -> model.trainStep(x, y), batch, reps, warm, minRepS, 10000);
      h.emit("cnn_train", params, "samples/s", st, threads, threadsKw);
      model.endTraining();
      Workspace inferWs = new Workspace();
      st = h.bench(() -> {
        try (var s = GradMode.off(); var scope = inferWs.enter()) {
          model.forward(x);
        }
      }, batch, reps, warm, minRepS, 10000);
      h.emit("cnn_infer", params, "samples/s", st, threads, threadsKw);
    }

    if (layers) {
      int c = cin, s = hw;
      int[] outs = {32, 64, 128};
      for (int i = 0; i < 3; i++) {
        int co = outs[i], ho = s - 2, wo = s - 2;
        boolean first = i == 0;
        double fwdGflop = 2.0 * batch * co * ho * wo * c * 9 / 1e9;
        Tensor xin = Tensor.randn(rng, batch, c, s, s).requiresGrad(!first);
        Tensor wt = Tensor.randn(rng, co, c, 3, 3).requiresGrad(true);
        Tensor bs = Tensor.randn(rng, co).requiresGrad(true);
        Tensor gout = Tensor.randn(rng, batch, co, ho, wo);
        Map<String, Object> lp = new java.util.LinkedHashMap<>(base);
        lp.put("layer", "conv" + (i + 1));
        lp.put("x", List.of(batch, c, s, s));
        lp.put("w", List.of(co, c, 3, 3));
        lp.put("out", List.of(batch, co, ho, wo));
        // As a model's step runs them: outputs and gradients recycled through a workspace.
        Workspace ws = new Workspace();
        Runnable fwd = () -> {
          try (var g = GradMode.off(); var scope = ws.enter()) {
            Functional.conv2d(xin, wt, bs);
          }
        };
        Runnable fwdBwd = () -> {
          try (var scope = ws.enter()) {
            Functional.conv2d(xin, wt, bs).backward(gout);
          }
          wt.recycleGrad();
          bs.recycleGrad();
          xin.recycleGrad();
        };
        for (String mode : new String[] {"fwd", "fwd+bwd"}) {
          double mult = mode.equals("fwd") ? 1 : first ? 2 : 3;
          Harness.Stats st = h.bench(mode.equals("fwd") ? fwd : fwdBwd, batch, reps, warm, minRepS / 2, 10000);
          Map<String, Object> p = new java.util.LinkedHashMap<>(lp);
          p.put("mode", mode);
          Map<String, Object> extra = new java.util.LinkedHashMap<>(threadsKw);
          extra.put("gflops_median", Harness.round(st.median() * fwdGflop * mult / batch, 2));
          h.emit("conv3x3_" + mode, p, "samples/s", st, threads, extra);
        }
        c = co;
        s = (s - 2) / 2;
      }
    }
    double v = Harness.peakRssMib();
    Map<String, Object> extra = new java.util.LinkedHashMap<>(threadsKw);
    extra.put("rss_after_import_mib", Harness.round(rss0, 1));
    h.emit("cnn_peak_rss", base, "MiB", Harness.single(v), threads, extra);
  }

  /** The seed CNN as a user builds it (Sequential), ending in logits as the peer's model does. */
  static final class SeedCnn {
    final Sequential model;
    final int flat;
    private final Adam adam;
    private final Workspace workspace = new Workspace();

    SeedCnn(int cin, int hw, Rng rng) {
      Seeds.set(rng.nextLong());
      model = Sequential.of(
          new Conv2D(32, 3).relu(), new MaxPool2D(2),
          new Conv2D(64, 3).relu(), new MaxPool2D(2),
          new Conv2D(128, 3).relu(), new MaxPool2D(2),
          new Flatten(), new Dense(512).relu(), new Dense(10))
          .input(cin, hw, hw);
      flat = model.layers().get(6).outputShape()[0];
      adam = new Adam(model.parameters(), 1e-3f);
    }

    long parameterCount() {
      return model.parameterCount();
    }

    Tensor forward(Tensor x) {
      return model.forward(x);
    }

    /** The training loop has ended: its workspace's arrays go, as PyTorch frees a step's at its end. */
    void endTraining() {
      workspace.clear();
    }

    void trainStep(Tensor x, Tensor y) {
      adam.zeroGrad();
      try (var scope = workspace.enter()) {
        Functional.crossEntropy(model.forward(x), y).backward();
      }
      adam.step();
    }
  }
}
